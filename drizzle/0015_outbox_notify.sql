-- No idle hops (SPEC §9): every row written to the outbox wakes the outbox workers of every
-- instance on commit (a graph to drive, a callback or a notification to send), instead of
-- waiting for their next poll; the poll stays as the safety net for a lost notification and
-- for rows that come due later (retries). The payload is the row's kind, which names the lane
-- to fill; PostgreSQL sends one notification per kind per transaction, however many rows.
CREATE OR REPLACE FUNCTION "outbox_notify"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('airlock_outbox', NEW.kind);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "outbox_notify" ON "outbox";
--> statement-breakpoint
CREATE TRIGGER "outbox_notify"
AFTER INSERT ON "outbox"
FOR EACH ROW EXECUTE FUNCTION "outbox_notify"();
