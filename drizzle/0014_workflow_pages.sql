DROP INDEX "approval_requests_workflow_idx";--> statement-breakpoint
CREATE INDEX "approval_requests_workflow_idx" ON "approval_requests" USING btree ("workflow_id","created_at","id");