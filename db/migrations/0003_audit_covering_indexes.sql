-- Covering indexes for the audits at a million cases (bench/README.md): the period scans of dwell and flow and the
-- open-stay scans of dwell and stalled read only the index (index-only scans), not the wide stay rows.
-- INCLUDE columns are beyond what the Drizzle schema can declare, hence a custom migration.
CREATE INDEX "state_stays_left_cover_idx" ON "state_stays" USING btree ("left_at")
  INCLUDE ("state", "case_id", "entered_at", "left_to", "area", "quadrant", "agency_id", "agency_kind");
--> statement-breakpoint
CREATE INDEX "state_stays_open_cover_idx" ON "state_stays" USING btree ("state", "entered_at")
  INCLUDE ("case_id", "area", "quadrant", "agency_id", "agency_kind") WHERE "left_at" IS NULL;
