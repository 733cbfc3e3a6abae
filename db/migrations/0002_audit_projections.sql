CREATE TABLE "refused_attempts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"case_id" uuid NOT NULL,
	"case_version" integer NOT NULL,
	"type" text NOT NULL,
	"reason" text,
	"rules" text[] NOT NULL,
	"actor_id" text NOT NULL,
	"actor_agency_id" text NOT NULL,
	"actor_agency_kind" text NOT NULL,
	"actor_role" text NOT NULL,
	"state" text[] NOT NULL,
	"area" text,
	"quadrant" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "state_stays" (
	"case_id" uuid NOT NULL,
	"state" text NOT NULL,
	"entered_seq" integer NOT NULL,
	"entered_at" timestamp with time zone NOT NULL,
	"left_seq" integer,
	"left_at" timestamp with time zone,
	"left_to" text[],
	"area" text,
	"quadrant" text,
	"agency_id" text,
	"agency_kind" text,
	"lead_agency_id" text,
	"coordinator_id" text,
	"lead_expected" boolean NOT NULL,
	CONSTRAINT "state_stays_case_id_state_entered_seq_pk" PRIMARY KEY("case_id","state","entered_seq")
);
--> statement-breakpoint
CREATE TABLE "working_days" (
	"day" date PRIMARY KEY NOT NULL,
	"working" boolean NOT NULL,
	"ordinal" integer NOT NULL,
	"holiday" text
);
--> statement-breakpoint
ALTER TABLE "refused_attempts" ADD CONSTRAINT "refused_attempts_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "state_stays" ADD CONSTRAINT "state_stays_case_id_cases_id_fk" FOREIGN KEY ("case_id") REFERENCES "public"."cases"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "refused_attempts_at_idx" ON "refused_attempts" USING btree ("at");--> statement-breakpoint
CREATE INDEX "refused_attempts_case_idx" ON "refused_attempts" USING btree ("case_id");--> statement-breakpoint
CREATE INDEX "state_stays_state_entered_idx" ON "state_stays" USING btree ("state","entered_at");--> statement-breakpoint
CREATE INDEX "state_stays_left_idx" ON "state_stays" USING btree ("left_at","state");--> statement-breakpoint
CREATE INDEX "state_stays_no_lead_idx" ON "state_stays" USING btree ("entered_at") WHERE "state_stays"."lead_expected" and ("state_stays"."lead_agency_id" is null or "state_stays"."coordinator_id" is null);--> statement-breakpoint
CREATE INDEX "state_stays_open_idx" ON "state_stays" USING btree ("state","entered_at") WHERE "state_stays"."left_at" is null;