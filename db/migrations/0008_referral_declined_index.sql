-- Nobody's priority asks of each later episode opened in a period whether the episode before was closed because its
-- referral was declined. Both sides now read an index alone: the later episodes' (INCLUDE is beyond what the Drizzle
-- schema declares; the index keeps its name and keys) and a partial index of the declined episodes, whose expression is
-- the audit's own so the planner proves the predicate, instead of each previous episode's snapshot.
DROP INDEX IF EXISTS "cases_later_episode_opened_idx";--> statement-breakpoint
CREATE INDEX "cases_later_episode_opened_idx" ON "cases" USING btree ("opened_at") INCLUDE ("id", "person_id", "episode") WHERE "cases"."episode" > 1;--> statement-breakpoint
CREATE INDEX "cases_referral_declined_idx" ON "cases" USING btree ("person_id","episode") WHERE ("cases"."snapshot" #>> '{context,closure,reason}') = 'referralDeclined';
