// Every statement a submit and a decision send to PostgreSQL, BEGIN and COMMIT included,
// counted through the real route handlers (the key lookup too). Each is a round trip on the
// write path: the ceilings below are today's counts, so a change that adds one fails here and
// has to say why. The statements are printed for whoever tightens them next. Before the sealer
// and the batching of issue 10 they were 14 (low risk), 15 (pending) and 17 (approve).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle, setDbForTesting } from "@/db/client";
import { type ApiHarness, createApiHarness } from "@/test-support/api";
import { ACTIONS, taskBody } from "@/test-support/services";

describe("round trips on the write path", () => {
  let h: ApiHarness;
  let counted: DbHandle;
  let statements: string[] = [];
  let reviewerKey: string;
  beforeAll(async () => {
    h = await createApiHarness();
    reviewerKey = await h.reviewerKey("lead");
    counted = await createDb({
      url: h.f.t.url,
      max: 4,
      onStatement: (statement) => statements.push(statement.replace(/\s+/g, " ").trim()),
    });
    setDbForTesting(counted);
    // Warm caches (the rule set, the key's last-use stamp) as a running server has them.
    await h.call("POST", "/api/tasks", { key: h.f.alpha.key, body: taskBody(ACTIONS.low) });
  });
  afterAll(async () => {
    await counted?.close();
    await h?.f.t.destroy();
  });

  async function count(run: () => Promise<{ status: number }>, expectedStatus: number) {
    statements = [];
    const response = await run();
    expect(response.status).toBe(expectedStatus);
    const sent = statements;
    console.info(`${sent.length} statements:\n  ${sent.map((s) => s.slice(0, 140)).join("\n  ")}`);
    return sent;
  }

  it("submits a low-risk task (auto-approved) in 2 statements: the key, then one write", async () => {
    const sent = await count(
      () => h.call("POST", "/api/tasks", { key: h.f.alpha.key, body: taskBody(ACTIONS.low) }),
      201,
    );
    // The write is its own transaction: no BEGIN, no COMMIT, and the key's read gave the clock.
    expect(sent.length).toBe(2);
    expect(sent[1]).toMatch(/^WITH w0 AS \(insert into "tasks"/);
    // No lock that every writer of the log would share.
    expect(sent.join("\n")).not.toMatch(/audit_head/);
  });

  it("submits a pending task in 3 statements: the key, its grants, one write", async () => {
    const sent = await count(
      () => h.call("POST", "/api/tasks", { key: h.f.alpha.key, body: taskBody(ACTIONS.high) }),
      201,
    );
    expect(sent.length).toBe(3);
    expect(sent.join("\n")).not.toMatch(/^begin/m);
    expect(sent.join("\n")).not.toMatch(/audit_head/);
  });

  it("takes the idempotency lock only when the submit has a key", async () => {
    const without = await count(
      () => h.call("POST", "/api/tasks", { key: h.f.alpha.key, body: taskBody(ACTIONS.high) }),
      201,
    );
    const withKey = await count(
      () =>
        h.call("POST", "/api/tasks", {
          key: h.f.alpha.key,
          body: taskBody(ACTIONS.high),
          headers: { "idempotency-key": "round-trips-1" },
        }),
      201,
    );
    expect(without.join("\n")).not.toMatch(/pg_advisory_xact_lock/);
    expect(withKey.join("\n")).toMatch(/pg_advisory_xact_lock/);
    // In a transaction: BEGIN, the key's lock, the lookup of an earlier submit, the grants
    // (locked), the write, COMMIT.
    expect(withKey.length).toBeLessThanOrEqual(without.length + 4);
  });

  it("approves a request in at most 11 statements", async () => {
    const submitted = await h.call("POST", "/api/tasks", {
      key: h.f.alpha.key,
      body: taskBody(ACTIONS.high),
    });
    const id = submitted.json.approval_request_id as string;
    const sent = await count(
      () => h.call("POST", `/api/hitl/actions/${id}/approve`, { key: reviewerKey, body: {} }),
      200,
    );
    expect(sent.length).toBeLessThanOrEqual(11);
    expect(sent.join("\n")).not.toMatch(/audit_head/);
  });
});
