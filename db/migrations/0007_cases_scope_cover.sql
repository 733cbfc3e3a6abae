-- Audits filtered by area, quadrant or lead choose their cases from this index alone (server/audits/where.ts,
-- caseScope), and QS188-3 counts Q1 cases with a lead from it: with the filter and measure columns included, neither
-- reads a case row (80,000 case rows for QS188-3 at a million cases, from a heap made wide by the snapshots).
-- INCLUDE is beyond what the Drizzle schema declares, hence a custom migration (the index keeps its name and keys).
DROP INDEX IF EXISTS "cases_quadrant_area_idx";--> statement-breakpoint
CREATE INDEX "cases_quadrant_area_idx" ON "cases" USING btree ("quadrant", "area")
  INCLUDE ("id", "lead_agency_id", "responsible_agency_id", "lead_agency_kind", "coordinator_id", "opened_at", "closed_at");
