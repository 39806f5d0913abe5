// Standing approvals: a reviewer approves, ahead of time and within their own rights, a
// scoped and time-boxed class of actions for one agent. Never critical actions.
//
// Who may call what: a person creates (within their role's rights, checked by the core) and
// revokes (their own, or any as a role that may); people and the operator list them. Each
// grant is bound to the agent key named when it was made: a key created later under the
// same name inherits nothing.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Database } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import { insertGrant, listGrants, lockGrant, markGrantRevoked } from "@/db/queries/grants";
import { findActiveAgentKeyByName } from "@/db/queries/keys";
import { databaseNow } from "@/db/queries/requests";
import { createGrantSchema, type GrantDto } from "@/lib/contract/grants";
import { createGrant, revokeGrant } from "@/lib/hitl";
import { hitlConfig } from "./config";
import { grantDto } from "./dto";
import { refusalError, ServiceError } from "./errors";
import { type Principal, requireUser, requireViewer } from "./principal";
import { parseInput } from "./validation";

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
    const now = await databaseNow(tx);
    const result = createGrant(ruleSet, grantor, { ...input, agent: key.name }, now, randomUUID());
    if (!result.ok) throw refusalError(result.error);
    const grant = await insertGrant(tx, result.grant, key.id);
    await appendAuditEvents(
      tx,
      result.events.map((e) => ({ ...e, payload: { ...e.payload, agent_key_id: key.id } })),
    );
    return grantDto(grant);
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
