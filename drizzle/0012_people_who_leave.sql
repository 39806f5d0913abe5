ALTER TABLE "api_keys" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "disabled_by" text;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_disabled_by_check" CHECK (disabled_by IS NULL OR (disabled_at IS NOT NULL AND disabled_by IN ('operator', 'identity_provider')));