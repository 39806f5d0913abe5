ALTER TABLE "tasks" ADD COLUMN "started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "lease_token" uuid;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "lease_until" timestamp with time zone;--> statement-breakpoint
CREATE UNIQUE INDEX "outbox_webhook_request_key" ON "outbox" USING btree ("request_id") WHERE kind = 'webhook';--> statement-breakpoint
CREATE INDEX "outbox_workflow_task_idx" ON "outbox" USING btree ("task_id") WHERE kind = 'workflow' AND status = 'pending';--> statement-breakpoint
CREATE INDEX "tasks_unfinished_idx" ON "tasks" USING btree ("created_at") WHERE execution IN ('waiting', 'running');--> statement-breakpoint
-- What closing decisions wrote as 'resume' is now a drive of the task's graph.
UPDATE "outbox" SET "kind" = 'workflow' WHERE "kind" = 'resume';
