import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ruleSetVariant, shippedRuleSet } from "@/test-support/config";
import { quorum } from "./policy";
import {
  type ApprovalRequest,
  contentHash,
  effectiveAction,
  openRequest,
  sweepCommand,
} from "./request";
import { type Assessment, assess, type RuleSet } from "./risk";
import {
  type Actor,
  authorize,
  COMMAND_TYPES,
  type Command,
  type CommandType,
  type DecideResult,
  decide,
  TRANSITIONS,
} from "./state-machine";
import {
  CLOSED_STATUSES,
  type RequestStatus,
  type RiskLevel,
  ROLES,
  type Role,
  roleWords,
} from "./types";

const ruleSet = shippedRuleSet();
const T0 = new Date("2026-03-01T10:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const user = (id: string, role: Role): Actor => ({ kind: "user", id, role });
const viewer = user("vera", "viewer");
const dev = user("dan", "developer");
const lead = user("lee", "tech_lead");
const lead2 = user("lou", "tech_lead");
const ops = user("oda", "devops_engineer");
const ops2 = user("ola", "devops_engineer");
const owner = user("owner", "devops_engineer");
const agent: Actor = { kind: "agent", key_id: "key-1" };
const otherAgent: Actor = { kind: "agent", key_id: "key-2" };
const system: Actor = { kind: "system" };
const byRole: Record<Role, Actor> = {
  viewer,
  developer: dev,
  tech_lead: lead,
  devops_engineer: ops,
};

function assessmentAt(level: RiskLevel, rs: RuleSet): Assessment {
  const l = rs.levels[level];
  return {
    level,
    score: l.score.base,
    requires_approval: true,
    reasons: [],
    matched_rules: [],
    timeout_minutes: l.timeout_minutes,
    required_approvals: l.required_approvals,
    required_role: l.required_role,
    requires_justification: l.requires_justification,
    notify: l.notify,
    rule_set_version: rs.version,
  };
}

function open(level: RiskLevel = "medium", rs: RuleSet = ruleSet): ApprovalRequest {
  return openRequest(rs, {
    id: "req-1",
    workflow_id: "wf-1",
    action: { type: "deploy", environment: "staging", inputs: { version: "1.2.0" } },
    assessment: assessmentAt(level, rs),
    submitter_key_id: "key-1",
    submitter_owner_id: "owner",
    now: T0,
  }).request;
}

function ok(result: DecideResult) {
  if (!result.ok) throw new Error(`refused: ${result.error.code}: ${result.error.message}`);
  return result;
}

/** Applies steps that must all succeed; returns the request as it then stands. */
function run(request: ApprovalRequest, steps: [Command, Actor, Date][], rs: RuleSet = ruleSet) {
  return steps.reduce(
    (r, [command, actor, now]) => ok(decide(r, command, actor, now, { ruleSet: rs })).request,
    request,
  );
}

const act = (request: ApprovalRequest, command: Command, actor: Actor, now = at(1), rs = ruleSet) =>
  decide(request, command, actor, now, { ruleSet: rs });

function refused(result: DecideResult, code: string, message?: string | RegExp) {
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.code).toBe(code);
  if (message !== undefined) expect(result.error.message).toMatch(message);
}

// --------------------------------------------------------------------------------------------
// Every command from every state (SPEC §4), with an actor who may issue it.

const CANONICAL: Record<CommandType, [Command, Actor, Date]> = {
  approve: [{ type: "approve", justification: "looks right" }, ops, at(2)],
  reject: [{ type: "reject", reason: "not now" }, ops, at(2)],
  escalate: [{ type: "escalate" }, lead, at(2)],
  quarantine: [{ type: "quarantine", reason: "suspicious inputs" }, ops, at(2)],
  release: [{ type: "release" }, ops, at(2)],
  claim: [{ type: "claim", claimed_count: 0 }, ops, at(2)],
  unclaim: [{ type: "unclaim" }, ops, at(2)],
  cancel: [{ type: "cancel" }, agent, at(2)],
  expire: [{ type: "expire" }, system, at(300)],
  auto_escalate: [{ type: "auto_escalate" }, system, at(16)],
};

const pending = open("medium");
const IN_STATE: Record<RequestStatus, ApprovalRequest> = {
  pending,
  escalated: run(pending, [[{ type: "escalate" }, lead, at(1)]]),
  quarantined: run(pending, [[{ type: "quarantine", reason: "odd" }, lead, at(1)]]),
  approved: run(pending, [[{ type: "approve" }, lead, at(1)]]),
  rejected: run(pending, [[{ type: "reject", reason: "no" }, lead, at(1)]]),
  expired: run(pending, [[{ type: "expire" }, system, at(30)]]),
  cancelled: run(pending, [[{ type: "cancel" }, agent, at(1)]]),
};

type Expected = RequestStatus | "conflict";
const EXPECTED: Record<RequestStatus, Record<CommandType, Expected>> = {
  pending: {
    approve: "approved",
    reject: "rejected",
    escalate: "escalated",
    quarantine: "quarantined",
    release: "conflict",
    claim: "pending",
    unclaim: "conflict",
    cancel: "cancelled",
    expire: "expired",
    auto_escalate: "escalated",
  },
  escalated: {
    approve: "approved",
    reject: "rejected",
    escalate: "conflict",
    quarantine: "quarantined",
    release: "conflict",
    claim: "escalated",
    unclaim: "conflict",
    cancel: "cancelled",
    expire: "expired",
    auto_escalate: "conflict",
  },
  quarantined: {
    approve: "conflict",
    reject: "rejected",
    escalate: "conflict",
    quarantine: "conflict",
    release: "pending",
    claim: "conflict",
    unclaim: "conflict",
    cancel: "conflict",
    expire: "expired",
    auto_escalate: "conflict",
  },
  ...(Object.fromEntries(
    CLOSED_STATUSES.map((s) => [s, Object.fromEntries(COMMAND_TYPES.map((c) => [c, "conflict"]))]),
  ) as Record<(typeof CLOSED_STATUSES)[number], Record<CommandType, Expected>>),
};

const STATE_CASES = (Object.keys(IN_STATE) as RequestStatus[]).flatMap((status) =>
  COMMAND_TYPES.map((type): [RequestStatus, CommandType, Expected] => [
    status,
    type,
    EXPECTED[status][type],
  ]),
);

function fromState(status: RequestStatus, type: CommandType): DecideResult {
  const [command, actor, now] = CANONICAL[type];
  return decide(IN_STATE[status], command, actor, now, { ruleSet });
}

describe("every command from every state", () => {
  it.each(STATE_CASES)("%s + %s -> %s", (status, type, expected) => {
    expect(IN_STATE[status].status).toBe(status);
    const result = fromState(status, type);
    if (expected === "conflict") {
      refused(result, "conflict");
      return;
    }
    const { request: next, events } = ok(result);
    expect(next.status).toBe(expected);
    expect(events.length).toBeGreaterThan(0);
    if (next.status !== status) expect(TRANSITIONS[status]).toContain(next.status);
  });

  it("produces each transition of SPEC §4, and only those", () => {
    const observed = new Set<string>();
    for (const [status, type] of STATE_CASES) {
      const result = fromState(status, type);
      if (result.ok && result.request.status !== status)
        observed.add(`${status}->${result.request.status}`);
    }
    // A request quarantined while escalated is released back to escalated.
    const held = run(IN_STATE.escalated, [[{ type: "quarantine", reason: "x" }, ops, at(3)]]);
    observed.add(`quarantined->${ok(act(held, { type: "release" }, ops, at(4))).request.status}`);
    const allowed = Object.entries(TRANSITIONS).flatMap(([from, tos]) =>
      tos.map((to) => `${from}->${to}`),
    );
    expect([...observed].sort()).toEqual(allowed.sort());
  });

  it.each(CLOSED_STATUSES)("a %s request never changes and says why", (status) => {
    for (const type of COMMAND_TYPES) {
      refused(fromState(status, type), "conflict", `the request is already ${status}`);
    }
  });
});

// --------------------------------------------------------------------------------------------
// Who may do what, at every level: the role × level × command matrix through decide.

type Outcome = "ok" | "forbidden" | "conflict";
const MATRIX: Record<Role, Record<RiskLevel, Record<string, Outcome>>> = {} as never;
for (const role of ROLES) {
  MATRIX[role] = {} as Record<RiskLevel, Record<string, Outcome>>;
  for (const level of ["low", "medium", "high", "critical"] as const) {
    const approves =
      (role === "developer" && level === "low") ||
      (role === "tech_lead" && level !== "critical") ||
      role === "devops_engineer";
    const decision: Outcome = approves ? "ok" : "forbidden";
    MATRIX[role][level] = {
      approve: decision,
      reject: decision,
      claim: decision,
      escalate: role !== "tech_lead" ? "forbidden" : level === "critical" ? "conflict" : "ok",
      quarantine: role === "tech_lead" || role === "devops_engineer" ? "ok" : "forbidden",
      release: role === "devops_engineer" ? "ok" : "forbidden",
    };
  }
}

const MATRIX_COMMANDS: Record<string, Command> = {
  approve: { type: "approve", justification: "checked the change ticket" },
  reject: { type: "reject", reason: "wrong window" },
  claim: { type: "claim", claimed_count: 0 },
  escalate: { type: "escalate" },
  quarantine: { type: "quarantine", reason: "looks injected" },
  release: { type: "release" },
};

describe("the role × level × command matrix", () => {
  const cases = ROLES.flatMap((role) =>
    (["low", "medium", "high", "critical"] as const).flatMap((level) =>
      Object.keys(MATRIX_COMMANDS).map((c): [Role, RiskLevel, string, Outcome] => [
        role,
        level,
        c,
        MATRIX[role][level][c] as Outcome,
      ]),
    ),
  );

  it.each(cases)("%s, %s request, %s -> %s", (role, level, command, expected) => {
    const fresh = open(level);
    const request =
      command === "release"
        ? run(fresh, [[{ type: "quarantine", reason: "x" }, ops2, at(1)]])
        : fresh;
    const result = act(request, MATRIX_COMMANDS[command] as Command, byRole[role], at(2));
    if (expected === "ok") ok(result);
    else refused(result, expected);
    const permission = authorize(
      request,
      (MATRIX_COMMANDS[command] as Command).type,
      byRole[role],
      at(2),
      { ruleSet },
    );
    expect(permission?.code ?? "ok").toBe(expected);
  });
});

describe("actors", () => {
  it.each<[CommandType, Actor, string]>([
    ["approve", system, "only a reviewer may approve a request"],
    ["approve", agent, "only a reviewer may approve a request"],
    ["reject", agent, "only a reviewer may reject"],
    ["expire", ops, "only the system may expire"],
    ["auto_escalate", ops, "only the system may auto-escalate"],
    ["cancel", ops, "only the submitting agent may cancel"],
    ["cancel", system, "only the submitting agent may cancel"],
    ["cancel", otherAgent, "only the agent that submitted a request may cancel it"],
  ])("%s by %j is forbidden", (type, actor, message) => {
    const [command, , now] = CANONICAL[type];
    refused(decide(pending, command, actor, now, { ruleSet }), "forbidden", message);
  });
});

describe("approval", () => {
  it("closes a one-approval request and records who, what and under which rules", () => {
    const result = ok(act(pending, { type: "approve", justification: "  ok  " }, lead, at(3)));
    expect(result.outcome).toBe("approved");
    expect(result.request).toMatchObject({
      status: "approved",
      decided_by: "lee",
      decided_at: at(3),
      updated_at: at(3),
      approvals: [
        {
          approver_id: "lee",
          role: "tech_lead",
          content_hash: pending.content_hash,
          generation: 0,
          rule_set_version: ruleSet.version,
          justification: "ok",
          at: at(3),
        },
      ],
    });
    expect(result.events).toEqual([
      {
        type: "hitl.approved",
        at: at(3),
        actor_type: "user",
        actor_id: "lee",
        request_id: "req-1",
        workflow_id: "wf-1",
        payload: {
          from_status: "pending",
          status: "approved",
          role: "tech_lead",
          justification: "ok",
          content_hash: pending.content_hash,
          rule_set_version: ruleSet.version,
          approvals: 1,
          required_approvals: 1,
          approvers: ["lee"],
        },
      },
    ]);
  });

  it("needs two distinct people for a critical request", () => {
    const critical = open("critical");
    const first = ok(act(critical, { type: "approve", justification: "CAB-1" }, ops, at(1)));
    expect(first.outcome).toBeNull();
    expect(first.request.status).toBe("pending");
    expect(first.events.map((e) => e.type)).toEqual(["hitl.approval_recorded"]);
    expect(first.events[0]?.payload).toMatchObject({ approvals: 1, required_approvals: 2 });

    refused(
      act(first.request, { type: "approve", justification: "again" }, ops, at(2)),
      "conflict",
      "you have already approved this version of the request; one person counts once",
    );

    const second = ok(act(first.request, { type: "approve", justification: "CAB-1" }, ops2, at(3)));
    expect(second.outcome).toBe("approved");
    expect(second.request.decided_by).toBe("ola");
    expect(quorum(ruleSet.policies, second.request)).toMatchObject({
      have: 2,
      need: 2,
      met: true,
      approvers: ["oda", "ola"],
    });
  });

  it("requires the justification the level asks for", () => {
    refused(
      act(open("critical"), { type: "approve" }, ops),
      "invalid",
      "a justification is required",
    );
    refused(act(open("critical"), { type: "approve", justification: " " }, ops), "invalid");
    ok(act(open("high"), { type: "approve" }, lead));
  });

  it("four-eyes: the key's owner may not approve or claim, whatever their role", () => {
    const message = "you own the API key that submitted this request; someone else must review it";
    refused(act(pending, { type: "approve" }, owner), "forbidden", message);
    refused(act(pending, { type: "claim", claimed_count: 0 }, owner), "forbidden", message);
    ok(act(pending, { type: "reject", reason: "my agent misbehaves" }, owner));
  });

  it("one vote per person per version, even after a promotion", () => {
    const twoForHigh = ruleSetVariant([["levels.high.required_approvals", 2]]);
    const voted = run(
      open("high", twoForHigh),
      [
        [{ type: "approve" }, lead, at(1)],
        [{ type: "escalate" }, lead2, at(2)],
      ],
      twoForHigh,
    );
    const promoted = user("lee", "devops_engineer");
    refused(
      act(voted, { type: "approve" }, promoted, at(3), twoForHigh),
      "conflict",
      "already approved this version",
    );
  });

  it("checks the role the person has now, not the one they had when they voted", () => {
    const critical = run(open("critical"), [[{ type: "approve", justification: "x" }, ops, at(1)]]);
    const demoted = user("oda", "tech_lead");
    refused(
      act(critical, { type: "approve", justification: "x" }, demoted, at(2)),
      "forbidden",
      "a tech lead may not approve critical",
    );
  });

  it("is refused past the deadline: the sweeper expires it instead", () => {
    refused(
      act(pending, { type: "approve" }, lead, at(30)),
      "conflict",
      "the request expired at 2026-03-01T10:30:00.000Z",
    );
    ok(act(pending, { type: "reject", reason: "late" }, lead, at(45)));
  });

  it("is refused when the reviewer saw other content", () => {
    refused(
      act(pending, { type: "approve", seen_hash: "stale" }, lead),
      "conflict",
      "the request changed since you opened it",
    );
    ok(act(pending, { type: "approve", seen_hash: pending.content_hash }, lead));
  });
});

describe("edit, then approve", () => {
  const critical = open("critical");

  it("voids earlier approvals, counts the editor's as the first of a new round, and keeps both inputs", () => {
    const voted = run(critical, [[{ type: "approve", justification: "fine" }, ops, at(1)]]);
    const edited = ok(
      act(
        voted,
        { type: "approve", justification: "safer version", edited_inputs: { version: "1.2.1" } },
        ops2,
        at(2),
      ),
    );
    expect(edited.request).toMatchObject({
      status: "pending",
      action: { inputs: { version: "1.2.0" } },
      edited_inputs: { version: "1.2.1" },
    });
    expect(edited.request.content_hash).not.toBe(critical.content_hash);
    expect(edited.events.map((e) => e.type)).toEqual([
      "hitl.inputs_edited",
      "hitl.approval_recorded",
    ]);
    expect(edited.events[0]?.payload).toMatchObject({
      original_inputs: { version: "1.2.0" },
      previous_inputs: { version: "1.2.0" },
      edited_inputs: { version: "1.2.1" },
      previous_hash: critical.content_hash,
      content_hash: edited.request.content_hash,
      approvals_voided: ["oda"],
    });
    expect(quorum(ruleSet.policies, edited.request)).toMatchObject({ have: 1, approvers: ["ola"] });

    // The first approver saw other content; they may approve the new one.
    const done = ok(
      act(edited.request, { type: "approve", justification: "re-checked" }, ops, at(3)),
    );
    expect(done.outcome).toBe("approved");
    expect(
      done.request.approvals.map((a) => [
        a.approver_id,
        a.content_hash === done.request.content_hash,
      ]),
    ).toEqual([
      ["oda", false],
      ["ola", true],
      ["oda", true],
    ]);
  });

  it("editing back to earlier content (A-B-A) never revives an approval an edit voided", () => {
    const ops3 = user("oma", "devops_engineer");
    const v1 = critical.action.inputs as Record<string, unknown>;
    const afterA = run(critical, [[{ type: "approve", justification: "v1 ok" }, ops, at(1)]]);
    const afterB = run(afterA, [
      [{ type: "approve", justification: "v2", edited_inputs: { version: "9.9.9" } }, ops2, at(2)],
    ]);
    const back = ok(
      act(afterB, { type: "approve", justification: "back", edited_inputs: v1 }, ops3, at(3)),
    );
    expect(back.request.content_hash).toBe(critical.content_hash);
    expect(back.request.edit_generation).toBe(2);
    expect(back.outcome).toBeNull();
    expect(quorum(ruleSet.policies, back.request)).toMatchObject({
      have: 1,
      need: 2,
      approvers: ["oma"],
    });
    // The first approver may approve again, now for the generation that stands.
    const done = ok(act(back.request, { type: "approve", justification: "yes" }, ops, at(4)));
    expect(done.outcome).toBe("approved");
    expect(quorum(ruleSet.policies, done.request).approvers).toEqual(["oma", "oda"]);
    // If A makes the revert themselves, their new approval is a new vote, not a duplicate.
    const byA = ok(
      act(afterB, { type: "approve", justification: "mine", edited_inputs: v1 }, ops, at(3)),
    );
    expect(quorum(ruleSet.policies, byA.request)).toMatchObject({ have: 1, approvers: ["oda"] });
  });

  it("a second edit records the inputs it replaced", () => {
    const once = run(critical, [
      [{ type: "approve", justification: "a", edited_inputs: { version: "2" } }, ops, at(1)],
    ]);
    const twice = ok(
      act(
        once,
        { type: "approve", justification: "b", edited_inputs: { version: "3" } },
        ops2,
        at(2),
      ),
    );
    expect(twice.events[0]?.payload).toMatchObject({
      original_inputs: { version: "1.2.0" },
      previous_inputs: { version: "2" },
      edited_inputs: { version: "3" },
      approvals_voided: ["oda"],
    });
  });

  it("unchanged inputs are not an edit", () => {
    const result = ok(
      act(
        critical,
        { type: "approve", justification: "a", edited_inputs: { version: "1.2.0" } },
        ops,
      ),
    );
    expect(result.events.map((e) => e.type)).toEqual(["hitl.approval_recorded"]);
    expect(result.request.edited_inputs).toBeNull();
  });

  it("keeps its own copy of the edited inputs", () => {
    const inputs = { version: "9" };
    const result = ok(act(pending, { type: "approve", edited_inputs: inputs }, lead));
    inputs.version = "changed later";
    expect(result.request.edited_inputs).toEqual({ version: "9" });
  });

  it("an action without inputs records null as the original", () => {
    const bare = { ...pending, action: { type: "deploy" } };
    const result = ok(act(bare, { type: "approve", edited_inputs: { force: false } }, lead));
    expect(result.events[0]?.payload).toMatchObject({
      original_inputs: null,
      previous_inputs: null,
    });
  });
});

describe("rejection", () => {
  it("is a veto with a reason that goes back to the agent", () => {
    const critical = run(open("critical"), [[{ type: "approve", justification: "x" }, ops, at(1)]]);
    const result = ok(act(critical, { type: "reject", reason: "  wrong account  " }, ops2, at(2)));
    expect(result.outcome).toBe("rejected");
    expect(result.request).toMatchObject({
      status: "rejected",
      status_reason: "wrong account",
      decided_by: "ola",
    });
    expect(result.events[0]).toMatchObject({
      type: "hitl.rejected",
      payload: { reason: "wrong account", role: "devops_engineer" },
    });
  });

  it.each(["", "   "])("needs a reason (%j)", (reason) => {
    refused(
      act(pending, { type: "reject", reason }, lead),
      "invalid",
      "a reason is required to reject a request",
    );
  });

  it("a quarantined request can be rejected", () => {
    ok(act(IN_STATE.quarantined, { type: "reject", reason: "confirmed injection" }, lead));
  });
});

describe("escalation", () => {
  // High requests needing two approvals show which approvals stop counting.
  const twoForHigh = ruleSetVariant([["levels.high.required_approvals", 2]]);

  it("hands the request up; approvals by roles below the target stop counting", () => {
    const high = open("high", twoForHigh);
    const voted = run(high, [[{ type: "approve" }, lead, at(1)]], twoForHigh);
    const escalated = ok(
      act(voted, { type: "escalate", reason: " unsure " }, lead2, at(2), twoForHigh),
    );
    expect(escalated.request).toMatchObject({
      status: "escalated",
      escalated_to: "devops_engineer",
      escalated_at: at(2),
      escalation_count: 1,
    });
    expect(escalated.events[0]).toMatchObject({
      type: "hitl.escalated",
      actor_id: "lou",
      payload: {
        trigger: "manual",
        reason: "unsure",
        from_role: "tech_lead",
        to_role: "devops_engineer",
        approvals_voided: ["lee"],
        from_status: "pending",
        status: "escalated",
      },
    });
    expect(quorum(twoForHigh.policies, escalated.request).have).toBe(0);
    refused(
      act(escalated.request, { type: "approve" }, lead2, at(3), twoForHigh),
      "forbidden",
      "it was escalated to devops engineer",
    );
    const once = ok(act(escalated.request, { type: "approve" }, ops, at(3), twoForHigh));
    expect(once.request.status).toBe("escalated");
    expect(ok(act(once.request, { type: "approve" }, ops2, at(4), twoForHigh)).request.status).toBe(
      "approved",
    );
  });

  it("records no reason as null", () => {
    expect(ok(act(pending, { type: "escalate" }, lead)).events[0]?.payload.reason).toBeNull();
  });

  it.each<[string, ApprovalRequest, Actor, string, RegExp]>([
    ["by a developer", pending, dev, "forbidden", /a developer may not escalate/],
    [
      "by a devops engineer (top of the chain)",
      pending,
      ops,
      "forbidden",
      /a devops engineer may not escalate/,
    ],
    [
      "an escalated request again",
      IN_STATE.escalated,
      lead,
      "conflict",
      /already waits for devops_engineer/,
    ],
    ["a critical request", open("critical"), lead, "conflict", /already waits for devops_engineer/],
    [
      "a quarantined request",
      IN_STATE.quarantined,
      lead,
      "conflict",
      /a quarantined request cannot be escalated/,
    ],
  ])("is refused %s", (_, request, actor, code, message) => {
    refused(act(request, { type: "escalate" }, actor), code, message);
  });
});

describe("quarantine and release", () => {
  it("holds a suspicious request and stops its auto-escalation", () => {
    const result = ok(
      act(pending, { type: "quarantine", reason: "prompt injection?" }, lead, at(2)),
    );
    expect(result.request).toMatchObject({
      status: "quarantined",
      status_reason: "prompt injection?",
      auto_escalate_at: null,
    });
    expect(result.events[0]).toMatchObject({
      type: "hitl.quarantined",
      payload: { reason: "prompt injection?" },
    });
  });

  it("needs a reason", () => {
    refused(
      act(pending, { type: "quarantine", reason: "" }, lead),
      "invalid",
      "a reason is required to quarantine",
    );
  });

  it("release returns it to the queue, rescheduling auto-escalation from now", () => {
    const result = ok(
      act(IN_STATE.quarantined, { type: "release", reason: "false alarm" }, ops, at(20)),
    );
    expect(result.request).toMatchObject({
      status: "pending",
      status_reason: null,
      auto_escalate_at: at(25),
    });
    expect(result.events[0]).toMatchObject({
      type: "hitl.released",
      payload: { reason: "false alarm", status: "pending" },
    });
    expect(
      ok(act(IN_STATE.quarantined, { type: "release" }, ops, at(20))).events[0]?.payload.reason,
    ).toBeNull();
  });

  it("release is for devops only, and only of quarantined requests", () => {
    refused(
      act(IN_STATE.quarantined, { type: "release" }, lead),
      "forbidden",
      "a tech lead may not release requests",
    );
    refused(
      act(pending, { type: "release" }, ops),
      "conflict",
      "a pending request cannot be released",
    );
  });

  it("an escalated request released stays with its escalated role", () => {
    const held = run(IN_STATE.escalated, [[{ type: "quarantine", reason: "x" }, ops, at(3)]]);
    const released = run(held, [[{ type: "release" }, ops, at(4)]]);
    // Back on the escalated tab, where it stood: the escalation holds.
    expect(released).toMatchObject({ status: "escalated", escalated_to: "devops_engineer" });
    refused(act(released, { type: "approve" }, lead, at(5)), "forbidden");
  });
});

describe("claims", () => {
  it("assigns a request to a reviewer, once", () => {
    const claimed = ok(act(pending, { type: "claim", claimed_count: 3 }, lead));
    expect(claimed.request).toMatchObject({ claimed_by: "lee", claimed_at: at(1) });
    expect(claimed.events[0]).toMatchObject({
      type: "hitl.claimed",
      payload: { from_status: "pending", status: "pending" },
    });
    refused(
      act(claimed.request, { type: "claim", claimed_count: 4 }, lead),
      "conflict",
      "already claimed by you",
    );
    refused(
      act(claimed.request, { type: "claim", claimed_count: 0 }, ops),
      "conflict",
      "already claimed by someone else",
    );
    refused(
      act(claimed.request, { type: "unclaim" }, ops),
      "forbidden",
      "the request is claimed by someone else",
    );
    const released = ok(act(claimed.request, { type: "unclaim" }, lead));
    expect(released.request).toMatchObject({ claimed_by: null, claimed_at: null });
    expect(released.events[0]?.type).toBe("hitl.unclaimed");
  });

  it.each<[Role, number, boolean]>([
    ["tech_lead", 9, true],
    ["tech_lead", 10, false],
    ["devops_engineer", 19, true],
    ["devops_engineer", 20, false],
  ])("a %s holding %i may claim: %s", (role, held, allowed) => {
    const result = act(pending, { type: "claim", claimed_count: held }, byRole[role]);
    if (allowed) ok(result);
    else refused(result, "conflict", `the most a ${roleWords(role)} may hold at once`);
  });

  it("a claimed request can still be unclaimed in quarantine", () => {
    const held = run(pending, [
      [{ type: "claim", claimed_count: 0 }, lead, at(1)],
      [{ type: "quarantine", reason: "x" }, ops, at(2)],
    ]);
    ok(act(held, { type: "unclaim" }, lead, at(3)));
  });
});

describe("cancel", () => {
  it("the submitting agent withdraws its request, with an optional reason", () => {
    const result = ok(act(pending, { type: "cancel", reason: "plan changed" }, agent));
    expect(result.outcome).toBe("cancelled");
    expect(result.request).toMatchObject({
      status: "cancelled",
      status_reason: "plan changed",
      decided_by: null,
    });
    expect(result.events[0]).toMatchObject({
      type: "hitl.cancelled",
      actor_type: "agent",
      actor_id: "key-1",
    });
    expect(ok(act(pending, { type: "cancel" }, agent)).request.status_reason).toBeNull();
  });

  it("not while quarantined", () => {
    refused(
      act(IN_STATE.quarantined, { type: "cancel" }, agent),
      "conflict",
      "a quarantined request cannot be cancelled",
    );
  });
});

describe("expiry", () => {
  it("fails closed by default", () => {
    refused(
      act(pending, { type: "expire" }, system, at(29.9)),
      "conflict",
      "does not expire until 2026-03-01T10:30:00.000Z",
    );
    const result = ok(act(pending, { type: "expire" }, system, at(30)));
    expect(result.outcome).toBe("expired");
    expect(result.request).toMatchObject({
      status: "expired",
      decided_at: at(30),
      status_reason: "no decision before 2026-03-01T10:30:00.000Z",
    });
    expect(result.events[0]).toMatchObject({
      type: "hitl.expired",
      actor_type: "system",
      actor_id: null,
      payload: { expires_at: at(30) },
    });
  });

  const escalating = ruleSetVariant([
    ["levels.medium.expiry_outcome", "escalate"],
    ["levels.critical.expiry_outcome", "escalate"],
  ]);

  it("with outcome escalate, hands the request up once with a fresh timeout, then rejects", () => {
    const first = ok(
      act(open("medium", escalating), { type: "expire" }, system, at(30), escalating),
    );
    expect(first.outcome).toBeNull();
    expect(first.request).toMatchObject({
      status: "escalated",
      escalated_to: "devops_engineer",
      expires_at: at(60),
      expiry_extended: true,
      escalation_count: 1,
      auto_escalate_at: null,
    });
    expect(first.events[0]).toMatchObject({
      type: "hitl.escalated",
      payload: { trigger: "expiry", expires_at: at(60), to_role: "devops_engineer" },
    });
    refused(act(first.request, { type: "expire" }, system, at(59), escalating), "conflict");
    const second = ok(act(first.request, { type: "expire" }, system, at(60), escalating));
    expect(second.request.status).toBe("expired");
  });

  it("at the top of the chain, escalate gives the same role a fresh timeout", () => {
    const voted = run(
      open("critical", escalating),
      [[{ type: "approve", justification: "x" }, ops, at(1)]],
      escalating,
    );
    const result = ok(act(voted, { type: "expire" }, system, at(120), escalating));
    // Approvals at or above the role it now waits for keep counting.
    expect(result.events[0]?.payload.approvals_voided).toEqual([]);
    expect(quorum(escalating.policies, result.request).approvers).toEqual(["oda"]);
    expect(result.request).toMatchObject({
      status: "escalated",
      escalated_to: "devops_engineer",
      expires_at: at(240),
    });
  });

  it("a quarantined request always expires", () => {
    const held = run(
      open("medium", escalating),
      [[{ type: "quarantine", reason: "x" }, ops, at(1)]],
      escalating,
    );
    expect(ok(act(held, { type: "expire" }, system, at(30), escalating)).request.status).toBe(
      "expired",
    );
  });
});

describe("automatic escalation", () => {
  it("escalates an undecided request after half its timeout, at most max_escalations times", () => {
    expect(pending.auto_escalate_at).toEqual(at(15));
    expect(sweepCommand(pending, at(15))).toEqual({ type: "auto_escalate" });
    refused(
      act(pending, { type: "auto_escalate" }, system, at(14)),
      "conflict",
      "does not escalate until 2026-03-01T10:15:00.000Z",
    );
    const result = ok(act(pending, { type: "auto_escalate" }, system, at(15)));
    expect(result.request).toMatchObject({
      status: "escalated",
      escalated_to: "devops_engineer",
      escalation_count: 1,
      auto_escalate_at: null,
    });
    expect(result.events[0]).toMatchObject({
      type: "hitl.escalated",
      actor_type: "system",
      payload: { trigger: "timeout", from_role: "tech_lead" },
    });
    expect(sweepCommand(result.request, at(20))).toBeNull();
    refused(
      act(result.request, { type: "auto_escalate" }, system, at(20)),
      "conflict",
      "does not escalate automatically",
    );
  });

  it("is not what a request past its deadline gets", () => {
    refused(
      act(pending, { type: "auto_escalate" }, system, at(30)),
      "conflict",
      "it expires instead",
    );
  });

  it("climbs a longer chain step by step", () => {
    const chain = ruleSetVariant(
      [["levels.low.max_escalations", 2]],
      [["roles.developer.escalate_to", "tech_lead"]],
    );
    const low = open("low", chain);
    expect(low.auto_escalate_at).toEqual(at(2.5));
    const first = run(low, [[{ type: "auto_escalate" }, system, at(2.5)]], chain);
    expect(first).toMatchObject({ escalated_to: "tech_lead", auto_escalate_at: at(3.75) });
    const second = run(first, [[{ type: "auto_escalate" }, system, at(3.75)]], chain);
    expect(second).toMatchObject({
      escalated_to: "devops_engineer",
      escalation_count: 2,
      auto_escalate_at: null,
    });
  });

  it("counts only automatic escalations against max_escalations; manual ones do not use them up", () => {
    const chain = ruleSetVariant(
      [["levels.low.max_escalations", 1]],
      [["roles.developer.escalate_to", "tech_lead"]],
    );
    const low = open("low", chain);
    const manual = run(low, [[{ type: "escalate" }, dev, at(1)]], chain);
    expect(manual).toMatchObject({
      escalated_to: "tech_lead",
      escalation_count: 1,
      auto_escalation_count: 0,
    });
    // The automatic escalation is still scheduled, and happens once.
    expect(manual.auto_escalate_at).not.toBeNull();
    const auto = ok(
      act(manual, { type: "auto_escalate" }, system, manual.auto_escalate_at as Date, chain),
    );
    expect(auto.request).toMatchObject({
      escalated_to: "devops_engineer",
      escalation_count: 2,
      auto_escalation_count: 1,
      auto_escalate_at: null,
    });
  });

  it("stops quietly when the configuration changed under a waiting request", () => {
    const noChain = ruleSetVariant([], [["roles.tech_lead.escalate_to", null]]);
    const result = ok(act(pending, { type: "auto_escalate" }, system, at(15), noChain));
    expect(result.request).toMatchObject({ status: "pending", auto_escalate_at: null });
    expect(result.events).toEqual([]);
    const noMore = ruleSetVariant([["levels.medium.max_escalations", 0]]);
    expect(
      ok(act(pending, { type: "auto_escalate" }, system, at(15), noMore)).request.auto_escalate_at,
    ).toBeNull();
  });
});

describe("audit events", () => {
  it("carry the actor, the request, the workflow and the status change", () => {
    for (const type of COMMAND_TYPES) {
      const [command, actor, now] = CANONICAL[type];
      const result = decide(pending, command, actor, now, { ruleSet });
      if (!result.ok) continue;
      for (const event of result.events) {
        expect(event.at).toEqual(now);
        expect(event.request_id).toBe("req-1");
        expect(event.workflow_id).toBe("wf-1");
        expect(event.payload.from_status).toBe("pending");
        expect(event.payload.status).toBe(result.request.status);
        expect(event.actor_type).toBe(actor.kind);
      }
    }
  });
});

// --------------------------------------------------------------------------------------------
// Properties over random sequences of commands, actors and clock ticks.

const ACTORS: Actor[] = [
  viewer,
  dev,
  lead,
  lead2,
  ops,
  ops2,
  owner,
  agent,
  otherAgent,
  system,
  user("oda", "tech_lead"),
];
const RULE_SETS = [
  ruleSet,
  ruleSetVariant([
    ["levels.high.required_approvals", 2],
    ["levels.medium.expiry_outcome", "escalate"],
  ]),
  ruleSetVariant(
    [
      ["levels.critical.required_approvals", 3],
      ["levels.low.max_escalations", 2],
    ],
    [["roles.developer.escalate_to", "tech_lead"]],
  ),
];

const stepArb = fc.record({
  type: fc.constantFrom(...COMMAND_TYPES),
  actor: fc.integer({ min: 0, max: ACTORS.length - 1 }),
  minutes: fc.constantFrom(0, 0.5, 1, 5, 10, 20, 40, 90),
  flag: fc.boolean(),
  n: fc.integer({ min: 0, max: 25 }),
});
type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

function commandOf(step: Step): Command {
  switch (step.type) {
    case "approve":
      return {
        type: "approve",
        justification: step.flag ? "checked" : undefined,
        edited_inputs: step.n % 4 === 0 ? { version: `v${step.n}` } : undefined,
      };
    case "reject":
      return { type: "reject", reason: step.flag ? "no" : " " };
    case "quarantine":
      return { type: "quarantine", reason: step.flag ? "odd" : "" };
    case "claim":
      return { type: "claim", claimed_count: step.n };
    default:
      return { type: step.type };
  }
}

describe("properties", () => {
  const scenario = fc.record({
    level: fc.constantFrom<RiskLevel>("low", "medium", "high", "critical"),
    rs: fc.integer({ min: 0, max: RULE_SETS.length - 1 }),
    steps: fc.array(stepArb, { maxLength: 30 }),
  });

  it("no command leaves a closed state, and every change is a transition of SPEC §4", () => {
    fc.assert(
      fc.property(scenario, ({ level, rs, steps }) => {
        const rules = RULE_SETS[rs] as RuleSet;
        let request = open(level, rules);
        let now = T0;
        for (const step of steps) {
          now = new Date(now.getTime() + step.minutes * 60_000);
          const before = request;
          const result = decide(before, commandOf(step), ACTORS[step.actor] as Actor, now, {
            ruleSet: rules,
          });
          if (CLOSED_STATUSES.includes(before.status as never)) {
            expect(result).toMatchObject({ ok: false, error: { code: "conflict" } });
            continue;
          }
          if (!result.ok) continue;
          const next = result.request;
          if (next.status !== before.status)
            expect(TRANSITIONS[before.status]).toContain(next.status);
          expect(result.outcome).toBe(
            CLOSED_STATUSES.includes(next.status as never) ? next.status : null,
          );
          expect(result.events.length).toBeGreaterThan(0);
          expect(next.content_hash).toBe(contentHash(effectiveAction(next)));
          request = next;
        }
      }),
      { numRuns: 400 },
    );
  });

  it("an approved request always has its quorum of distinct, eligible people, none of them the key's owner", () => {
    let approvedRuns = 0;
    fc.assert(
      fc.property(scenario, ({ level, rs, steps }) => {
        const rules = RULE_SETS[rs] as RuleSet;
        let request = open(level, rules);
        let now = T0;
        for (const step of steps) {
          now = new Date(now.getTime() + step.minutes * 60_000);
          const result = decide(request, commandOf(step), ACTORS[step.actor] as Actor, now, {
            ruleSet: rules,
          });
          if (result.ok) request = result.request;
        }
        if (request.status !== "approved") return;
        approvedRuns++;
        const q = quorum(rules.policies, request);
        expect(q.met).toBe(true);
        expect(q.have).toBeGreaterThanOrEqual(request.required_approvals);
        expect(new Set(q.approvers).size).toBe(q.approvers.length);
        expect(q.approvers).not.toContain("owner");
        const counted = request.approvals.filter((a) => q.approvers.includes(a.approver_id));
        for (const a of counted) {
          expect(rules.policies[a.role].can_approve).toContain(request.risk_level);
          expect(a.at.getTime()).toBeLessThan(request.expires_at.getTime());
        }
        expect(request.decided_at?.getTime()).toBeLessThan(request.expires_at.getTime());
      }),
      { numRuns: 600 },
    );
    expect(approvedRuns).toBeGreaterThan(10);
  });
});

describe("the decisions the agent accepts back", () => {
  const only = (allowed: ApprovalRequest["allowed_decisions"]) => ({
    ...open("medium"),
    allowed_decisions: allowed,
  });

  it("refuses an edit where the agent accepts none, changing nothing", () => {
    const noEdits = only(["approve", "reject"]);
    refused(
      act(noEdits, { type: "approve", edited_inputs: { version: "9" } }, lead),
      "invalid",
      "the agent does not accept edited inputs for this action (it accepts: approve, reject)",
    );
    expect(ok(act(noEdits, { type: "approve" }, lead)).outcome).toBe("approved");
    // Re-sending the same inputs is not an edit.
    expect(
      ok(act(noEdits, { type: "approve", edited_inputs: { version: "1.2.0" } }, lead)).outcome,
    ).toBe("approved");
  });

  it("accepts only an edited approval where the agent does not accept a plain one", () => {
    const editsOnly = only(["edit", "reject"]);
    refused(
      act(editsOnly, { type: "approve" }, lead),
      "invalid",
      /accepts only an approval with edited inputs/,
    );
    expect(
      ok(act(editsOnly, { type: "approve", edited_inputs: { version: "9" } }, lead)).outcome,
    ).toBe("approved");
  });

  it("always lets a reviewer reject: stopping an agent fails closed", () => {
    expect(ok(act(only(["approve"]), { type: "reject", reason: "no" }, lead)).outcome).toBe(
      "rejected",
    );
  });
});

describe("an edit is assessed again", () => {
  const openFor = (action: ApprovalRequest["action"]) =>
    openRequest(ruleSet, {
      id: "req-edit",
      workflow_id: "wf-1",
      action,
      assessment: assess(ruleSet, action),
      submitter_key_id: "key-1",
      submitter_owner_id: "owner",
      now: T0,
    }).request;
  const payment = (inputs: Record<string, unknown>) =>
    openFor({ type: "PAYMENT.SEND", description: "Pay a supplier", inputs });

  it("raises the level and its policy when the edited action rates higher", () => {
    const small = payment({ amount: 5000 });
    expect(small.risk_level).toBe("medium");
    const edited = ok(
      act(small, { type: "approve", edited_inputs: { amount: 50_000 } }, lead, at(1)),
    );
    expect(edited.request).toMatchObject({
      risk_level: "high",
      required_role: "tech_lead",
      status: "approved",
    });
    expect(edited.events[0]?.payload).toMatchObject({
      risk_raised: {
        from: "medium",
        to: "high",
        matched_rules: expect.arrayContaining(["high-value-financial"]),
      },
    });
  });

  it("refuses an edit that raises the request beyond the editor's rights, changing nothing", () => {
    const big = payment({ amount: 50_000 });
    expect(big.risk_level).toBe("high");
    const result = act(
      big,
      {
        type: "approve",
        edited_inputs: { amount: 50_000, external: true, to: "cfo@elsewhere.example" },
      },
      lead,
      at(1),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("forbidden");
      expect(result.error.message).toMatch(/^this edit raises the request to critical risk, and /);
    }
    // Someone who may approve critical can make the same edit; it then needs a second person.
    const byOps = ok(
      act(
        big,
        {
          type: "approve",
          justification: "Checked with finance",
          edited_inputs: { amount: 50_000, external: true, to: "cfo@elsewhere.example" },
        },
        ops,
        at(1),
      ),
    );
    expect(byOps.request).toMatchObject({
      risk_level: "critical",
      required_approvals: 2,
      required_role: "devops_engineer",
      requires_justification: true,
      status: "pending",
    });
  });

  it("gives the raised level its own time from the edit, and reschedules escalation", () => {
    // high (60 min) raised to critical (120 min) at minute 50: due at 170, not at 60.
    const big = payment({ amount: 50_000 });
    expect(big.expires_at).toEqual(at(60));
    const raised = ok(
      act(
        big,
        {
          type: "approve",
          justification: "Checked with finance",
          edited_inputs: { amount: 50_000, external: true, to: "cfo@elsewhere.example" },
        },
        ops,
        at(50),
      ),
    );
    expect(raised.request).toMatchObject({
      risk_level: "critical",
      timeout_minutes: 120,
      expires_at: at(170),
    });
    expect(raised.events[0]?.payload).toMatchObject({ risk_raised: { expires_at: at(170) } });
    const critical = ruleSet.levels.critical;
    const expected =
      critical.auto_escalate_after === null ? null : at(50 + 120 * critical.auto_escalate_after);
    expect(raised.request.auto_escalate_at).toEqual(
      raised.request.auto_escalate_at === null ? null : expected,
    );
  });

  it("never shortens the time left when the raised level's timeout is shorter", () => {
    const shortCritical = ruleSetVariant([["levels.critical.timeout_minutes", 10]]);
    const big = openRequest(shortCritical, {
      id: "req-edit",
      workflow_id: "wf-1",
      action: { type: "PAYMENT.SEND", description: "Pay", inputs: { amount: 50_000 } },
      assessment: assess(shortCritical, {
        type: "PAYMENT.SEND",
        description: "Pay",
        inputs: { amount: 50_000 },
      }),
      submitter_key_id: "key-1",
      submitter_owner_id: "owner",
      now: T0,
    }).request;
    const raised = ok(
      act(
        big,
        {
          type: "approve",
          justification: "ok",
          edited_inputs: { amount: 50_000, external: true, to: "cfo@elsewhere.example" },
        },
        ops,
        at(5),
        shortCritical,
      ),
    );
    expect(raised.request).toMatchObject({ risk_level: "critical", expires_at: at(60) });
  });

  it("never lowers the level, whatever the edit", () => {
    const big = payment({ amount: 50_000 });
    const edited = ok(act(big, { type: "approve", edited_inputs: { amount: 10 } }, lead, at(1)));
    expect(edited.request.risk_level).toBe("high");
    expect(edited.events[0]?.payload).not.toHaveProperty("risk_raised");
  });
});
