import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execRows, setDbForTesting } from "@/db/client";
import { submitTask } from "@/lib/services/requests/lifecycle";
import { ACTIONS, createFixture, type Fixture, taskBody } from "@/test-support/services";
import { startSweeper, stopSweeper } from "./sweeper";

// The in-app sweeper expires requests with nobody looking, within seconds of the deadline.
describe("the in-app sweeper", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
    setDbForTesting(f.t);
  });
  afterAll(async () => {
    stopSweeper();
    await f?.t.destroy();
  });

  it("expires a request within seconds of its deadline, without any call", async () => {
    const { task } = await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high));
    const requestId = task.approval_request_id;
    await execRows(
      f.t.db,
      sql`UPDATE approval_requests SET expires_at = clock_timestamp() + interval '300 milliseconds' WHERE id = ${requestId}`,
    );
    startSweeper(200);
    startSweeper(200); // once per process: a second start changes nothing
    const deadline = Date.now() + 5000;
    let status = "pending";
    while (status === "pending" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      const [row] = await execRows<{ status: string }>(
        f.t.db,
        sql`SELECT status FROM approval_requests WHERE id = ${requestId}`,
      );
      status = row?.status ?? "missing";
    }
    expect(status).toBe("expired");
    const [late] = await execRows<{ late_ms: number }>(
      f.t.db,
      sql`SELECT extract(epoch FROM (decided_at - expires_at)) * 1000 AS late_ms FROM approval_requests WHERE id = ${requestId}`,
    );
    expect(Number(late?.late_ms)).toBeLessThan(5000);
  });
});
