import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ruleSetVariant, shippedRuleSet } from "@/test-support/config";
import {
  contentHash,
  effectiveAction,
  escalationTarget,
  nextAutoEscalation,
  openRequest,
  sweepCommand,
} from "./request";
import { assess } from "./risk";
import type { Action } from "./types";

const ruleSet = shippedRuleSet();
const T0 = new Date("2026-03-01T10:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

function open(action: Action, grant_id?: string | null, rs = ruleSet) {
  return openRequest(rs, {
    id: "req-1",
    workflow_id: "wf-1",
    action,
    assessment: assess(rs, action),
    submitter_key_id: "key-1",
    submitter_owner_id: "owner",
    now: T0,
    grant_id,
  });
}

describe("openRequest", () => {
  it("opens a pending request with the level's policy, deadline and escalation time", () => {
    const action: Action = { type: "deploy", environment: "staging", inputs: { version: "1.2.0" } };
    const { request, events } = open(action);
    expect(request).toMatchObject({
      status: "pending",
      risk_level: "medium",
      risk_score: 0.5,
      required_approvals: 1,
      required_role: "tech_lead",
      requires_justification: false,
      timeout_minutes: 30,
      rule_set_version: ruleSet.version,
      content_hash: contentHash(action),
      expires_at: at(30),
      auto_escalate_at: at(15),
      decided_at: null,
      approvals: [],
      escalated_to: null,
      escalation_count: 0,
      grant_id: null,
    });
    expect(events).toEqual([
      {
        type: "hitl.approval_requested",
        at: T0,
        actor_type: "agent",
        actor_id: "key-1",
        request_id: "req-1",
        workflow_id: "wf-1",
        payload: {
          action,
          content_hash: request.content_hash,
          risk: {
            level: "medium",
            score: 0.5,
            reasons: ["Deploys to staging"],
            matched_rules: ["staging-deploy"],
          },
          requires_approval: true,
          required_approvals: 1,
          required_role: "tech_lead",
          expires_at: at(30),
          rule_set_version: ruleSet.version,
        },
      },
    ]);
  });

  it("stores an auto-approved action as approved by the system", () => {
    const { request, events } = open({ type: "CRM.GET_CONTACT" });
    expect(request).toMatchObject({
      status: "approved",
      decided_by: null,
      decided_at: T0,
      auto_escalate_at: null,
    });
    expect(events.map((e) => [e.type, e.actor_type])).toEqual([
      ["hitl.approval_requested", "agent"],
      ["hitl.auto_approved", "system"],
    ]);
    expect(events[0]?.payload.requires_approval).toBe(false);
    expect(events[0]?.payload.expires_at).toBeNull();
    expect(events[1]?.payload).toEqual({ grant_id: null, level: "low" });
  });

  it("approves on arrival under a standing approval, recording it", () => {
    const { request, events } = open({ type: "deploy", environment: "staging" }, "grant-7");
    expect(request).toMatchObject({ status: "approved", grant_id: "grant-7" });
    expect(events[1]).toMatchObject({
      type: "hitl.auto_approved",
      payload: { grant_id: "grant-7", level: "medium" },
    });
  });

  it.each([
    ["critical: devops is the top of the chain", { type: "COMMUNICATION.SEND_EMAIL" }, null],
    ["high: tech lead hands up to devops", { type: "DOCUMENT.GENERATE_NDA" }, at(30)],
  ])("schedules auto-escalation (%s)", (_, action, expected) => {
    expect(open(action).request.auto_escalate_at).toEqual(expected);
  });
});

describe("nextAutoEscalation", () => {
  const base = open({ type: "deploy", environment: "staging" }).request;

  it.each([
    [
      "disabled for the level",
      ruleSetVariant([["levels.medium.auto_escalate_after", null]]),
      base,
      null,
    ],
    ["no escalations allowed", ruleSetVariant([["levels.medium.max_escalations", 0]]), base, null],
    [
      "already escalated automatically once",
      ruleSet,
      { ...base, escalation_count: 1, auto_escalation_count: 1 },
      null,
    ],
    [
      "escalated by hand only: automatic escalations remain",
      ruleSet,
      { ...base, escalation_count: 1 },
      at(15),
    ],
    [
      "nobody to hand up to",
      ruleSetVariant([], [["roles.tech_lead.escalate_to", null]]),
      base,
      null,
    ],
    ["past the deadline", ruleSet, { ...base, expires_at: T0 }, null],
    [
      "a share of the time left",
      ruleSetVariant([["levels.medium.auto_escalate_after", 0.25]]),
      base,
      at(7.5),
    ],
  ])("%s", (_, rs, request, expected) => {
    expect(nextAutoEscalation(rs, request, T0)).toEqual(expected);
  });

  it("counts from a later start, over the time left", () => {
    expect(nextAutoEscalation(ruleSet, base, at(10))).toEqual(at(20));
  });
});

describe("escalationTarget", () => {
  it.each([
    ["developer", null],
    ["tech_lead", "devops_engineer"],
    ["devops_engineer", null],
    ["viewer", null],
  ] as const)("%s -> %s", (role, target) => {
    expect(escalationTarget(ruleSet, role)).toBe(target);
  });
});

describe("sweepCommand", () => {
  const pending = open({ type: "deploy", environment: "staging" }).request;

  it.each([
    ["nothing yet", pending, at(14), null],
    ["auto-escalate at the share", pending, at(15), { type: "auto_escalate" }],
    ["expire at the deadline", pending, at(30), { type: "expire" }],
    ["expire long after", pending, at(3000), { type: "expire" }],
    [
      "a quarantined request does not escalate",
      { ...pending, status: "quarantined" as const },
      at(20),
      null,
    ],
    [
      "a quarantined request still expires",
      { ...pending, status: "quarantined" as const },
      at(30),
      { type: "expire" },
    ],
    [
      "an escalated request expires",
      { ...pending, status: "escalated" as const, auto_escalate_at: null },
      at(31),
      { type: "expire" },
    ],
    ["a closed request: nothing", { ...pending, status: "approved" as const }, at(3000), null],
    ["no schedule", { ...pending, auto_escalate_at: null }, at(20), null],
  ])("%s", (_, request, now, expected) => {
    expect(sweepCommand(request, now)).toEqual(expected);
  });
});

describe("contentHash", () => {
  it("binds the fields a reviewer sees, in any key order, and nothing else", () => {
    const action: Action = { type: "PAY", inputs: { amount: 5, to: "x" }, context: { a: 1 } };
    const hash = contentHash(action);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash({ context: { a: 1 }, inputs: { to: "x", amount: 5 }, type: "PAY" })).toBe(
      hash,
    );
    expect(contentHash({ ...action, extra: "ignored" } as Action)).toBe(hash);
    expect(contentHash({ ...action, inputs: { amount: 6, to: "x" } })).not.toBe(hash);
    expect(contentHash({ ...action, description: "d" })).not.toBe(hash);
  });

  it("differs whenever any input differs", () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (x, y) => {
        fc.pre(JSON.stringify(x) !== JSON.stringify(y));
        return (
          contentHash({ type: "t", inputs: { x } }) !== contentHash({ type: "t", inputs: { x: y } })
        );
      }),
    );
  });
});

describe("effectiveAction", () => {
  it("applies edited inputs over the original action", () => {
    const action: Action = { type: "PAY", inputs: { amount: 5 } };
    expect(effectiveAction({ action, edited_inputs: null })).toBe(action);
    expect(effectiveAction({ action, edited_inputs: { amount: 4 } })).toEqual({
      type: "PAY",
      inputs: { amount: 4 },
    });
  });
});
