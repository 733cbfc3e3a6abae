CREATE TABLE "case_deadlines" (
	"case_id" uuid NOT NULL,
	"name" text NOT NULL,
	"ref" text DEFAULT '' NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"fired_at" timestamp with time zone,
	CONSTRAINT "case_deadlines_case_id_name_ref_pk" PRIMARY KEY("case_id","name","ref")
);
--> statement-breakpoint
CREATE TABLE "case_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"actor_id" text NOT NULL,
	"actor_agency_id" text NOT NULL,
	"actor_agency_kind" text NOT NULL,
	"actor_role" text NOT NULL,
	"from_state" text[] NOT NULL,
	"to_state" text[] NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"idempotency_key" text,
	CONSTRAINT "case_events_case_seq_uq" UNIQUE("case_id","seq"),
	CONSTRAINT "case_events_case_idem_uq" UNIQUE("case_id","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "cases" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"person_id" uuid NOT NULL,
	"episode" integer NOT NULL,
	"snapshot" jsonb NOT NULL,
	"state_paths" text[] NOT NULL,
	"phase" text NOT NULL,
	"status" text NOT NULL,
	"lead_agency_id" text,
	"lead_agency_kind" text,
	"coordinator_id" text,
	"coordinator_name" text,
	"responsible_agency_id" text,
	"quadrant" text,
	"area" text,
	"version" integer NOT NULL,
	"state_entered_at" timestamp with time zone NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	"machine_version" text NOT NULL,
	CONSTRAINT "cases_reference_unique" UNIQUE("reference"),
	CONSTRAINT "cases_person_episode_uq" UNIQUE("person_id","episode")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" integer NOT NULL,
	"body" jsonb NOT NULL,
	"headers" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "agencies" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"organisation" text,
	"kind" text NOT NULL,
	"area" text,
	"localities" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"phone" text,
	"email" text,
	"address" text,
	"website" text,
	"source" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "service_users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"nhs_number" text,
	"given_name" text,
	"family_name" text,
	"date_of_birth" date NOT NULL,
	"area" text,
	"synthetic" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_users_nhsNumber_unique" UNIQUE("nhs_number")
);
--> statement-breakpoint
ALTER TABLE "case_deadlines" ADD CONSTRAINT "case_deadlines_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "case_events" ADD CONSTRAINT "case_events_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "cases" ADD CONSTRAINT "cases_person_id_service_users_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."service_users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "case_deadlines_due_idx" ON "case_deadlines" USING btree ("due_at") WHERE "case_deadlines"."fired_at" is null;--> statement-breakpoint
CREATE INDEX "case_events_type_at_idx" ON "case_events" USING btree ("type","at");--> statement-breakpoint
CREATE INDEX "cases_status_phase_idx" ON "cases" USING btree ("status","phase","state_entered_at");--> statement-breakpoint
CREATE INDEX "cases_lead_idx" ON "cases" USING btree ("lead_agency_id","status");--> statement-breakpoint
CREATE INDEX "cases_responsible_idx" ON "cases" USING btree ("responsible_agency_id","status");--> statement-breakpoint
CREATE INDEX "cases_quadrant_area_idx" ON "cases" USING btree ("quadrant","area");--> statement-breakpoint
CREATE INDEX "cases_opened_idx" ON "cases" USING btree ("opened_at","id");--> statement-breakpoint
CREATE INDEX "agencies_kind_area_idx" ON "agencies" USING btree ("kind","area");