-- Tamper evidence for the history: each event's hash covers its own fields and the hash of the case's previous event,
-- so changing, removing or reordering any past event breaks the chain from there on. The database computes it on insert,
-- whichever writer appends (the engine's statement, the batch loader's COPY), so there is one definition of it.
CREATE FUNCTION case_event_hash(prev text, e case_events) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws(E'\x1f', coalesce(prev, ''), e.case_id::text, e.seq::text, e.type, e.payload::text,
    e.actor_id, e.actor_agency_id, e.actor_agency_kind, e.actor_role, array_to_string(e.from_state, ','),
    array_to_string(e.to_state, ','), to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
    coalesce(e.idempotency_key, '')), 'UTF8')), 'hex')
$$;
--> statement-breakpoint
CREATE FUNCTION case_events_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  prev text;
BEGIN
  IF NEW.seq > 1 THEN
    SELECT hash INTO prev FROM case_events WHERE case_id = NEW.case_id AND seq = NEW.seq - 1;
    IF prev IS NULL THEN
      RAISE EXCEPTION 'case_events: event % of case % follows no recorded event', NEW.seq, NEW.case_id USING ERRCODE = 'integrity_constraint_violation';
    END IF;
  END IF;
  NEW.hash := case_event_hash(prev, NEW);
  RETURN NEW;
END;
$$;
--> statement-breakpoint
ALTER TABLE "case_events" ADD COLUMN "hash" text;--> statement-breakpoint
-- Histories written before this migration are chained once, in order, with the append-only guard lifted for it alone.
ALTER TABLE "case_events" DISABLE TRIGGER case_events_no_update_delete;--> statement-breakpoint
DO $$
DECLARE
  r case_events;
  prev text;
  current_case uuid;
BEGIN
  FOR r IN SELECT * FROM case_events ORDER BY case_id, seq LOOP
    IF current_case IS DISTINCT FROM r.case_id THEN
      prev := NULL;
      current_case := r.case_id;
    END IF;
    prev := case_event_hash(prev, r);
    UPDATE case_events SET hash = prev WHERE id = r.id;
  END LOOP;
END;
$$;--> statement-breakpoint
ALTER TABLE "case_events" ENABLE TRIGGER case_events_no_update_delete;--> statement-breakpoint
ALTER TABLE "case_events" ALTER COLUMN "hash" SET NOT NULL;--> statement-breakpoint
CREATE TRIGGER case_events_hash_chain BEFORE INSERT ON case_events FOR EACH ROW EXECUTE FUNCTION case_events_chain();
