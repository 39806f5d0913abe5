import { sql } from "drizzle-orm";
import parsePrometheusTextFormat, { type MetricFamily } from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { execRows } from "@/db/client";
import { deliverDueOnce, OUTBOX_HANDLERS } from "@/lib/jobs/outbox-worker";
import { driveTask } from "@/lib/jobs/workflow";
import { SYSTEM } from "@/lib/services/principal";
import { sweepDueRequests } from "@/lib/services/requests/lifecycle";
import { type ApiHarness, createApiHarness } from "@/test-support/api";
import { ACTIONS, taskBody } from "@/test-support/services";

// Callbacks and webhooks go to receivers on this machine, which only "loopback" allows (SPEC
// §8.1); the environment is read once per process, so it is set before anything reads it.
vi.hoisted(() => {
  process.env.HITL_CALLBACK_ALLOWED_HOSTS = "loopback";
});

// /api/metrics parses as Prometheus text, and its figures move as a scripted day of requests
// goes through the API.
describe("metrics", () => {
  let api: ApiHarness;
  beforeAll(async () => {
    api = await createApiHarness();
  });
  afterAll(async () => {
    await api?.f.t.destroy();
  });

  async function scrape(): Promise<{ families: MetricFamily[]; text: string }> {
    const response = await api.call("GET", "/api/metrics");
    expect(response.status).toBe(200);
    return { families: parsePrometheusTextFormat(response.text), text: response.text };
  }

  /** The value of one counter or gauge sample (0 when absent). */
  function value(
    s: { families: MetricFamily[] },
    name: string,
    labels: Record<string, string> = {},
  ) {
    const family = s.families.find((f) => f.name === name);
    const sample = family?.metrics.find((m) =>
      Object.entries(labels).every(([k, v]) => m.labels?.[k] === v),
    );
    return Number(sample?.value ?? sample?.buckets?.["+Inf"] ?? 0);
  }

  /**
   * A histogram's count for one label set, read from its `_count` line: the parser merges a
   * labelled histogram's series into one.
   */
  function histogramCount(s: { text: string }, name: string, labels: string) {
    const line = s.text.split("\n").find((l) => l.startsWith(`${name}_count{${labels}}`));
    return Number(line?.split(" ").at(-1) ?? 0);
  }

  it("parses, and its counters move as requests are submitted, decided, expired and delivered", async () => {
    const lead = await api.reviewerKey("lead");
    const agent = api.f.alpha.key;
    const before = await scrape();
    const submit = async (action: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      (await api.call("POST", "/api/tasks", { key: agent, body: taskBody(action, extra) })).json;
    const decide = (id: string, verb: string, body: Record<string, unknown> = {}) =>
      api.call("POST", `/api/hitl/actions/${id}/${verb}`, { key: lead, body });

    const approved = await submit(ACTIONS.high, { callback_url: "http://127.0.0.1:9/gone" });
    expect((await decide(approved.approval_request_id, "approve")).status).toBe(200);
    const rejected = await submit(ACTIONS.medium);
    await decide(rejected.approval_request_id, "reject", { reason: "not now" });
    await submit(ACTIONS.low);
    const escalated = await submit(ACTIONS.high);
    await decide(escalated.approval_request_id, "escalate", { reason: "ops should see it" });
    const expiring = await submit(ACTIONS.high);
    await execRows(
      api.f.t.db,
      sql`UPDATE approval_requests SET expires_at = now() - interval '1 second' WHERE id = ${expiring.approval_request_id}`,
    );
    expect(await sweepDueRequests(api.f.t.db, SYSTEM)).toMatchObject({ expired: 1 });
    // The approved task's graph runs; its callback finds nobody listening and is dead at once.
    expect(await driveTask(await api.f.workflows(), approved.task_id)).toMatchObject({
      kind: "completed",
    });
    expect(
      await deliverDueOnce(api.f.t.db, {
        handlers: OUTBOX_HANDLERS,
        maxAttempts: 1,
        timeoutMs: 1000,
      }),
    ).toMatchObject({ dead: 1 });

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}) =>
      value(after, name, labels) - value(before, name, labels);

    expect(delta("airlock_requests_submitted_total", { level: "high", outcome: "pending" })).toBe(
      3,
    );
    expect(delta("airlock_requests_submitted_total", { level: "medium", outcome: "pending" })).toBe(
      1,
    );
    expect(
      delta("airlock_requests_submitted_total", { level: "low", outcome: "auto_approved" }),
    ).toBe(1);
    expect(delta("airlock_auto_approvals_total", { level: "low", by: "policy" })).toBe(1);
    expect(delta("airlock_requests_closed_total", { level: "high", outcome: "approved" })).toBe(1);
    expect(delta("airlock_requests_closed_total", { level: "medium", outcome: "rejected" })).toBe(
      1,
    );
    expect(delta("airlock_requests_closed_total", { level: "high", outcome: "expired" })).toBe(1);
    expect(delta("airlock_expiries_total", { level: "high" })).toBe(1);
    expect(delta("airlock_decisions_total", { role: "tech_lead", decision: "approve" })).toBe(1);
    expect(delta("airlock_decisions_total", { role: "tech_lead", decision: "reject" })).toBe(1);
    expect(delta("airlock_decisions_total", { role: "tech_lead", decision: "escalate" })).toBe(1);
    expect(delta("airlock_escalations_total", { level: "high", kind: "manual" })).toBe(1);
    // Waiting is timed for people's closing decisions only: the approval and the rejection.
    for (const level of ["high", "medium"]) {
      const count = (x: { text: string }) =>
        histogramCount(x, "airlock_decision_wait_seconds", `level="${level}"`);
      expect(count(after) - count(before), level).toBe(1);
    }
    expect(delta("airlock_outbox_deliveries_total", { kind: "webhook", outcome: "dead" })).toBe(1);
    expect(delta("airlock_workflow_resume_seconds")).toBe(1);
    expect(delta("airlock_http_requests_total", { route: "POST /api/tasks", status: "201" })).toBe(
      5,
    );

    // The queue's depth is the database's, not this process's memory.
    const [open] = await execRows<{ n: number }>(
      api.f.t.db,
      sql`SELECT count(*)::int AS n FROM approval_requests WHERE risk_level = 'high' AND status IN ('pending', 'escalated', 'quarantined')`,
    );
    expect(value(after, "airlock_open_requests", { level: "high" })).toBe(open?.n);
    expect(after.families.find((f) => f.name === "airlock_decision_wait_seconds")?.type).toBe(
      "HISTOGRAM",
    );
  });
});
