import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadHitlConfig } from "@/lib/config/load";
import { can, PERMISSIONS, type Permission, permissionTable } from "./permissions";
import {
  claimLimitRefusal,
  countingApprovals,
  eligibilityRefusal,
  justificationRefusal,
  quorum,
} from "./policy";
import type { Approval, ApprovalRequest } from "./request";
import { RISK_LEVELS, type RiskLevel, ROLES, type Role, roleWords } from "./types";

const CONFIG_DIR = fileURLToPath(new URL("../../config/hitl", import.meta.url));
const { ruleSet } = loadHitlConfig({ dir: CONFIG_DIR });
const policies = ruleSet.policies;

// The shipped policy of SPEC §3.3, written out by hand so the table is tested, not restated.
const L = "low";
const M = "medium";
const H = "high";
const C = "critical";
const EXPECTED: Record<Role, Record<Permission, RiskLevel[]>> = {
  viewer: {
    view: [L, M, H, C],
    claim: [],
    approve: [],
    reject: [],
    escalate: [],
    quarantine: [],
    release: [],
    grant: [],
    manage_keys: [],
  },
  developer: {
    view: [L, M, H, C],
    claim: [L],
    approve: [L],
    reject: [L],
    escalate: [],
    quarantine: [],
    release: [],
    grant: [],
    manage_keys: [],
  },
  tech_lead: {
    view: [L, M, H, C],
    claim: [L, M, H],
    approve: [L, M, H],
    reject: [L, M, H],
    escalate: [L, M, H, C],
    quarantine: [L, M, H, C],
    release: [],
    grant: [L, M, H],
    manage_keys: [],
  },
  devops_engineer: {
    view: [L, M, H, C],
    claim: [L, M, H, C],
    approve: [L, M, H, C],
    reject: [L, M, H, C],
    escalate: [],
    quarantine: [L, M, H, C],
    release: [L, M, H, C],
    grant: [L, M, H],
    manage_keys: [L, M, H, C],
  },
};

describe("can: the full role × permission × level matrix", () => {
  const cases: [Role, Permission, RiskLevel, boolean][] = [];
  for (const role of ROLES) {
    for (const permission of PERMISSIONS) {
      for (const level of RISK_LEVELS) {
        cases.push([role, permission, level, EXPECTED[role][permission].includes(level)]);
      }
    }
  }

  it("has every cell", () => {
    expect(cases).toHaveLength(ROLES.length * PERMISSIONS.length * RISK_LEVELS.length);
  });

  it.each(cases)("%s / %s / %s -> %s", (role, permission, level, allowed) => {
    expect(can(policies, role, permission, level)).toBe(allowed);
  });

  const anyLevel = ROLES.flatMap((role) =>
    PERMISSIONS.map((p): [Role, Permission, boolean] => [role, p, EXPECTED[role][p].length > 0]),
  );
  it.each(anyLevel)("%s / %s at some level -> %s", (role, permission, allowed) => {
    expect(can(policies, role, permission)).toBe(allowed);
  });

  it("is also a plain JSON table", () => {
    expect(permissionTable(policies)).toEqual(EXPECTED);
  });
});

const T = new Date("2026-03-01T10:00:00Z");

function request(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    id: "req-1",
    workflow_id: "wf-1",
    status: "pending",
    action: { type: "deploy", environment: "production" },
    edited_inputs: null,
    content_hash: "hash-1",
    allowed_decisions: ["approve", "edit", "reject"],
    edit_generation: 0,
    risk_level: "high",
    risk_score: 0.75,
    required_approvals: 1,
    required_role: "tech_lead",
    requires_justification: false,
    timeout_minutes: 60,
    rule_set_version: ruleSet.version,
    submitter_key_id: "key-1",
    submitter_owner_id: "owner",
    escalated_to: null,
    escalated_at: null,
    escalation_count: 0,
    auto_escalation_count: 0,
    expiry_extended: false,
    claimed_by: null,
    claimed_at: null,
    approvals: [],
    grant_id: null,
    decided_by: null,
    status_reason: null,
    created_at: T,
    updated_at: T,
    expires_at: new Date(T.getTime() + 3_600_000),
    auto_escalate_at: null,
    decided_at: null,
    ...overrides,
  };
}

const approval = (
  approver_id: string,
  role: Role,
  content_hash = "hash-1",
  generation = 0,
): Approval => ({
  approver_id,
  role,
  content_hash,
  generation,
  rule_set_version: ruleSet.version,
  justification: null,
  at: T,
});

describe("eligibilityRefusal", () => {
  it.each<[string, Partial<ApprovalRequest>, Role, "approve" | "reject" | "claim", string | null]>([
    ["a tech lead approves a high request", {}, "tech_lead", "approve", null],
    [
      "a developer may not approve high",
      {},
      "developer",
      "approve",
      "a developer may not approve high-risk requests",
    ],
    [
      "a viewer may not reject",
      {},
      "viewer",
      "reject",
      "a viewer may not reject high-risk requests",
    ],
    [
      "a viewer may not claim",
      { risk_level: "low" },
      "viewer",
      "claim",
      "a viewer may not claim low-risk requests",
    ],
    [
      "escalated: a tech lead no longer may",
      { escalated_to: "devops_engineer" },
      "tech_lead",
      "approve",
      "it was escalated to devops engineer or above; you are tech lead",
    ],
    [
      "escalated: devops may",
      { escalated_to: "devops_engineer" },
      "devops_engineer",
      "approve",
      null,
    ],
    [
      "a level requiring more than the role's list says",
      { risk_level: "low", required_role: "tech_lead" },
      "developer",
      "approve",
      "its level requires tech lead or above; you are developer",
    ],
  ])("%s", (_, overrides, role, permission, message) => {
    const refusal = eligibilityRefusal(policies, request(overrides), { id: "u", role }, permission);
    expect(refusal).toEqual(message === null ? null : { code: "forbidden", message });
  });

  it("four-eyes: the key's owner may not approve or claim, but may reject", () => {
    const owner = { id: "owner", role: "devops_engineer" as const };
    const fourEyes = {
      code: "forbidden",
      message: "you own the API key that submitted this request; someone else must review it",
    };
    expect(eligibilityRefusal(policies, request(), owner, "approve")).toEqual(fourEyes);
    expect(eligibilityRefusal(policies, request(), owner, "claim")).toEqual(fourEyes);
    expect(eligibilityRefusal(policies, request(), owner, "reject")).toBeNull();
    expect(
      eligibilityRefusal(policies, request({ submitter_owner_id: null }), owner, "approve"),
    ).toBeNull();
  });
});

describe("quorum", () => {
  it.each<[string, Partial<ApprovalRequest>, string[], number]>([
    ["nobody yet", { required_approvals: 2 }, [], 2],
    [
      "two distinct people",
      {
        required_approvals: 2,
        approvals: [approval("a", "tech_lead"), approval("b", "devops_engineer")],
      },
      ["a", "b"],
      2,
    ],
    [
      "the same person twice counts once",
      {
        required_approvals: 2,
        approvals: [approval("a", "tech_lead"), approval("a", "tech_lead")],
      },
      ["a"],
      2,
    ],
    [
      "approvals of earlier content do not count",
      {
        required_approvals: 2,
        approvals: [approval("a", "tech_lead", "old"), approval("b", "tech_lead")],
      },
      ["b"],
      2,
    ],
    [
      "approvals of an earlier generation do not count, even for the same content (A-B-A)",
      {
        required_approvals: 2,
        edit_generation: 2,
        approvals: [
          approval("a", "devops_engineer", "hash-1", 0),
          approval("b", "devops_engineer", "hash-2", 1),
          approval("c", "devops_engineer", "hash-1", 2),
        ],
      },
      ["c"],
      2,
    ],
    [
      "after escalation, roles below the target stop counting",
      {
        escalated_to: "devops_engineer",
        required_approvals: 2,
        approvals: [approval("a", "tech_lead"), approval("b", "devops_engineer")],
      },
      ["b"],
      2,
    ],
    [
      "a role that cannot approve the level never counts",
      {
        risk_level: "critical",
        required_role: "tech_lead",
        approvals: [approval("a", "tech_lead")],
      },
      [],
      1,
    ],
  ])("%s", (_, overrides, approvers, need) => {
    const r = request(overrides);
    expect(quorum(policies, r)).toEqual({
      have: approvers.length,
      need,
      met: approvers.length >= need,
      role: r.escalated_to ?? r.required_role,
      approvers,
    });
    expect(countingApprovals(policies, r).map((a) => a.approver_id)).toEqual(approvers);
  });
});

describe("justificationRefusal", () => {
  it.each<[boolean, string | undefined, boolean]>([
    [false, undefined, false],
    [true, "Change window CHG-42 approved by the CAB", false],
    [true, undefined, true],
    [true, "", true],
    [true, "   \n", true],
  ])("required %s, given %j -> refused %s", (required, justification, refused) => {
    const refusal = justificationRefusal(
      request({ requires_justification: required, risk_level: "critical" }),
      justification,
    );
    expect(refusal).toEqual(
      refused
        ? {
            code: "invalid",
            message: "a justification is required to approve a critical-risk request",
          }
        : null,
    );
  });
});

describe("claimLimitRefusal: max claimed at once", () => {
  it.each<[Role, number, boolean]>([
    ["viewer", 0, true],
    ["developer", 4, false],
    ["developer", 5, true],
    ["tech_lead", 9, false],
    ["tech_lead", 10, true],
    ["devops_engineer", 19, false],
    ["devops_engineer", 20, true],
    ["devops_engineer", 25, true],
  ])("a %s holding %i -> refused %s", (role, held, refused) => {
    const refusal = claimLimitRefusal(policies, role, held);
    expect(refusal === null).toBe(!refused);
    if (refusal !== null) {
      expect(refusal.code).toBe("conflict");
      expect(refusal.message).toContain(
        `the most a ${roleWords(role)} may hold at once (${policies[role].max_claimed})`,
      );
    }
  });
});
