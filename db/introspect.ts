// A plain-data description of the app's schemas — public, and langgraph (the checkpointer's
// tables) — with their tables, columns, constraints and indexes,
// used to prove that migrations are idempotent and that PGlite and PostgreSQL agree.
import { sql } from "drizzle-orm";
import { type Executor, execRows } from "./client";

export interface SchemaDescription {
  columns: string[];
  constraints: string[];
  indexes: string[];
}

export async function describeSchema(db: Executor): Promise<SchemaDescription> {
  const columns = await execRows<{ line: string }>(
    db,
    sql`SELECT table_schema || '.' || table_name || '.' || column_name || ' ' || data_type
          || ' null=' || is_nullable || ' default=' || coalesce(column_default, '-') AS line
        FROM information_schema.columns
        WHERE table_schema IN ('public', 'langgraph')
        ORDER BY table_schema, table_name, column_name`,
  );
  const constraints = await execRows<{ line: string }>(
    db,
    sql`SELECT c.conrelid::regclass::text || ' ' || c.conname || ' ' || pg_get_constraintdef(c.oid) AS line
        FROM pg_constraint c
        JOIN pg_namespace n ON n.oid = c.connamespace
        -- NOT NULL is already in the columns; PostgreSQL 18 (PGlite) also lists it as a
        -- constraint, older servers do not.
        WHERE n.nspname IN ('public', 'langgraph') AND c.contype <> 'n'
        ORDER BY 1`,
  );
  const indexes = await execRows<{ line: string }>(
    db,
    sql`SELECT indexdef AS line FROM pg_indexes
        WHERE schemaname IN ('public', 'langgraph') ORDER BY schemaname, indexname`,
  );
  return {
    columns: columns.map((r) => r.line),
    constraints: constraints.map((r) => r.line),
    indexes: indexes.map((r) => r.line),
  };
}
