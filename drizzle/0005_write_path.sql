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
-- The bound on one agent key's open requests (HITL_MAX_OPEN_PER_AGENT), checked in the
-- statement that writes the request: the key's row is locked first when `take_lock` (the new
-- request is open, so concurrent submits of the key must count one after another), then its
-- other open requests are counted on a snapshot taken after the lock was granted (the
-- function is VOLATILE), and an agent at its bound gets SQLSTATE AL429, which rolls the whole
-- submit back. Returns the count (up to the bound).
CREATE OR REPLACE FUNCTION "airlock_check_open_limit"(
  key_id uuid, statuses text, take_lock boolean, open_limit bigint, this_request uuid
) RETURNS bigint
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  open_now bigint;
BEGIN
  IF take_lock THEN
    PERFORM 1 FROM "api_keys" WHERE "id" = key_id FOR NO KEY UPDATE;
  END IF;
  -- Counting stops at the bound: the check costs at most `open_limit` index entries.
  SELECT count(*) INTO open_now FROM (
    SELECT 1 FROM "approval_requests"
    WHERE "api_key_id" = key_id AND "status" = ANY (string_to_array(statuses, ','))
      AND "id" <> this_request
    LIMIT open_limit
  ) AS open_requests;
  IF open_now >= open_limit THEN
    RAISE EXCEPTION 'open request limit reached'
      USING ERRCODE = 'AL429', DETAIL = open_now::text, HINT = open_limit::text;
  END IF;
  RETURN open_now;
END;
$$;
