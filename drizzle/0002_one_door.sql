-- One door for every caller: approvals bound to an edit generation, grants bound to agent keys,
-- agent names unique among active keys, owners required, thread ids per key, an operator actor,
-- and the decisions each task's agent accepts back.
CREATE TABLE "server_secrets" (
	"name" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_events" DROP CONSTRAINT "audit_events_actor_type_check";--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_actor_type_check" CHECK (actor_type IN ('user', 'agent', 'operator', 'system'));--> statement-breakpoint
ALTER TABLE "approval_requests" ADD COLUMN "edit_generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "approval_requests" ADD COLUMN "auto_escalation_count" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "approval_requests" ADD COLUMN "allowed_decisions" text[] DEFAULT '{approve,edit,reject}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "approval_requests" DROP COLUMN "checkpoint_id";--> statement-breakpoint
ALTER TABLE "approval_requests" DROP COLUMN "action_impact";--> statement-breakpoint
ALTER TABLE "approval_requests" DROP COLUMN "notification_sent";--> statement-breakpoint
DROP INDEX "approvals_vote_key";--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "generation" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_vote_key" ON "approvals" USING btree ("request_id","approver_id","generation");--> statement-breakpoint
-- Grants named an agent; bind each to the key of that name (the active one if there is one).
-- A grant whose agent has no key at all could never apply, and goes.
ALTER TABLE "standing_approvals" ADD COLUMN "agent_key_id" uuid;--> statement-breakpoint
UPDATE "standing_approvals" g SET "agent_key_id" = (
  SELECT k."id" FROM "api_keys" k
  WHERE k."scope" = 'agent' AND lower(k."name") = lower(g."agent")
  ORDER BY (k."revoked_at" IS NULL) DESC, k."created_at" DESC
  LIMIT 1
);--> statement-breakpoint
DELETE FROM "standing_approvals" WHERE "agent_key_id" IS NULL;--> statement-breakpoint
ALTER TABLE "standing_approvals" ALTER COLUMN "agent_key_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "standing_approvals" ADD CONSTRAINT "standing_approvals_agent_key_id_api_keys_id_fk" FOREIGN KEY ("agent_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
DROP INDEX "standing_approvals_agent_idx";--> statement-breakpoint
CREATE INDEX "standing_approvals_agent_idx" ON "standing_approvals" USING btree ("agent_key_id","expires_at") WHERE revoked_at IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_active_agent_name_key" ON "api_keys" USING btree (lower("name")) WHERE scope = 'agent' AND revoked_at IS NULL;--> statement-breakpoint
-- NOT VALID: keys made before owners were required keep working; every new key has one.
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_agent_has_owner" CHECK (scope <> 'agent' OR user_id IS NOT NULL) NOT VALID;--> statement-breakpoint
DROP INDEX "tasks_thread_idx";--> statement-breakpoint
CREATE INDEX "tasks_thread_idx" ON "tasks" USING btree ("api_key_id","thread_id");
