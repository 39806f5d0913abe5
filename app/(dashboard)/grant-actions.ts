"use server";
// The standing approvals' server actions, through the same wrapper as actions.ts: the session,
// zod, the service (which checks who may, from the user record, at the moment of the call), a
// typed result.
import { z } from "zod";
import { serverAction } from "@/lib/auth/action";
import { createGrantSchema } from "@/lib/contract/grants";
import {
  approveAndGrant,
  approveAndGrantSchema,
  createStandingApproval,
  revokeStandingApproval,
} from "@/lib/services/grants/grants";

const requestId = z.uuid({ error: "expected a request id" });

export const createGrant = serverAction("create-grant", createGrantSchema, ({ db, principal }, i) =>
  createStandingApproval(db, principal, i),
);

export const revokeGrant = serverAction(
  "revoke-grant",
  z.strictObject({ id: z.uuid({ error: "expected a standing approval id" }) }),
  ({ db, principal }, i) => revokeStandingApproval(db, principal, i.id),
);

/** "Approve this and the next N like it for T": both in one transaction, or neither. */
export const approveRequestAndGrant = serverAction(
  "approve-and-grant",
  approveAndGrantSchema.extend({ id: requestId }),
  ({ db, principal }, { id, ...terms }) => approveAndGrant(db, principal, id, terms),
);
