// Standing approvals: a reviewer approves, ahead of time and within their own rights, a
// scoped and time-boxed class of actions for one agent. Never critical actions.
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Database } from "@/db/client";
import { appendAuditEvents } from "@/db/queries/audit";
import { insertGrant, listGrants, lockGrant, markGrantRevoked } from "@/db/queries/grants";
import { databaseNow } from "@/db/queries/requests";
import { createGrantSchema } from "@/lib/contract/grants";
import { createGrant, type Grant, revokeGrant } from "@/lib/hitl";
import { hitlConfig } from "./config";
import { refusalError, ServiceError } from "./errors";
import { currentReviewer } from "./users";
import { parseInput } from "./validation";

export async function createStandingApproval(
  db: Database,
  userId: string,
  body: unknown,
): Promise<Grant> {
  const input = parseInput(createGrantSchema, body);
  const { ruleSet } = hitlConfig();
  return db.transaction(async (tx) => {
    const grantor = await currentReviewer(tx, userId);
    const now = await databaseNow(tx);
    const result = createGrant(ruleSet, grantor, input, now, randomUUID());
    if (!result.ok) throw refusalError(result.error);
    const grant = await insertGrant(tx, result.grant);
    await appendAuditEvents(tx, result.events);
    return grant;
  });
}

export async function revokeStandingApproval(
  db: Database,
  userId: string,
  grantId: string,
): Promise<Grant> {
  const id = parseInput(z.uuid({ error: "expected a standing approval id (uuid)" }), grantId);
  const { ruleSet } = hitlConfig();
  return db.transaction(async (tx) => {
    const actor = await currentReviewer(tx, userId);
    const grant = await lockGrant(tx, id);
    if (!grant) throw new ServiceError("not_found", `No standing approval with id ${id}`);
    const result = revokeGrant(ruleSet, grant, actor, await databaseNow(tx));
    if (!result.ok) throw refusalError(result.error);
    await markGrantRevoked(tx, result.grant);
    await appendAuditEvents(tx, result.events);
    return result.grant;
  });
}

export async function listStandingApprovals(
  db: Database,
  options: { activeOnly?: boolean } = {},
): Promise<Grant[]> {
  return listGrants(db, options.activeOnly ? { activeAt: new Date() } : {});
}
