// The app's PostgreSQL client while the server ends its connections under load
// (pg_terminate_backend, every 50 ms): every query and transaction settles, with its own rows
// or an error the service maps to 503. None waits for ever, none is given another query's
// answer, nothing is raised outside them, and the client serves again as soon as the cuts
// stop. The unpatched driver failed each of the first three (db/patches/README.md).
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "@/test-support/db";
import { type Database, execRows, isDatabaseUnavailable } from "./client";

// Rounds of cuts, each followed by the client's recovery. The faults are races: on the
// unpatched driver, a run of three rounds failed about one time in two.
const ROUNDS = 3;
const CUT_MS = 3000;
const CLIENTS = 16;
// Far beyond any answer here: a query this late is one that will never settle.
const STRANDED_MS = 4000;

type Probe = (db: Database) => Promise<unknown[]>;

// Statements of different shapes, each with the one answer it must get: an answer meant for
// another statement fails its check.
const PROBES: Array<{ run: Probe; answer: unknown[] }> = [
  {
    run: (db) => execRows(db, sql`SELECT id, 'one' AS tag FROM cut_probe WHERE id = ${1}`),
    answer: [{ id: 1, tag: "one" }],
  },
  { run: (db) => execRows(db, sql`SELECT id FROM cut_probe WHERE id = ${-1}`), answer: [] },
  { run: (db) => execRows(db, sql`SELECT ${42}::int AS answer`), answer: [{ answer: 42 }] },
  {
    run: (db) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`SELECT n FROM cut_probe WHERE id = 1 FOR UPDATE`);
        await tx.execute(sql`UPDATE cut_probe SET n = n + 1 WHERE id = 1`);
        return execRows(tx, sql`SELECT 'tx' AS tag FROM cut_probe WHERE id = ${1}`);
      }),
    answer: [{ tag: "tx" }],
  },
];

describe("the PostgreSQL client under connection cuts", () => {
  let t: TestDb;
  let killer: postgres.Sql;

  beforeAll(async () => {
    // Fewer connections than callers: queries queue and pipeline, as under a real load.
    t = await createTestDb({ kind: "postgres", max: 2 });
    killer = postgres(t.url as string, { max: 1, onnotice: () => {} });
    await t.db.execute(sql`CREATE TABLE cut_probe (id int PRIMARY KEY, n int NOT NULL)`);
    await t.db.execute(sql`INSERT INTO cut_probe VALUES (1, 0)`);
  });
  afterAll(async () => {
    await killer?.end();
    await t?.destroy();
  });

  it("settles every query and transaction with its own answer, raises nothing unhandled, and serves again at once", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const outcomes = { answered: 0, unavailable: 0, stranded: 0, wrong: [] as string[] };
    let stop = false;

    const once = async (i: number) => {
      const probe = PROBES[i % PROBES.length] as (typeof PROBES)[number];
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<"stranded">((resolve) => {
        timer = setTimeout(() => resolve("stranded"), STRANDED_MS);
      });
      try {
        const got = await Promise.race([probe.run(t.db), late]);
        if (got === "stranded") outcomes.stranded++;
        else if (JSON.stringify(got) === JSON.stringify(probe.answer)) outcomes.answered++;
        else outcomes.wrong.push(`probe ${i % PROBES.length} got ${JSON.stringify(got)}`);
      } catch (error) {
        if (isDatabaseUnavailable(error)) outcomes.unavailable++;
        else outcomes.wrong.push(`probe ${i % PROBES.length} failed: ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    };
    const load = Array.from({ length: CLIENTS }, async (_, client) => {
      for (let i = client; !stop; i += CLIENTS) await once(i);
    });

    try {
      let cuts = 0;
      let recoveredMs = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const until = Date.now() + CUT_MS;
        while (Date.now() < until) {
          const killed = await killer`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()`;
          cuts += killed.length;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        const back = Date.now();
        const answeredAtEnd = outcomes.answered;
        await expect
          .poll(() => outcomes.answered, { timeout: 3000, interval: 10 })
          .toBeGreaterThan(answeredAtEnd);
        recoveredMs = Math.max(recoveredMs, Date.now() - back);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      stop = true;
      await Promise.all(load);

      expect(cuts).toBeGreaterThan(10);
      expect(outcomes.unavailable).toBeGreaterThan(0);
      expect(outcomes.answered).toBeGreaterThan(100);
      expect({ stranded: outcomes.stranded, wrong: outcomes.wrong, unhandled }).toEqual({
        stranded: 0,
        wrong: [],
        unhandled: [],
      });
      expect(recoveredMs).toBeLessThan(2500);
    } finally {
      stop = true;
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
