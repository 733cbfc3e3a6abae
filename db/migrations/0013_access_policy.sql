CREATE TABLE "access_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"case_id" uuid,
	"principal_id" text NOT NULL,
	"principal_name" text NOT NULL,
	"agency_id" text NOT NULL,
	"role" text NOT NULL,
	"action" text NOT NULL,
	"relationship" text NOT NULL,
	"view" text NOT NULL,
	"reason" text,
	"note" text,
	"expires_at" timestamp with time zone,
	"detail" text
);
--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "ties" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "cases" ADD COLUMN "agencies" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
CREATE INDEX "access_log_case_idx" ON "access_log" USING btree ("case_id","at");--> statement-breakpoint
CREATE INDEX "access_log_break_glass_idx" ON "access_log" USING btree ("case_id","principal_id","expires_at") WHERE "access_log"."action" = 'breakGlass';--> statement-breakpoint
CREATE INDEX "access_log_break_glass_at_idx" ON "access_log" USING btree ("at") WHERE "access_log"."action" = 'breakGlass';--> statement-breakpoint
CREATE INDEX "cases_agencies_idx" ON "cases" USING gin ("agencies");--> statement-breakpoint
CREATE INDEX "cases_without_ties_idx" ON "cases" USING btree ("id") WHERE "cases"."ties" = '{}'::jsonb;--> statement-breakpoint
-- Who read which case is evidence, as the history is: the database refuses to change or remove it.
CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;--> statement-breakpoint
CREATE TRIGGER access_log_no_update_delete BEFORE UPDATE OR DELETE ON access_log
  FOR EACH ROW EXECUTE FUNCTION access_log_append_only();--> statement-breakpoint
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
  FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();--> statement-breakpoint
-- The server appends and reads; it cannot update or delete an entry (migration 0011's role).
GRANT SELECT, INSERT ON access_log TO pathway_app;--> statement-breakpoint
GRANT USAGE ON SEQUENCE access_log_id_seq TO pathway_app;
