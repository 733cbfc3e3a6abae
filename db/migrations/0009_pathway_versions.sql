-- Pathway versions (docs/decisions/0010-pathway-versions.md): each case names the version of the statechart it runs on.
-- Every case written before versions existed ran on version 1 (its `machine_version` held a hash of that chart).
ALTER TABLE "cases" ADD COLUMN "pathway_version" integer NOT NULL DEFAULT 1;--> statement-breakpoint
ALTER TABLE "cases" ALTER COLUMN "pathway_version" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "cases" DROP COLUMN "machine_version";
