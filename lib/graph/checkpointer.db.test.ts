// The checkpointer of the hosted workflows, on PostgreSQL and on embedded PGlite (this suite
// runs on both), held to LangGraph's own conformance suite
// (@langchain/langgraph-checkpoint-validation), on tables the migrations created.
import { validate } from "@langchain/langgraph-checkpoint-validation";
import { sql } from "drizzle-orm";
import * as vitest from "vitest";
import { execRows } from "@/db/client";
import { describeSchema } from "@/db/introspect";
import { createTestDb, type TestDb } from "@/test-support/db";
import { CHECKPOINT_SCHEMA, type Checkpointer, createCheckpointer } from "./checkpointer";

const { afterAll, beforeAll, describe, expect, it } = vitest;

// The conformance suite calls vitest's functions as globals (it is written for
// `globals: true`); this project imports them, so hand them over before it registers.
Object.assign(globalThis, {
  describe: vitest.describe,
  it: vitest.it,
  test: vitest.test,
  expect: vitest.expect,
  beforeAll: vitest.beforeAll,
  afterAll: vitest.afterAll,
  beforeEach: vitest.beforeEach,
  afterEach: vitest.afterEach,
});

let t: TestDb;
const open = new Map<unknown, Checkpointer>();

beforeAll(async () => {
  t = await createTestDb();
}, 120_000);
afterAll(async () => {
  await t?.destroy();
});

describe("the checkpoint tables", () => {
  it("are created by the migrations, so PostgresSaver.setup() finds nothing to do", async () => {
    const before = await describeSchema(t.db);
    expect(before.columns.filter((c) => c.startsWith(`${CHECKPOINT_SCHEMA}.`))).not.toEqual([]);
    const checkpointer = await createCheckpointer(t);
    try {
      await checkpointer.saver.setup();
    } finally {
      await checkpointer.close();
    }
    expect(await describeSchema(t.db)).toEqual(before);
    const versions = await execRows<{ v: number }>(
      t.db,
      sql`SELECT v FROM langgraph.checkpoint_migrations ORDER BY v`,
    );
    expect(versions.map((r) => r.v)).toEqual([0, 1, 2, 3, 4]);
  });
});

validate({
  checkpointerName: `PostgresSaver (${process.env.DATABASE_URL ? "PostgreSQL" : "PGlite"})`,
  async createCheckpointer() {
    const checkpointer = await createCheckpointer(t);
    open.set(checkpointer.saver, checkpointer);
    return checkpointer.saver;
  },
  async destroyCheckpointer(saver) {
    // Each set of validations starts from empty tables, as a fresh database would have them.
    await execRows(
      t.db,
      sql`TRUNCATE langgraph.checkpoints, langgraph.checkpoint_blobs, langgraph.checkpoint_writes`,
    );
    await open.get(saver)?.close();
    open.delete(saver);
  },
});
