-- The quality pack looks audit events up per case (an assessment that recorded substance use; the follow-up of a missed
-- appointment): with the values it tests in the index, each lookup reads the index only, not a heap page per event.
-- INCLUDE is beyond what the Drizzle schema declares, hence a custom migration (the index keeps its name and keys).
DROP INDEX IF EXISTS "audit_events_case_type_idx";--> statement-breakpoint
CREATE INDEX "audit_events_case_type_idx" ON "audit_events" USING btree ("case_id","type","seq")
  INCLUDE ("at", "substance_use_asked", "appointment_id");
