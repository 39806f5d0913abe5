// The insights' numbers, exact, from a small history written by hand through the domain core
// (lib/demo/history.ts): volume per level and bucket, the edges of each window, median and
// 90th percentile of the time people took, the expiry rate, outcomes per agent and the busiest
// reviewers. Then the demo's history: closed requests only, a chain that verifies, written once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAuditEvents } from "@/db/queries/audit";
import type { InsightsDto } from "@/lib/contract/insights";
import { type HistoryItem, type HistoryStep, writeHistory } from "@/lib/demo/history";
import { DEMO_HISTORY_EVENT, seedDemoHistory } from "@/lib/demo/traffic";
import { verifyAuditLog } from "@/lib/services/audit/audit";
import { submitTask } from "@/lib/services/requests/lifecycle";
import { getQueue } from "@/lib/services/requests/queue";
import {
  ACTIONS,
  createFixture,
  type Fixture,
  type Person,
  refusalOf,
  sealEverything,
  TEST_OPERATOR,
  taskBody,
} from "@/test-support/services";
import { getInsights } from "./insights";

// A fixed instant, long before the machine's clock: the history is dated against it.
const NOW = new Date("2025-06-15T12:30:00.000Z");
const HOUR = 3_600_000;
const MINUTE = 60_000;
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR);
const later = (from: Date, minutes: number) => new Date(from.getTime() + minutes * MINUTE);

describe("insights", () => {
  let f: Fixture;
  const at = (window: "24h" | "7d" | "30d") =>
    getInsights(f.t.db, f.as.viewer, { window }, { now: NOW });

  beforeAll(async () => {
    f = await createFixture();
    const person = (p: Person) => ({
      id: f.users[p].id,
      role: f.users[p].role as "tech_lead" | "devops_engineer",
    });
    const alpha = { id: f.alpha.keyId, ownerId: f.alpha.ownerId, agent: "alpha" };
    const beta = { id: f.beta.keyId, ownerId: f.beta.ownerId, agent: "beta" };
    const approve = (p: Person, when: Date, justification?: string): HistoryStep => ({
      at: when,
      by: [person(p)],
      command: { type: "approve", justification },
    });
    const reject = (p: Person, when: Date): HistoryStep => ({
      at: when,
      by: [person(p)],
      command: { type: "reject", reason: "not now" },
    });
    const item = (
      key: HistoryItem["key"],
      agentName: string,
      action: HistoryItem["action"],
      createdAt: Date,
      steps: (created: Date) => HistoryStep[] = () => [],
    ): HistoryItem => ({ key, agentName, action, createdAt, steps: steps(createdAt) });
    const week = new Date(NOW.getTime() - 7 * 24 * HOUR);
    await writeHistory(f.t.db, TEST_OPERATOR, [
      // feature-dev (agent alpha)
      item(alpha, "feature-dev", ACTIONS.low, ago(1)),
      item(alpha, "feature-dev", ACTIONS.low, ago(30)),
      item(alpha, "feature-dev", ACTIONS.medium, ago(2), (c) => [approve("lead", later(c, 4))]),
      item(alpha, "feature-dev", ACTIONS.medium, ago(3), (c) => [approve("lead2", later(c, 10))]),
      item(alpha, "feature-dev", ACTIONS.medium, ago(50), (c) => [reject("lead", later(c, 2))]),
      // Nobody looks: escalated at 15 minutes, expired at 30.
      item(alpha, "feature-dev", ACTIONS.medium, ago(5)),
      // On the 7-day window's first instant, and just before it.
      item(alpha, "feature-dev", ACTIONS.low, week),
      item(alpha, "feature-dev", ACTIONS.low, new Date(week.getTime() - 1)),
      // ops-bot (agent beta)
      item(beta, "ops-bot", ACTIONS.high, ago(4), (c) => [approve("ops", later(c, 20))]),
      item(beta, "ops-bot", ACTIONS.high, ago(26), (c) => [approve("lead", later(c, 6))]),
      item(beta, "ops-bot", ACTIONS.high, ago(100)),
      item(beta, "ops-bot", ACTIONS.critical, ago(6), (c) => [
        approve("ops", later(c, 30), "checked the recipient"),
        approve("ops2", later(c, 50), "agreed"),
      ]),
      item(beta, "ops-bot", ACTIONS.critical, ago(72), (c) => [reject("ops3", later(c, 15))]),
      item(beta, "ops-bot", ACTIONS.medium, ago(8), (c) => [
        { at: later(c, 5), by: "agent", command: { type: "cancel", reason: "superseded" } },
      ]),
      // Eight days ago: in the 30-day window only.
      item(beta, "ops-bot", ACTIONS.high, ago(8 * 24), (c) => [approve("lead", later(c, 1))]),
    ]);
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  describe("over 7 days", () => {
    let r: InsightsDto;
    beforeAll(async () => {
      r = await at("7d");
    });

    it("counts every request created, by level, in UTC days from the window's first", () => {
      expect(r).toMatchObject({
        window: "7d",
        bucket: "day",
        from: "2025-06-08T12:30:00.000Z",
        to: "2025-06-15T12:30:00.000Z",
      });
      expect(r.volume.by_level).toEqual({ low: 3, medium: 5, high: 3, critical: 2 });
      expect(r.volume.total).toBe(13);
      expect(r.volume.series.map((b) => b.start)).toEqual(
        [8, 9, 10, 11, 12, 13, 14, 15].map(
          (d) => `2025-06-${String(d).padStart(2, "0")}T00:00:00.000Z`,
        ),
      );
      expect(r.volume.series.reduce((sum, b) => sum + b.total, 0)).toBe(13);
      // The request on the window's first instant is in; the one a millisecond before is not.
      expect(r.volume.series[0]).toMatchObject({ low: 1, total: 1 });
      // 15 June: 12:30 minus 1..8 hours (the low, three mediums, a high, a critical, a cancel).
      expect(r.volume.series[7]).toEqual({
        start: "2025-06-15T00:00:00.000Z",
        low: 1,
        medium: 4,
        high: 1,
        critical: 1,
        total: 7,
      });
    });

    it("gives the median and 90th percentile of the time people took, per level", () => {
      expect(r.decision_time.by_level).toEqual([
        { level: "low", decided: 0, p50_seconds: null, p90_seconds: null },
        // 120, 240, 600 s
        { level: "medium", decided: 3, p50_seconds: 240, p90_seconds: 528 },
        // 360, 1200 s
        { level: "high", decided: 2, p50_seconds: 780, p90_seconds: 1116 },
        // 900, 3000 s (the second of two approvals decides)
        { level: "critical", decided: 2, p50_seconds: 1950, p90_seconds: 2790 },
      ]);
      // 120, 240, 360, 600, 900, 1200, 3000 s
      expect(r.decision_time.overall).toEqual({ decided: 7, p50_seconds: 600, p90_seconds: 1920 });
    });

    it("counts the requests approved on arrival apart, and out of the expiry rate", () => {
      expect(r.closed).toEqual({ total: 13, auto_approved: 3 });
      expect(r.expiry.overall).toEqual({ closed: 10, expired: 2, rate: 0.2 });
      expect(r.expiry.by_level).toEqual([
        { level: "low", closed: 0, expired: 0, rate: null },
        { level: "medium", closed: 5, expired: 1, rate: 0.2 },
        { level: "high", closed: 3, expired: 1, rate: 1 / 3 },
        { level: "critical", closed: 2, expired: 0, rate: 0 },
      ]);
    });

    it("gives each agent's outcomes, the busiest first", () => {
      expect(r.agents).toEqual({
        total: 2,
        items: [
          {
            agent_name: "feature-dev",
            approved: 2,
            auto_approved: 3,
            rejected: 1,
            expired: 1,
            cancelled: 0,
            total: 7,
          },
          {
            agent_name: "ops-bot",
            approved: 3,
            auto_approved: 0,
            rejected: 1,
            expired: 1,
            cancelled: 1,
            total: 6,
          },
        ],
      });
    });

    it("ranks people by approvals given (every vote) and rejections", () => {
      expect(r.reviewers.total).toBe(5);
      expect(
        r.reviewers.items.map(({ email, role, approvals, rejections, total }) => ({
          email,
          role,
          approvals,
          rejections,
          total,
        })),
      ).toEqual([
        { email: "lead@test.local", role: "tech_lead", approvals: 2, rejections: 1, total: 3 },
        { email: "ops@test.local", role: "devops_engineer", approvals: 2, rejections: 0, total: 2 },
        { email: "lead2@test.local", role: "tech_lead", approvals: 1, rejections: 0, total: 1 },
        {
          email: "ops2@test.local",
          role: "devops_engineer",
          approvals: 1,
          rejections: 0,
          total: 1,
        },
        {
          email: "ops3@test.local",
          role: "devops_engineer",
          approvals: 0,
          rejections: 1,
          total: 1,
        },
      ]);
      expect(r.reviewers.items[0]?.user_id).toBe(f.users.lead.id);
    });
  });

  it("over 24 hours, counts per hour, both partial hours at the ends included", async () => {
    const r = await at("24h");
    expect(r.bucket).toBe("hour");
    expect(r.volume.series).toHaveLength(25);
    expect(r.volume.series[0]?.start).toBe("2025-06-14T12:00:00.000Z");
    expect(r.volume.series.at(-1)?.start).toBe("2025-06-15T12:00:00.000Z");
    expect(r.volume.by_level).toEqual({ low: 1, medium: 4, high: 1, critical: 1 });
    const hourly = Object.fromEntries(
      r.volume.series.filter((b) => b.total > 0).map((b) => [b.start.slice(11, 16), b.total]),
    );
    expect(hourly).toEqual({
      "04:00": 1,
      "06:00": 1,
      "07:00": 1,
      "08:00": 1,
      "09:00": 1,
      "10:00": 1,
      "11:00": 1,
    });
    expect(r.decision_time.overall).toMatchObject({ decided: 4 });
    // Ties in byte order of the email, whatever the database's collation.
    expect(r.reviewers.items.map((p) => p.email)).toEqual([
      "ops@test.local",
      "lead2@test.local",
      "lead@test.local",
      "ops2@test.local",
    ]);
  });

  it("over 30 days, takes in the older history", async () => {
    const r = await at("30d");
    expect(r.volume.total).toBe(15);
    expect(r.volume.series).toHaveLength(31);
    expect(r.decision_time.by_level[2]).toEqual({
      level: "high",
      decided: 3,
      p50_seconds: 360,
      p90_seconds: 1032,
    });
    expect(r.agents.items.map((a) => [a.agent_name, a.total])).toEqual([
      ["feature-dev", 8],
      ["ops-bot", 7],
    ]);
  });

  it("is empty where nothing happened", async () => {
    const r = await getInsights(f.t.db, f.as.lead, { window: "24h" }, { now: ago(24 * 365) });
    expect(r.volume.total).toBe(0);
    expect(r.volume.series.every((b) => b.total === 0)).toBe(true);
    expect(r.closed).toEqual({ total: 0, auto_approved: 0 });
    expect(r.decision_time.overall).toEqual({ decided: 0, p50_seconds: null, p90_seconds: null });
    expect(r.expiry.overall).toEqual({ closed: 0, expired: 0, rate: null });
    expect(r.agents).toEqual({ items: [], total: 0 });
    expect(r.reviewers).toEqual({ items: [], total: 0 });
  });

  it("counts an open request in the volume, and in nothing that needs it closed", async () => {
    await submitTask(f.t.db, f.alpha, taskBody(ACTIONS.high, { workflow_id: "wf-open" }));
    const r = await getInsights(f.t.db, f.as.viewer, { window: "24h" });
    expect(r.volume.by_level.high).toBe(1);
    expect(r.closed.total).toBe(0);
    expect(r.agents.total).toBe(0);
  });

  it("defaults to 7 days and refuses another window, naming the field", async () => {
    expect((await getInsights(f.t.db, f.as.viewer, {}, { now: NOW })).window).toBe("7d");
    const bad = await refusalOf(getInsights(f.t.db, f.as.viewer, { window: "1y" as "7d" }));
    expect(bad.code).toBe("invalid");
    expect(bad.details).toEqual([{ path: "window", message: "expected one of 24h, 7d, 30d" }]);
    const extra = await refusalOf(
      getInsights(f.t.db, f.as.viewer, { window: "7d", limit: 5 } as { window: "7d" }),
    );
    expect(extra.code).toBe("invalid");
  });

  it("is for people and the operator, not agents", async () => {
    expect((await refusalOf(getInsights(f.t.db, f.alpha, {}))).code).toBe("forbidden");
    expect((await getInsights(f.t.db, TEST_OPERATOR, {}, { now: NOW })).volume.total).toBe(13);
  });

  it("writes a history only for the operator, and only what the core allows", async () => {
    expect((await refusalOf(writeHistory(f.t.db, f.as.ops, []))).code).toBe("forbidden");
    const developer = { id: f.users.dev.id, role: "developer" as const };
    const item: HistoryItem = {
      key: { id: f.beta.keyId, ownerId: f.beta.ownerId, agent: "beta" },
      agentName: "ops-bot",
      action: ACTIONS.high,
      createdAt: ago(2),
      steps: [{ at: ago(1.9), by: [developer], command: { type: "approve" } }],
    };
    await expect(writeHistory(f.t.db, TEST_OPERATOR, [item])).rejects.toThrow(
      /deploy at .*: approve refused \(.*developer.*\)/,
    );
  });
});

describe("the demo's history", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await createFixture();
  });
  afterAll(async () => {
    await f?.t.destroy();
  });

  it("writes closed requests only, once, and the audit chain verifies", async () => {
    const reviewer = (p: Person) => ({
      id: f.users[p].id,
      role: f.users[p].role as "developer" | "tech_lead" | "devops_engineer",
    });
    const options = {
      key: { id: f.beta.keyId, ownerId: f.beta.ownerId, agent: "beta" },
      people: {
        developer: reviewer("dev"),
        lead: reviewer("lead"),
        ops: reviewer("ops"),
        ops2: reviewer("ops2"),
      },
    };
    const written = await seedDemoHistory(f.t.db, options);
    expect(written).toBeGreaterThan(300);
    expect(await seedDemoHistory(f.t.db, options)).toBe(0);

    const queue = await getQueue(f.t.db, f.as.ops, {});
    expect(queue.items).toHaveLength(0);

    const r = await getInsights(f.t.db, f.as.viewer, { window: "30d" });
    expect(r.closed.total).toBe(written);
    for (const level of ["low", "medium", "high", "critical"] as const) {
      expect(r.volume.by_level[level]).toBeGreaterThan(0);
    }
    expect(r.closed.auto_approved).toBeGreaterThan(0);
    expect(r.expiry.overall.expired).toBeGreaterThan(0);
    expect(r.agents.total).toBe(5);
    const people = ["dev@test.local", "lead@test.local", "ops@test.local", "ops2@test.local"];
    expect(r.reviewers.total).toBeGreaterThanOrEqual(3);
    for (const p of r.reviewers.items) expect(people).toContain(p.email);

    await sealEverything(f.t.db);
    const report = await verifyAuditLog(f.t.db, TEST_OPERATOR);
    expect(report).toMatchObject({ ok: true, unsealed: { count: 0 } });
    expect(await listAuditEvents(f.t.db, { type: DEMO_HISTORY_EVENT, limit: 5 })).toHaveLength(1);
  });
});
