-- Fewer round trips on the write path.
-- Every write of a request wakes the agents and reviewers waiting on it (SPEC §5 `?wait=`,
-- SSE), delivered on commit or never. A trigger rather than a statement of the service: it
-- saves each submit and decision a round trip, and no write can forget it.
CREATE OR REPLACE FUNCTION "approval_requests_notify"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(
    'airlock_requests',
    json_build_object('request_id', NEW.id, 'task_id', NEW.task_id, 'status', NEW.status)::text
  );
  RETURN NULL;
END;
$$;
--> statement-breakpoint
DROP TRIGGER IF EXISTS "approval_requests_notify" ON "approval_requests";
--> statement-breakpoint
CREATE TRIGGER "approval_requests_notify"
AFTER INSERT OR UPDATE ON "approval_requests"
FOR EACH ROW EXECUTE FUNCTION "approval_requests_notify"();
--> statement-breakpoint
-- One agent key's open requests, counted after taking its row lock when `take_lock`: one
-- round trip where it was two. The function is VOLATILE, so the count runs on a snapshot
-- taken after the lock was granted and sees every submit that held it before.
CREATE OR REPLACE FUNCTION "airlock_open_requests"(key_id uuid, statuses text, take_lock boolean)
RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  IF take_lock THEN
    PERFORM 1 FROM "api_keys" WHERE "id" = key_id FOR NO KEY UPDATE;
  END IF;
  RETURN (
    SELECT count(*) FROM "approval_requests"
    WHERE "api_key_id" = key_id AND "status" = ANY (string_to_array(statuses, ','))
  );
END;
$$;
