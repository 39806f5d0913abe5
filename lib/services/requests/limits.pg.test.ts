// The claim limit and the per-agent open-request limit are counted behind a row lock (the
// reviewer's, the key's): concurrent calls can never overshoot them. Only a real server can
// run the calls at once.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execRows } from "@/db/client";
import { authenticateApiKey, createApiKey } from "@/lib/services/accounts/keys";
import { ServiceError } from "@/lib/services/errors";
import type { AgentPrincipal } from "@/lib/services/principal";
import { hitlConfig } from "@/lib/services/rules/config";
import {
  ACTIONS,
  createFixture,
  type Fixture,
  TEST_OPERATOR,
  taskBody,
} from "@/test-support/services";
import { decideRequest, submitTask } from "./lifecycle";

describe("limits under concurrency (PostgreSQL)", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture({ max: 20 });
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  const codeOf = (e: unknown) => (e instanceof ServiceError ? e.code : `unexpected: ${String(e)}`);
  const settle = async (promises: Promise<unknown>[]) => {
    const results = await Promise.allSettled(promises);
    return {
      ok: results.filter((r) => r.status === "fulfilled").length,
      codes: results.flatMap((r) => (r.status === "rejected" ? [codeOf(r.reason)] : [])),
    };
  };

  it("two or more concurrent claims of different requests never pass max_claimed (×10)", async () => {
    const max = hitlConfig().ruleSet.policies.tech_lead.max_claimed;
    for (let round = 0; round < 10; round++) {
      const lead = round % 2 === 0 ? f.as.lead : f.as.lead2;
      await execRows(
        f.t.db,
        sql`UPDATE approval_requests SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = ${lead.userId}`,
      );
      const ids: string[] = [];
      for (let i = 0; i < max + 4; i++) {
        ids.push(
          (await submitTask(f.t.db, f.beta, taskBody(ACTIONS.high))).task.approval_request_id,
        );
      }
      // Hold all but one of the allowed claims, then race five claims for the last place.
      for (const id of ids.slice(0, max - 1)) {
        await decideRequest(f.t.db, lead, id, { type: "claim", claimed_count: 0 });
      }
      const racing = ids.slice(max - 1, max + 4);
      const { ok, codes } = await settle(
        racing.map((id) => decideRequest(f.t.db, lead, id, { type: "claim", claimed_count: 0 })),
      );
      expect(ok).toBe(1);
      expect(codes).toEqual(Array(4).fill("conflict"));
      const [held] = await execRows<{ n: number }>(
        f.t.db,
        sql`SELECT count(*)::int AS n FROM approval_requests WHERE claimed_by = ${lead.userId} AND status IN ('pending', 'escalated', 'quarantined')`,
      );
      expect(held?.n).toBe(max);
    }
  });

  it("a burst of concurrent submits never passes the agent's open-request limit (×5)", async () => {
    for (let round = 0; round < 5; round++) {
      const created = await createApiKey(f.t.db, TEST_OPERATOR, {
        agent: `burst-${round}`,
        owner: "dev@test.local",
      });
      const agent = (await authenticateApiKey(f.t.db, created.key)) as AgentPrincipal;
      const { ok, codes } = await settle(
        Array.from({ length: 30 }, () =>
          submitTask(f.t.db, agent, taskBody(ACTIONS.high), { maxOpenPerAgent: 7 }),
        ),
      );
      expect(ok).toBe(7);
      expect(codes).toEqual(Array(23).fill("limit"));
      const [open] = await execRows<{ n: number }>(
        f.t.db,
        sql`SELECT count(*)::int AS n FROM approval_requests WHERE api_key_id = ${agent.keyId} AND status = 'pending'`,
      );
      expect(open?.n).toBe(7);
    }
  });
});
