// Standing approvals: a reviewer approves, ahead of time and within their own rights, a
// scoped and time-boxed class of actions for one agent. Never critical actions.
//
// Who may call what: a person creates (within their role's rights, checked by the core) and
// revokes (their own, or any as a role that may); people and the operator list them. Each
// grant is bound to the agent key named when it was made: a key created later under the
// same name inherits nothing. From a request ("approve this and the next N like it"), a
// person who may approve it approves it and grants for its own key, in one transaction;
// `standingApprovalOffer` tells the page whether that is on offer to them, and why not.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Database, Executor } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import { insertGrant, listGrants, lockGrant, markGrantRevoked } from "@/db/queries/grants";
import {
  type ApiKeyRow,
  findActiveAgentKeyByName,
  findApiKeyById,
  listApiKeys as listKeyRows,
} from "@/db/queries/keys";
import { databaseNow, findRequestRow, type RequestRow } from "@/db/queries/requests";
import type { RequestSummaryDto } from "@/lib/contract/api";
import {
  createGrantSchema,
  type GrantDto,
  type GrantOfferDto,
  grantOfferSchema,
} from "@/lib/contract/grants";
import { text } from "@/lib/contract/json";
import {
  type Action,
  can,
  createGrant,
  effectiveAction,
  GRANT_LIMITS,
  type Grant,
  type GrantInput,
  globProblem,
  isOpenStatus,
  NEVER_GRANTED,
  type Refusal,
  type Reviewer,
  RISK_RANK,
  type RiskLevel,
  type RuleSet,
  revokeGrant,
  roleWords,
} from "@/lib/hitl";
import { capitalise, grantDto } from "@/lib/services/dto";
import { refusalError, ServiceError } from "@/lib/services/errors";
import { recordTransitions, type Transition } from "@/lib/services/insights/metrics";
import { type Principal, requireUser, requireViewer } from "@/lib/services/principal";
import { decideRequest } from "@/lib/services/requests/lifecycle";
import { hitlConfig } from "@/lib/services/rules/config";
import { parseInput } from "@/lib/services/validation";

/** The fields the core names at the start of its refusals ("max_uses: a whole number…"). */
const GRANT_FIELDS = new Set([
  "agent",
  "type_pattern",
  "environment",
  "max_level",
  "max_uses",
  "expires_in_minutes",
  "reason",
]);

/** The core's refusal as a service error, naming the field when the core did. */
function grantRefusal(refusal: Refusal): ServiceError {
  const named = /^([a-z_]+): (.+)$/.exec(refusal.message);
  const field = named?.[1] && GRANT_FIELDS.has(named[1]) ? named[1] : null;
  return refusalError(
    refusal,
    capitalise(refusal.message),
    field && named?.[2] ? [{ path: field, message: named[2] }] : undefined,
  );
}

/**
 * Grant for `key` as `grantor`: the core's rules, the row and its audit event, in the caller's
 * transaction. `from` is the request it was granted from, which the event is linked to;
 * `mustCover` a level the grant must reach (the one of that request), refused before any write.
 */
async function grantFor(
  tx: Executor,
  ruleSet: RuleSet,
  grantor: Reviewer,
  key: Pick<ApiKeyRow, "id" | "name">,
  input: GrantInput,
  now: Date,
  from?: { request: RequestRow; mustCover: RiskLevel },
): Promise<Grant> {
  const result = createGrant(ruleSet, grantor, { ...input, agent: key.name }, now, randomUUID());
  if (!result.ok) throw grantRefusal(result.error);
  if (from && RISK_RANK[result.grant.max_level] < RISK_RANK[from.mustCover]) {
    throw new ServiceError(
      "forbidden",
      `Your standing approvals cover up to ${result.grant.max_level} risk; this request is ${from.mustCover}`,
    );
  }
  const grant = await insertGrant(tx, result.grant, key.id);
  await appendAuditEvents(
    tx,
    result.events.map((e) => ({
      ...e,
      ...(from ? { request_id: from.request.id, workflow_id: from.request.workflowId } : {}),
      payload: {
        ...e.payload,
        agent_key_id: key.id,
        ...(from ? { from_request_id: from.request.id } : {}),
      },
    })),
  );
  return grant;
}

export async function createStandingApproval(
  db: Database,
  principal: Principal,
  body: unknown,
): Promise<GrantDto> {
  const input = parseInput(createGrantSchema, body);
  const { ruleSet } = hitlConfig();
  return db.transaction(async (tx) => {
    const grantor = await requireUser(tx, principal, "grant standing approvals");
    const key = await findActiveAgentKeyByName(tx, input.agent);
    if (!key) {
      throw new ServiceError("not_found", `No active agent key named "${input.agent}"`, [
        { path: "agent", message: "no active agent key has this name" },
      ]);
    }
    return grantDto(await grantFor(tx, ruleSet, grantor, key, input, await databaseNow(tx)));
  });
}

export async function revokeStandingApproval(
  db: Database,
  principal: Principal,
  grantId: string,
): Promise<GrantDto> {
  const id = parseInput(z.uuid({ error: "expected a standing approval id (uuid)" }), grantId);
  const { ruleSet } = hitlConfig();
  return db.transaction(async (tx) => {
    const actor = await requireUser(tx, principal, "revoke standing approvals");
    const grant = await lockGrant(tx, id);
    if (!grant) throw new ServiceError("not_found", `No standing approval with id ${id}`);
    const result = revokeGrant(ruleSet, grant, actor, await databaseNow(tx));
    if (!result.ok) throw refusalError(result.error);
    await markGrantRevoked(tx, result.grant);
    await appendAuditEvents(tx, result.events);
    return grantDto(result.grant);
  });
}

export async function listStandingApprovals(
  db: Database,
  principal: Principal,
  options: { activeOnly?: boolean } = {},
): Promise<GrantDto[]> {
  await requireViewer(db, principal, "list standing approvals");
  return (await listGrants(db, { activeOnly: options.activeOnly })).map(grantDto);
}

/** Active agent keys' names, for a person who may grant to pick the agent from. */
export async function listGrantableAgents(db: Database, principal: Principal): Promise<string[]> {
  const reviewer = await requireUser(db, principal, "grant standing approvals");
  if (!can(hitlConfig().ruleSet.policies, reviewer.role, "grant")) {
    throw new ServiceError(
      "forbidden",
      `A ${roleWords(reviewer.role)} may not grant standing approvals`,
    );
  }
  return (await listKeyRows(db))
    .filter((k) => k.scope === "agent" && k.revokedAt === null)
    .map((k) => k.name)
    .sort((a, b) => a.localeCompare(b));
}

/** The environment as the risk engine and the grants read it: the field, else inputs, else context. */
function environmentOf(action: Action): string | null {
  const env = action.environment ?? action.inputs?.environment ?? action.context?.environment;
  return typeof env === "string" && env.trim() !== "" ? env : null;
}

/** The key that submitted the request, while it can still submit: a revoked one gets no grant. */
async function liveAgentKey(db: Executor, row: RequestRow): Promise<ApiKeyRow | null> {
  const key = await findApiKeyById(db, row.apiKeyId);
  return key?.scope === "agent" && key.revokedAt === null ? key : null;
}

const requestIdSchema = z.uuid({ error: "expected a request id (uuid)" });

/**
 * Whether the reader may grant a standing approval from this request, as the core would decide
 * it now, and what it would cover by default; or why not. It does not say whether they may
 * approve the request itself: the request's detail does (`actionable`), and both must hold.
 */
export async function standingApprovalOffer(
  db: Database,
  principal: Principal,
  requestId: string,
): Promise<GrantOfferDto> {
  const id = parseInput(requestIdSchema, requestId);
  const reviewer = await requireViewer(db, principal, "read requests");
  const row = await findRequestRow(db, id);
  if (!row) throw new ServiceError("not_found", `No request with id ${id}`);
  const no = (reason: string): GrantOfferDto => ({ offered: false, reason });
  if (reviewer === null) return no("The operator grants nothing; a reviewer must");
  if (!isOpenStatus(row.status as Parameters<typeof isOpenStatus>[0])) {
    return no(`The request is ${row.status}`);
  }
  const level = row.riskLevel as RiskLevel;
  if (level === NEVER_GRANTED) {
    return no("Standing approvals never cover critical requests: each one needs its own approvals");
  }
  if (row.submittedByUserId === reviewer.id) {
    return no("You own the key of this agent: your standing approvals never cover what it submits");
  }
  const key = await liveAgentKey(db, row);
  if (!key) {
    return no("The agent's key has been revoked: a standing approval would cover nothing");
  }
  const { ruleSet } = hitlConfig();
  const action = effectiveAction({
    action: row.actionDetails as Action,
    edited_inputs: (row.editedInputs as Record<string, unknown> | null) ?? null,
  });
  // What the core would grant this reader now; the pattern does not change the level.
  const preview = createGrant(
    ruleSet,
    reviewer,
    { agent: key.name, type_pattern: "*", max_uses: 1, expires_in_minutes: 1, reason: "preview" },
    await databaseNow(db),
    id,
  );
  if (!preview.ok) return no(capitalise(preview.error.message));
  const maxLevel = preview.grant.max_level;
  if (RISK_RANK[maxLevel] < RISK_RANK[level]) {
    return no(`Your standing approvals cover up to ${maxLevel} risk; this request is ${level}`);
  }
  return grantOfferSchema.parse({
    offered: true,
    agent: key.name,
    agent_name: row.agentName,
    type_pattern: globProblem(action.type) === null ? action.type : "",
    environment: environmentOf(action),
    max_level: level,
    max_grantable_level: maxLevel,
    max_uses: GRANT_LIMITS.maxUses,
    max_minutes: GRANT_LIMITS.maxMinutes,
  });
}

export const approveAndGrantSchema = createGrantSchema
  .omit({ agent: true, agent_name: true })
  .extend({
    /**
     * Narrow the grant to the request's own sub-agent label (the default: a grant made from one
     * request covers the next ones like it, not every agent under the key).
     */
    same_agent_name: z.boolean().default(true),
    /** The approval's justification; the reason when not given. */
    justification: text(5000).optional(),
    /** The content hash the reviewer saw: a request changed since is refused (409). */
    seen_hash: z
      .string()
      .regex(/^[0-9a-f]{64}$/, "expected a sha256 hex digest")
      .optional(),
  });
export type ApproveAndGrantInput = z.input<typeof approveAndGrantSchema>;

export interface ApproveAndGrantResult {
  /** The request as it now stands: approved, or still open when the level needs more votes. */
  request: RequestSummaryDto;
  grant: GrantDto;
}

/**
 * "Approve this and the next N like it for T": the approval (the same decision as every other
 * path, with its audit event and outbox rows) and a standing approval bound to the request's
 * own agent key, in one transaction: both or neither. The decision runs as a savepoint of this
 * transaction and hands its metrics over, so they are recorded once, after this commit. When
 * the level needs several approvals the vote counts once and the request waits for the rest;
 * the grant approves the next matching requests on arrival, on its own, like any grant.
 */
export async function approveAndGrant(
  db: Database,
  principal: Principal,
  requestId: string,
  body: unknown,
): Promise<ApproveAndGrantResult> {
  const id = parseInput(requestIdSchema, requestId);
  const input = parseInput(approveAndGrantSchema, body);
  const { ruleSet } = hitlConfig();
  const transitions: Transition[] = [];
  const result = await db.transaction(async (tx) => {
    const grantor = await requireUser(tx, principal, "grant standing approvals");
    const request = await decideRequest(
      tx,
      principal,
      id,
      {
        type: "approve",
        justification: input.justification?.trim() || input.reason,
        seen_hash: input.seen_hash,
      },
      { ruleSet, transitions },
    );
    // Locked by the decision until this transaction ends: the grant is for what was approved.
    const row = await findRequestRow(tx, id);
    if (!row) throw new Error(`request ${id} vanished inside its own transaction`);
    const level = row.riskLevel as RiskLevel;
    if (level === NEVER_GRANTED) {
      throw new ServiceError("forbidden", "Standing approvals never cover critical requests");
    }
    const key = await liveAgentKey(tx, row);
    if (!key) {
      throw new ServiceError(
        "conflict",
        "The agent's key has been revoked: a standing approval would cover nothing",
      );
    }
    const grant = await grantFor(
      tx,
      ruleSet,
      grantor,
      key,
      {
        agent: key.name,
        agent_name: input.same_agent_name ? row.agentName : null,
        type_pattern: input.type_pattern,
        environment: input.environment,
        // By default no further than the request's own level: approving a medium request does
        // not approve the high ones after it.
        max_level: input.max_level ?? (level as Exclude<RiskLevel, "critical">),
        max_uses: input.max_uses,
        expires_in_minutes: input.expires_in_minutes,
        reason: input.reason,
      },
      await databaseNow(tx),
      { request: row, mustCover: level },
    );
    return { request, grant: grantDto(grant) };
  });
  recordTransitions(transitions);
  return result;
}
