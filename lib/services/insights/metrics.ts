// The process's Prometheus registry (SPEC §8, served at /api/metrics): default process metrics,
// HTTP requests by route, and what happens to requests. Counters count what this instance did,
// recorded after the transaction committed (Prometheus sums the instances); the open queue's
// depth is read from the database at each scrape, so every instance reports the same.
// Kept on globalThis so every Next.js bundle that loads this module shares one registry.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { getDb } from "@/db/client";
import { countOpenByLevel } from "@/db/queries/queue";
import type { Actor, ApprovalRequest, AuditEventDraft } from "@/lib/hitl";

interface Metrics {
  registry: Registry;
  httpRequests: Counter<"route" | "method" | "status">;
  httpDuration: Histogram<"route" | "method">;
  submitted: Counter<"level" | "outcome">;
  autoApproved: Counter<"level" | "by" | "rule">;
  closed: Counter<"level" | "outcome">;
  decisions: Counter<"role" | "decision">;
  waiting: Histogram<"level">;
  expiries: Counter<"level">;
  escalations: Counter<"level" | "kind">;
  deliveries: Counter<"kind" | "channel" | "outcome">;
  resumeLatency: Histogram;
}

const key = Symbol.for("airlock.metrics");
type GlobalWithMetrics = typeof globalThis & { [key]?: Metrics };

const SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 14_400];

export function metrics(): Metrics {
  const g = globalThis as GlobalWithMetrics;
  g[key] ??= build();
  return g[key];
}

function build(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "airlock_" });
  const registers = [registry];
  new Gauge({
    name: "airlock_open_requests",
    help: "Requests waiting for people now (pending, escalated, quarantined), by risk level",
    labelNames: ["level"],
    registers,
    async collect() {
      // A scrape while the database is away leaves the last values rather than failing.
      const counts = await getDb()
        .then(({ db }) => countOpenByLevel(db))
        .catch(() => null);
      if (!counts) return;
      this.reset();
      for (const level of ["low", "medium", "high", "critical"]) {
        this.set({ level }, counts[level] ?? 0);
      }
    },
  });
  const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
    new Counter<L>({ name, help, labelNames, registers });
  return {
    registry,
    httpRequests: counter(
      "airlock_http_requests_total",
      "API requests by route, method and status",
      ["route", "method", "status"],
    ),
    httpDuration: new Histogram({
      name: "airlock_http_request_duration_seconds",
      help: "API request duration by route",
      labelNames: ["route", "method"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    submitted: counter(
      "airlock_requests_submitted_total",
      "Submitted requests by risk level and how they started (pending, auto_approved)",
      ["level", "outcome"],
    ),
    autoApproved: counter(
      "airlock_auto_approvals_total",
      "Requests approved on arrival, by risk level, by what (policy or grant) and first rule",
      ["level", "by", "rule"],
    ),
    closed: counter(
      "airlock_requests_closed_total",
      "Requests that closed after waiting, by risk level and outcome",
      ["level", "outcome"],
    ),
    decisions: counter(
      "airlock_decisions_total",
      "Reviewers' decisions by their role and the decision",
      ["role", "decision"],
    ),
    waiting: new Histogram({
      name: "airlock_decision_wait_seconds",
      help: "Time from submit to a person's closing decision, by risk level",
      labelNames: ["level"],
      buckets: SECONDS,
      registers,
    }),
    expiries: counter(
      "airlock_expiries_total",
      "Requests that expired undecided (failed closed), by risk level",
      ["level"],
    ),
    escalations: counter(
      "airlock_escalations_total",
      "Escalations by risk level, by a reviewer (manual) or by the sweeper (automatic)",
      ["level", "kind"],
    ),
    deliveries: counter(
      "airlock_outbox_deliveries_total",
      "Outbox delivery attempts by kind, channel and outcome (delivered, retry, dead, deferred)",
      ["kind", "channel", "outcome"],
    ),
    resumeLatency: new Histogram({
      name: "airlock_workflow_resume_seconds",
      help: "Time from a request's closing to its task's graph completing",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
  };
}

const DECISION_OF: Partial<Record<string, string>> = {
  // An approval that completes the quorum is "approved", one that does not "recorded".
  "hitl.approval_recorded": "approve",
  "hitl.approved": "approve",
  "hitl.rejected": "reject",
  "hitl.escalated": "escalate",
  "hitl.quarantined": "quarantine",
  "hitl.released": "release",
  "hitl.inputs_edited": "edit",
  "hitl.cancelled": "cancel",
};

/** A transition that committed: the request before and after, its events, who made it. */
export interface Transition {
  before: ApprovalRequest;
  after: ApprovalRequest;
  events: readonly AuditEventDraft[];
  actor: Actor;
}

export function recordTransitions(transitions: readonly Transition[]): void {
  const m = metrics();
  for (const { before, after, events, actor } of transitions) {
    const level = after.risk_level;
    if (actor.kind === "user") {
      for (const e of events) {
        const decision = DECISION_OF[e.type];
        if (decision) m.decisions.inc({ role: actor.role, decision });
      }
    }
    if (after.escalation_count > before.escalation_count) {
      m.escalations.inc({ level, kind: actor.kind === "system" ? "automatic" : "manual" });
    }
    const closedNow = before.decided_at === null && after.decided_at !== null;
    if (!closedNow) continue;
    m.closed.inc({ level, outcome: after.status });
    if (after.status === "expired") m.expiries.inc({ level });
    if (actor.kind === "user" && after.decided_at) {
      m.waiting.observe(
        { level },
        (after.decided_at.getTime() - after.created_at.getTime()) / 1000,
      );
    }
  }
}

export function recordSubmit(submitted: {
  level: string;
  autoApproved: boolean;
  byGrant: boolean;
  rule: string | undefined;
}): void {
  const m = metrics();
  m.submitted.inc({
    level: submitted.level,
    outcome: submitted.autoApproved ? "auto_approved" : "pending",
  });
  if (submitted.autoApproved) {
    m.autoApproved.inc({
      level: submitted.level,
      by: submitted.byGrant ? "grant" : "policy",
      rule: submitted.rule ?? "none",
    });
  }
}

export function recordDelivery(kind: string, channel: string | null, outcome: string): void {
  metrics().deliveries.inc({ kind, channel: channel ?? "", outcome });
}
