-- Tamper evidence for the access log, as migration 0010 gave the history: each entry's hash covers its own fields and
-- the hash of the previous entry of the same case (entries with no case, exports, form one chain of their own), so
-- changing, removing or reordering a past entry breaks the chain from there on. The database computes it on insert;
-- concurrent reads of one case take their turn (an advisory lock per chain, held to commit) so a chain never forks
-- and its ids rise in the order its entries join it.
ALTER TABLE "access_log" ADD COLUMN "prev_id" bigint;--> statement-breakpoint
ALTER TABLE "access_log" ADD COLUMN "hash" text;--> statement-breakpoint
CREATE INDEX "access_log_chain_idx" ON "access_log" USING btree ("case_id", "id");--> statement-breakpoint
CREATE FUNCTION access_log_hash(prev text, e access_log) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(concat_ws(E'\x1f', coalesce(prev, ''), e.id::text, coalesce(e.case_id::text, ''),
    to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), e.principal_id, e.principal_name, e.agency_id, e.role,
    e.action, e.relationship, e.view, coalesce(e.reason, ''), coalesce(e.note, ''),
    coalesce(to_char(e.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), ''), coalesce(e.detail, '')), 'UTF8')), 'hex')
$$;--> statement-breakpoint
CREATE FUNCTION access_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  prev access_log;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended('access_log:' || coalesce(NEW.case_id::text, ''), 0));
  -- The id is taken again under the lock, so a chain's ids rise in the order its entries join it (the one taken by the
  -- column default, before the lock, could be overtaken by a concurrent entry of the same case).
  NEW.id := nextval(pg_get_serial_sequence('access_log', 'id'));
  SELECT * INTO prev FROM access_log WHERE case_id IS NOT DISTINCT FROM NEW.case_id ORDER BY id DESC LIMIT 1;
  NEW.prev_id := prev.id;
  NEW.hash := access_log_hash(prev.hash, NEW);
  RETURN NEW;
END;
$$;--> statement-breakpoint
-- Entries written before this migration are chained once, in order, with the append-only guard lifted for it alone.
ALTER TABLE "access_log" DISABLE TRIGGER access_log_no_update_delete;--> statement-breakpoint
DO $$
DECLARE
  r access_log;
  prev access_log;
  current_case uuid;
  first boolean := true;
BEGIN
  FOR r IN SELECT * FROM access_log ORDER BY case_id NULLS FIRST, id LOOP
    IF first OR current_case IS DISTINCT FROM r.case_id THEN
      prev := NULL;
      current_case := r.case_id;
      first := false;
    END IF;
    r.prev_id := prev.id;
    r.hash := access_log_hash(prev.hash, r);
    UPDATE access_log SET prev_id = r.prev_id, hash = r.hash WHERE id = r.id;
    prev := r;
  END LOOP;
END;
$$;--> statement-breakpoint
ALTER TABLE "access_log" ENABLE TRIGGER access_log_no_update_delete;--> statement-breakpoint
CREATE TRIGGER access_log_hash_chain BEFORE INSERT ON access_log FOR EACH ROW EXECUTE FUNCTION access_log_chain();
