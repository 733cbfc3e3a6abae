-- INCLUDE by hand (beyond what the Drizzle schema declares): the lead-change check reads the index only.
CREATE INDEX "state_stays_case_left_seq_idx" ON "state_stays" USING btree ("case_id","left_seq") INCLUDE ("lead_agency_id") WHERE "state_stays"."lead_agency_id" is not null;--> statement-breakpoint
CREATE INDEX "cases_later_episode_opened_idx" ON "cases" USING btree ("opened_at") WHERE "cases"."episode" > 1;
