CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"scope" text NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"key_hash" text NOT NULL,
	"user_id" uuid,
	"webhook_secret" text,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_scope_check" CHECK (scope IN ('agent', 'reviewer')),
	CONSTRAINT "api_keys_reviewer_has_user" CHECK (scope <> 'reviewer' OR user_id IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "approval_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"task_id" uuid NOT NULL,
	"workflow_id" text NOT NULL,
	"thread_id" text NOT NULL,
	"checkpoint_id" text,
	"agent_name" text NOT NULL,
	"api_key_id" uuid NOT NULL,
	"submitted_by_user_id" uuid,
	"action_type" text NOT NULL,
	"action_operation" text,
	"action_environment" text,
	"action_resource_type" text,
	"action_description" text DEFAULT '' NOT NULL,
	"action_details" jsonb NOT NULL,
	"action_impact" text,
	"edited_inputs" jsonb,
	"content_hash" text NOT NULL,
	"risk_level" text NOT NULL,
	"risk_rank" smallint NOT NULL,
	"risk_score" double precision NOT NULL,
	"risk_factors" jsonb NOT NULL,
	"rule_set_version" text NOT NULL,
	"status" text NOT NULL,
	"status_reason" text,
	"priority" text DEFAULT 'normal' NOT NULL,
	"required_approvals" smallint NOT NULL,
	"required_role" text NOT NULL,
	"requires_justification" boolean NOT NULL,
	"timeout_minutes" integer NOT NULL,
	"escalation_count" smallint DEFAULT 0 NOT NULL,
	"escalated_to" text,
	"escalated_at" timestamp with time zone,
	"expiry_extended" boolean DEFAULT false NOT NULL,
	"auto_escalate_at" timestamp with time zone,
	"claimed_by" uuid,
	"claimed_at" timestamp with time zone,
	"decided_by" uuid,
	"approver_role" text,
	"approval_justification" text,
	"rejection_reason" text,
	"auto_approved" boolean DEFAULT false NOT NULL,
	"grant_id" uuid,
	"notification_sent" boolean DEFAULT false NOT NULL,
	"idempotency_key" text,
	"request_fingerprint" text,
	"version" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"decided_at" timestamp with time zone,
	CONSTRAINT "approval_requests_status_check" CHECK (status IN ('pending', 'escalated', 'quarantined', 'approved', 'rejected', 'expired', 'cancelled')),
	CONSTRAINT "approval_requests_risk_level_check" CHECK (risk_level IN ('low', 'medium', 'high', 'critical')),
	CONSTRAINT "approval_requests_required_role_check" CHECK (required_role IN ('viewer', 'developer', 'tech_lead', 'devops_engineer')),
	CONSTRAINT "approval_requests_risk_score_check" CHECK (risk_score >= 0 AND risk_score <= 1)
);
--> statement-breakpoint
CREATE TABLE "approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"approver_id" uuid NOT NULL,
	"approver_role" text NOT NULL,
	"justification" text,
	"content_hash" text NOT NULL,
	"rule_set_version" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "approvals_role_check" CHECK (approver_role IN ('viewer', 'developer', 'tech_lead', 'devops_engineer'))
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"request_id" uuid,
	"workflow_id" text,
	"payload" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_events_actor_type_check" CHECK (actor_type IN ('user', 'agent', 'system'))
);
--> statement-breakpoint
CREATE TABLE "audit_head" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_head_single_row" CHECK (id = 1)
);
--> statement-breakpoint
CREATE TABLE "execution_checkpoints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"correlation_id" text,
	"action_id" uuid NOT NULL,
	"run_id" uuid,
	"checkpoint_name" text NOT NULL,
	"checkpoint_type" text NOT NULL,
	"checkpoint_data" jsonb NOT NULL,
	"sequence_number" integer NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"expires_at" timestamp with time zone,
	"resumed_at" timestamp with time zone,
	"resumed_by" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "execution_checkpoints_type_check" CHECK (checkpoint_type IN ('state', 'approval_gate', 'external_call', 'timer', 'error_recovery')),
	CONSTRAINT "execution_checkpoints_status_check" CHECK (status IN ('active', 'resumed', 'expired', 'cancelled'))
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"channel" text,
	"request_id" uuid,
	"task_id" uuid,
	"event_type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"target_url" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "outbox_status_check" CHECK (status IN ('pending', 'delivered', 'dead'))
);
--> statement-breakpoint
CREATE TABLE "standing_approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"grantor_id" uuid NOT NULL,
	"grantor_role" text NOT NULL,
	"agent" text NOT NULL,
	"agent_name" text,
	"type_pattern" text NOT NULL,
	"environment" text,
	"max_level" text NOT NULL,
	"max_uses" integer NOT NULL,
	"uses" integer DEFAULT 0 NOT NULL,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	"revoked_by" uuid,
	CONSTRAINT "standing_approvals_max_level_check" CHECK (max_level IN ('low', 'medium', 'high')),
	CONSTRAINT "standing_approvals_uses_check" CHECK (uses >= 0 AND uses <= max_uses)
);
--> statement-breakpoint
CREATE TABLE "tasks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"workflow_id" text NOT NULL,
	"thread_id" text NOT NULL,
	"api_key_id" uuid,
	"agent_name" text NOT NULL,
	"priority" text DEFAULT 'normal' NOT NULL,
	"callback_url" text,
	"execution" text DEFAULT 'waiting' NOT NULL,
	"execution_result" jsonb,
	"resume_count" integer DEFAULT 0 NOT NULL,
	"resumed_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tasks_execution_check" CHECK (execution IN ('waiting', 'running', 'completed', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"email" text NOT NULL,
	"name" text,
	"role" text NOT NULL,
	"password_hash" text,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "users_role_check" CHECK (role IN ('viewer', 'developer', 'tech_lead', 'devops_engineer'))
);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_requests" ADD CONSTRAINT "approval_requests_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_requests" ADD CONSTRAINT "approval_requests_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_requests" ADD CONSTRAINT "approval_requests_submitted_by_user_id_users_id_fk" FOREIGN KEY ("submitted_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_requests" ADD CONSTRAINT "approval_requests_claimed_by_users_id_fk" FOREIGN KEY ("claimed_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approval_requests" ADD CONSTRAINT "approval_requests_decided_by_users_id_fk" FOREIGN KEY ("decided_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_request_id_approval_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."approval_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_approver_id_users_id_fk" FOREIGN KEY ("approver_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "execution_checkpoints" ADD CONSTRAINT "execution_checkpoints_action_id_approval_requests_id_fk" FOREIGN KEY ("action_id") REFERENCES "public"."approval_requests"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "standing_approvals" ADD CONSTRAINT "standing_approvals_grantor_id_users_id_fk" FOREIGN KEY ("grantor_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "standing_approvals" ADD CONSTRAINT "standing_approvals_revoked_by_users_id_fk" FOREIGN KEY ("revoked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_api_key_id_api_keys_id_fk" FOREIGN KEY ("api_key_id") REFERENCES "public"."api_keys"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "api_keys_key_hash_key" ON "api_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "api_keys_name_idx" ON "api_keys" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "approval_requests_task_key" ON "approval_requests" USING btree ("task_id");--> statement-breakpoint
CREATE UNIQUE INDEX "approval_requests_idempotency_key" ON "approval_requests" USING btree ("api_key_id","idempotency_key") WHERE idempotency_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX "approval_requests_queue_idx" ON "approval_requests" USING btree ("status","risk_rank" DESC NULLS LAST,"created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "approval_requests_open_idx" ON "approval_requests" USING btree ("risk_rank" DESC NULLS LAST,"created_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE status IN ('pending', 'escalated', 'quarantined');--> statement-breakpoint
CREATE INDEX "approval_requests_decided_idx" ON "approval_requests" USING btree ("decided_at" DESC NULLS LAST,"id" DESC NULLS LAST) WHERE decided_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX "approval_requests_expiry_idx" ON "approval_requests" USING btree ("expires_at") WHERE status IN ('pending', 'escalated', 'quarantined');--> statement-breakpoint
CREATE INDEX "approval_requests_auto_escalate_idx" ON "approval_requests" USING btree ("auto_escalate_at") WHERE status IN ('pending', 'escalated') AND auto_escalate_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX "approval_requests_workflow_idx" ON "approval_requests" USING btree ("workflow_id","created_at");--> statement-breakpoint
CREATE INDEX "approval_requests_api_key_open_idx" ON "approval_requests" USING btree ("api_key_id") WHERE status IN ('pending', 'escalated', 'quarantined');--> statement-breakpoint
CREATE INDEX "approval_requests_claimed_idx" ON "approval_requests" USING btree ("claimed_by") WHERE claimed_by IS NOT NULL AND status IN ('pending', 'escalated', 'quarantined');--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_vote_key" ON "approvals" USING btree ("request_id","approver_id","content_hash");--> statement-breakpoint
CREATE INDEX "approvals_request_idx" ON "approvals" USING btree ("request_id","created_at");--> statement-breakpoint
CREATE INDEX "audit_events_workflow_idx" ON "audit_events" USING btree ("workflow_id","seq");--> statement-breakpoint
CREATE INDEX "audit_events_request_idx" ON "audit_events" USING btree ("request_id","seq");--> statement-breakpoint
CREATE INDEX "audit_events_type_idx" ON "audit_events" USING btree ("type","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "execution_checkpoints_seq_key" ON "execution_checkpoints" USING btree ("action_id","checkpoint_name","sequence_number");--> statement-breakpoint
CREATE INDEX "execution_checkpoints_action_idx" ON "execution_checkpoints" USING btree ("action_id","sequence_number");--> statement-breakpoint
CREATE INDEX "execution_checkpoints_expiry_idx" ON "execution_checkpoints" USING btree ("expires_at") WHERE status = 'active' AND expires_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX "outbox_due_idx" ON "outbox" USING btree ("next_attempt_at") WHERE status = 'pending';--> statement-breakpoint
CREATE INDEX "outbox_request_idx" ON "outbox" USING btree ("request_id");--> statement-breakpoint
CREATE INDEX "standing_approvals_agent_idx" ON "standing_approvals" USING btree ("agent","expires_at") WHERE revoked_at IS NULL;--> statement-breakpoint
CREATE INDEX "tasks_workflow_idx" ON "tasks" USING btree ("workflow_id","created_at");--> statement-breakpoint
CREATE INDEX "tasks_thread_idx" ON "tasks" USING btree ("thread_id");--> statement-breakpoint
CREATE INDEX "tasks_api_key_idx" ON "tasks" USING btree ("api_key_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_email_key" ON "users" USING btree ("email");