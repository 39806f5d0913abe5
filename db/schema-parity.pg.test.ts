import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test-support/db";
import { describeSchema } from "./introspect";

// Needs a real server: the embedded database is compared against it.
describe("the same migrations on PGlite and PostgreSQL", () => {
  let pg: TestDb;
  let lite: TestDb;
  beforeAll(async () => {
    pg = await createTestDb({ kind: "postgres" });
    lite = await createTestDb({ kind: "pglite" });
  });
  afterAll(async () => {
    await pg?.destroy();
    await lite?.destroy();
  });

  it("produce identical information_schema columns, constraints and indexes", async () => {
    const [a, b] = await Promise.all([describeSchema(pg.db), describeSchema(lite.db)]);
    expect(a.columns.length).toBeGreaterThan(100);
    expect(b).toEqual(a);
  });
});
