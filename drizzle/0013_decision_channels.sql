ALTER TABLE "approval_requests" ADD COLUMN "decided_channel" text;--> statement-breakpoint
ALTER TABLE "approval_requests" ADD COLUMN "decided_os_user" text;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "channel" text;--> statement-breakpoint
ALTER TABLE "approvals" ADD COLUMN "os_user" text;--> statement-breakpoint
ALTER TABLE "approval_requests" ADD CONSTRAINT "approval_requests_decided_channel_check" CHECK (decided_channel IS NULL OR decided_channel IN ('browser', 'api', 'slack', 'cli'));--> statement-breakpoint
ALTER TABLE "approval_requests" ADD CONSTRAINT "approval_requests_decided_os_user_check" CHECK (decided_os_user IS NULL OR decided_channel = 'cli');--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_channel_check" CHECK (channel IS NULL OR channel IN ('browser', 'api', 'slack', 'cli'));--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_os_user_check" CHECK (os_user IS NULL OR channel = 'cli');