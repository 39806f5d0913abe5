import { describe, expect, it } from "vitest";
import { ruleSetVariant, shippedRuleSet } from "@/test-support/config";
import {
  createGrant,
  type Grant,
  type GrantInput,
  isGrantActive,
  matchGrant,
  revokeGrant,
} from "./grants";
import type { Reviewer } from "./policy";
import type { Action, RiskLevel, Role } from "./types";
import { GRANT_LIMITS } from "./types";

const ruleSet = shippedRuleSet();
const T0 = new Date("2026-03-01T10:00:00Z");
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

const lead: Reviewer = { id: "lee", role: "tech_lead" };
const ops: Reviewer = { id: "oda", role: "devops_engineer" };

const INPUT: GrantInput = {
  agent: "deploy-bot",
  type_pattern: "DEPLOY*",
  environment: "staging",
  max_uses: 20,
  expires_in_minutes: 120,
  reason: "release day",
};

function grant(overrides: Partial<GrantInput> = {}, by: Reviewer = lead, id = "g-1"): Grant {
  const result = createGrant(ruleSet, by, { ...INPUT, ...overrides }, T0, id);
  if (!result.ok) throw new Error(result.error.message);
  return result.grant;
}

describe("createGrant", () => {
  it("creates a scoped, time-boxed grant within the grantor's rights, and audits it", () => {
    const result = createGrant(
      ruleSet,
      lead,
      { ...INPUT, agent: " deploy-bot ", agent_name: " feature-dev " },
      T0,
      "g-1",
    );
    expect(result).toEqual({
      ok: true,
      grant: {
        id: "g-1",
        grantor_id: "lee",
        grantor_role: "tech_lead",
        agent: "deploy-bot",
        agent_name: "feature-dev",
        type_pattern: "DEPLOY*",
        environment: "staging",
        max_level: "high",
        max_uses: 20,
        uses: 0,
        reason: "release day",
        created_at: T0,
        expires_at: at(120),
        revoked_at: null,
        revoked_by: null,
      },
      events: [
        {
          type: "hitl.grant_created",
          at: T0,
          actor_type: "user",
          actor_id: "lee",
          request_id: null,
          workflow_id: null,
          payload: expect.objectContaining({
            grant_id: "g-1",
            agent: "deploy-bot",
            max_level: "high",
          }),
        },
      ],
    });
  });

  it("never covers critical, even for devops", () => {
    expect(grant({}, ops).max_level).toBe("high");
  });

  it.each<[Role, string]>([
    ["viewer", "a viewer may not grant standing approvals"],
    ["developer", "a developer may not grant standing approvals"],
  ])("refuses a %s", (role, message) => {
    expect(createGrant(ruleSet, { id: "x", role }, INPUT, T0, "g")).toEqual({
      ok: false,
      error: { code: "forbidden", message },
    });
  });

  it.each<[string, Partial<GrantInput>, string]>([
    ["a blank agent", { agent: " " }, "agent: the agent's name is required"],
    ["a bad pattern", { type_pattern: "DEPLOY[" }, 'type_pattern: unsupported character "["'],
    ["an empty pattern", { type_pattern: "" }, "type_pattern: a pattern must not be empty"],
    ["zero uses", { max_uses: 0 }, "max_uses: a whole number from 1 to 10000"],
    ["too many uses", { max_uses: GRANT_LIMITS.maxUses + 1 }, "max_uses"],
    ["fractional uses", { max_uses: 1.5 }, "max_uses"],
    ["no time", { expires_in_minutes: 0 }, "expires_in_minutes: a whole number from 1 to 10080"],
    ["more than a week", { expires_in_minutes: GRANT_LIMITS.maxMinutes + 1 }, "expires_in_minutes"],
    ["no reason", { reason: "  " }, "reason: a reason is required"],
    [
      "a level above the grantor's",
      { max_level: "critical" as const },
      "max_level: a tech lead's standing approvals cover up to high risk",
    ],
  ])("refuses %s", (_, overrides, message) => {
    const result = createGrant(ruleSet, lead, { ...INPUT, ...overrides }, T0, "g");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe("invalid");
      expect(result.error.message).toContain(message);
    }
  });

  it("covers a lower level than the grantor's when asked, and only up to it", () => {
    const medium = grant({ max_level: "medium" });
    expect(medium.max_level).toBe("medium");
    const candidate = (level: RiskLevel) => ({
      agent: "deploy-bot",
      agent_name: "feature-dev",
      action: { type: "DEPLOY_SERVICE", environment: "staging" } as Action,
      level,
      submitter_owner_id: "someone-else",
    });
    const roles = new Map([[lead.id, lead.role]]);
    expect(matchGrant(ruleSet, [medium], candidate("medium"), at(1), roles)).not.toBeNull();
    expect(matchGrant(ruleSet, [medium], candidate("high"), at(1), roles)).toBeNull();
  });

  it("leaves optional scopes open when not given", () => {
    expect(grant({ environment: undefined, agent_name: null })).toMatchObject({
      environment: null,
      agent_name: null,
    });
  });
});

describe("revokeGrant", () => {
  const g = grant();

  it.each<[string, Reviewer, boolean]>([
    ["the grantor", lead, true],
    ["a devops engineer (ranks above)", ops, true],
    ["another tech lead (same rank)", { id: "lou", role: "tech_lead" }, true],
    ["a developer", { id: "dan", role: "developer" }, false],
    ["a viewer", { id: "vera", role: "viewer" }, false],
  ])("by %s: %s", (_, actor, allowed) => {
    const result = revokeGrant(ruleSet, g, actor, at(5));
    expect(result.ok).toBe(allowed);
    if (result.ok) {
      expect(result.grant).toMatchObject({ revoked_at: at(5), revoked_by: actor.id });
      expect(result.events[0]).toMatchObject({
        type: "hitl.grant_revoked",
        payload: { grant_id: "g-1" },
      });
    } else {
      expect(result.error).toEqual({ code: "forbidden", message: "you may not revoke this grant" });
    }
  });

  it("a tech lead may not revoke a devops engineer's grant", () => {
    expect(revokeGrant(ruleSet, grant({}, ops), { id: "lou", role: "tech_lead" }, at(1)).ok).toBe(
      false,
    );
  });

  it("only once", () => {
    const revoked = revokeGrant(ruleSet, g, lead, at(5));
    if (!revoked.ok) throw new Error("expected a revocation");
    expect(revokeGrant(ruleSet, revoked.grant, lead, at(6))).toEqual({
      ok: false,
      error: { code: "conflict", message: "the grant is already revoked" },
    });
  });
});

describe("isGrantActive", () => {
  const g = grant();
  it.each<[string, Grant, Date, boolean]>([
    ["inside its window", g, at(1), true],
    ["at creation", g, T0, true],
    ["before creation", g, at(-1), false],
    ["at its end", g, at(120), false],
    ["used up", { ...g, uses: 20 }, at(1), false],
    ["one use left", { ...g, uses: 19 }, at(1), true],
    ["revoked", { ...g, revoked_at: at(0.5), revoked_by: "lee" }, at(1), false],
  ])("%s: %s", (_, grantState, now, active) => {
    expect(isGrantActive(grantState, now)).toBe(active);
  });
});

describe("matchGrant", () => {
  const g = grant({ agent_name: "feature-dev" });
  const roles = new Map<string, Role>([
    ["lee", "tech_lead"],
    ["oda", "devops_engineer"],
  ]);
  const base = {
    agent: "deploy-bot",
    agent_name: "feature-dev" as string | null,
    action: { type: "deploy", environment: "staging" } as Action,
    level: "medium" as RiskLevel,
    submitter_owner_id: "owner" as string | null,
  };

  it.each<[string, Partial<typeof base>, Date, Map<string, Role>, boolean]>([
    ["the scoped action", {}, at(1), roles, true],
    [
      "case-insensitively",
      {
        agent: "Deploy-Bot",
        agent_name: "FEATURE-DEV",
        action: { type: "DEPLOY_APP", environment: "STAGING" },
      },
      at(1),
      roles,
      true,
    ],
    [
      "the environment from context",
      { action: { type: "deploy", context: { environment: "staging" } } },
      at(1),
      roles,
      true,
    ],
    ["another agent", { agent: "other-bot" }, at(1), roles, false],
    ["another sub-agent", { agent_name: "reviewer" }, at(1), roles, false],
    ["no sub-agent label", { agent_name: null }, at(1), roles, false],
    ["another type", { action: { type: "delete", environment: "staging" } }, at(1), roles, false],
    [
      "another environment",
      { action: { type: "deploy", environment: "production" } },
      at(1),
      roles,
      false,
    ],
    ["no environment", { action: { type: "deploy" } }, at(1), roles, false],
    ["a critical action", { level: "critical" }, at(1), roles, false],
    ["after it ended", {}, at(121), roles, false],
    ["the grantor's own agent (four-eyes)", { submitter_owner_id: "lee" }, at(1), roles, false],
    ["a grantor since demoted", {}, at(1), new Map<string, Role>([["lee", "developer"]]), false],
    ["a grantor who left", {}, at(1), new Map<string, Role>(), false],
  ])("%s: %s", (_, overrides, now, currentRoles, matches) => {
    expect(matchGrant(ruleSet, [g], { ...base, ...overrides }, now, currentRoles)?.id ?? null).toBe(
      matches ? "g-1" : null,
    );
  });

  it("covers nothing above its level", () => {
    const lowOnly = { ...g, max_level: "low" as const };
    expect(matchGrant(ruleSet, [lowOnly], { ...base, level: "low" }, at(1), roles)).toBe(lowOnly);
    expect(matchGrant(ruleSet, [lowOnly], base, at(1), roles)).toBeNull();
  });

  it("a grant without scopes covers any sub-agent and environment", () => {
    const open = grant({ environment: null, agent_name: null });
    expect(
      matchGrant(
        ruleSet,
        [open],
        { ...base, agent_name: null, action: { type: "deploy" } },
        at(1),
        roles,
      ),
    ).toBe(open);
  });

  it("a demoted grantor's grant covers only what they may still approve", () => {
    const developersGrant = ruleSetVariant([], [["roles.developer.can_grant", true]]);
    const demoted = new Map<string, Role>([["lee", "developer"]]);
    expect(matchGrant(developersGrant, [g], { ...base, level: "low" }, at(1), demoted)).toBe(g);
    expect(matchGrant(developersGrant, [g], base, at(1), demoted)).toBeNull();
  });

  it("uses the grant ending soonest, then the one with fewest uses left, then by id", () => {
    const late = grant({ expires_in_minutes: 240 }, lead, "g-late");
    const soon = grant({ expires_in_minutes: 60 }, lead, "g-soon");
    const soonFewer = { ...grant({ expires_in_minutes: 60 }, lead, "g-soon-2"), uses: 15 };
    const soonTwin = grant({ expires_in_minutes: 60 }, lead, "g-a");
    const candidate = { ...base, agent_name: null };
    expect(matchGrant(ruleSet, [late, soon], candidate, at(1), roles)?.id).toBe("g-soon");
    expect(matchGrant(ruleSet, [late, soon, soonFewer], candidate, at(1), roles)?.id).toBe(
      "g-soon-2",
    );
    expect(matchGrant(ruleSet, [soon, soonTwin], candidate, at(1), roles)?.id).toBe("g-a");
    expect(matchGrant(ruleSet, [soonTwin, soon], candidate, at(1), roles)?.id).toBe("g-a");
  });
});
