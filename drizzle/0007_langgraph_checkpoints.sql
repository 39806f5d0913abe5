-- LangGraph's checkpoint tables (SPEC §6), created by the migrations rather than by
-- PostgresSaver.setup() at first use, in a schema of their own: exactly the DDL of
-- @langchain/langgraph-checkpoint-postgres 1.0.5's migrations 0-4 (its blob column already
-- nullable, as migration 4 leaves it), with those versions recorded so setup() has nothing
-- left to do. lib/graph/checkpointer.db.test.ts checks that setup() changes nothing.
CREATE SCHEMA IF NOT EXISTS "langgraph";
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "langgraph".checkpoint_migrations (
  v INTEGER PRIMARY KEY
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "langgraph".checkpoints (
  thread_id TEXT NOT NULL,
  checkpoint_ns TEXT NOT NULL DEFAULT '',
  checkpoint_id TEXT NOT NULL,
  parent_checkpoint_id TEXT,
  type TEXT,
  checkpoint JSONB NOT NULL,
  metadata JSONB NOT NULL DEFAULT '{}',
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "langgraph".checkpoint_blobs (
  thread_id TEXT NOT NULL,
  checkpoint_ns TEXT NOT NULL DEFAULT '',
  channel TEXT NOT NULL,
  version TEXT NOT NULL,
  type TEXT NOT NULL,
  blob BYTEA,
  PRIMARY KEY (thread_id, checkpoint_ns, channel, version)
);
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "langgraph".checkpoint_writes (
  thread_id TEXT NOT NULL,
  checkpoint_ns TEXT NOT NULL DEFAULT '',
  checkpoint_id TEXT NOT NULL,
  task_id TEXT NOT NULL,
  idx INTEGER NOT NULL,
  channel TEXT NOT NULL,
  type TEXT,
  blob BYTEA NOT NULL,
  PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
);
--> statement-breakpoint
INSERT INTO "langgraph".checkpoint_migrations (v) VALUES (0), (1), (2), (3), (4)
ON CONFLICT (v) DO NOTHING;
