-- The server's statements run as pathway_app (db/client.ts sets it at connection start), which holds only what the
-- engine needs: it reads everything, appends to the history and its projections, updates the case row, stays,
-- deadlines and idempotency answers — and cannot update, delete or truncate the history, own or alter a table, or
-- disable a trigger. Migrations run as the tables' owner. Roles belong to the server, not the database: one role
-- serves every database of a server.
DO $$
BEGIN
  CREATE ROLE pathway_app NOLOGIN;
-- Another database of the same server may be creating it at this moment.
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END;
$$;--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO pathway_app;--> statement-breakpoint
GRANT SELECT ON ALL TABLES IN SCHEMA public TO pathway_app;--> statement-breakpoint
GRANT INSERT ON case_events, audit_events, refused_attempts TO pathway_app;--> statement-breakpoint
-- service_users: opening a case locks the person's row (SELECT … FOR UPDATE needs UPDATE).
GRANT INSERT, UPDATE ON cases, state_stays, service_users, agencies, working_days TO pathway_app;--> statement-breakpoint
GRANT INSERT, UPDATE, DELETE ON case_deadlines, idempotency_keys TO pathway_app;--> statement-breakpoint
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO pathway_app;
