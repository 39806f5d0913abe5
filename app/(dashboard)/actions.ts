"use server";
// The dashboard's server actions, for what changes state (what pages read is
// app/(dashboard)/reads.ts): each parses its input, takes the session's person, calls the same
// service as the API and the CLI, and answers a typed result (lib/auth/action.ts). Who may do
// what is decided inside the services, from the user record, at the moment of the call.
import { z } from "zod";
import { serverAction, toActionError } from "@/lib/auth/action";
import {
  approveBodySchema,
  escalateBodySchema,
  quarantineBodySchema,
  rejectBodySchema,
  releaseBodySchema,
} from "@/lib/contract/api";
import { requiredText, text } from "@/lib/contract/json";
import type { Command } from "@/lib/hitl";
import { createApiKey, revokeApiKey } from "@/lib/services/accounts/keys";
import { currentUser } from "@/lib/services/accounts/sign-in";
import { ServiceError } from "@/lib/services/errors";
import { decideRequest } from "@/lib/services/requests/lifecycle";

// The API's bodies (lib/contract/api.ts), each with the request's id beside it.
const id = z.uuid({ error: "expected a request id" });
const approveInput = approveBodySchema.extend({ id });
const rejectInput = rejectBodySchema.extend({ id });
const escalateInput = escalateBodySchema.extend({ id });
const quarantineInput = quarantineBodySchema.extend({ id });
const releaseInput = releaseBodySchema.extend({ id });
const idInput = z.strictObject({ id });

export const approveRequest = serverAction("approve", approveInput, ({ db, principal }, i) =>
  decideRequest(db, principal, i.id, {
    type: "approve",
    justification: i.justification,
    edited_inputs: i.edited_inputs,
    seen_hash: i.seen_hash,
  }),
);

export const rejectRequest = serverAction("reject", rejectInput, ({ db, principal }, i) =>
  decideRequest(db, principal, i.id, { type: "reject", reason: i.reason }),
);

export const escalateRequest = serverAction("escalate", escalateInput, ({ db, principal }, i) =>
  decideRequest(db, principal, i.id, { type: "escalate", reason: i.reason }),
);

export const quarantineRequest = serverAction(
  "quarantine",
  quarantineInput,
  ({ db, principal }, i) =>
    decideRequest(db, principal, i.id, { type: "quarantine", reason: i.reason }),
);

export const releaseRequest = serverAction("release", releaseInput, ({ db, principal }, i) =>
  decideRequest(db, principal, i.id, { type: "release", reason: i.reason }),
);

export const claimRequest = serverAction("claim", idInput, ({ db, principal }, i) =>
  // The service counts the reviewer's claims itself; the page's number is never trusted.
  decideRequest(db, principal, i.id, { type: "claim", claimed_count: 0 }),
);

export const unclaimRequest = serverAction("unclaim", idInput, ({ db, principal }, i) =>
  decideRequest(db, principal, i.id, { type: "unclaim" }),
);

const batchInput = z.strictObject({
  ids: z.array(id).min(1, "select at least one request").max(100, "at most 100 at once"),
  decision: z.enum(["approve", "reject"]),
  justification: text(5000).optional(),
  reason: text(5000).optional(),
});

/** Several requests, each decided and recorded on its own; one refusal stops no other. */
export const decideBatch = serverAction("batch", batchInput, async ({ db, principal }, i) => {
  if (i.decision === "reject" && !i.reason?.trim()) {
    throw new ServiceError("invalid", "Invalid input — reason: a reason is required to reject", [
      { path: "reason", message: "a reason is required to reject" },
    ]);
  }
  const command: Command =
    i.decision === "approve"
      ? { type: "approve", justification: i.justification }
      : { type: "reject", reason: i.reason ?? "" };
  const results = [];
  for (const requestId of [...new Set(i.ids)]) {
    try {
      const request = await decideRequest(db, principal, requestId, command);
      results.push({ id: requestId, ok: true as const, status: request.status });
    } catch (error) {
      results.push({ id: requestId, ok: false as const, error: toActionError(error, "batch") });
    }
  }
  return results;
});

export const createKey = serverAction(
  "create-key",
  z.union([
    z.strictObject({ agent: requiredText(100) }),
    z.strictObject({ reviewer: z.literal(true) }),
  ]),
  async ({ db, principal }, i) => {
    if ("agent" in i) return createApiKey(db, principal, { agent: i.agent });
    const me = await currentUser(db, principal);
    return createApiKey(db, principal, { user: me.email });
  },
);

export const revokeKey = serverAction(
  "revoke-key",
  z.strictObject({ id: z.uuid({ error: "expected a key id" }) }),
  ({ db, principal }, i) => revokeApiKey(db, principal, i.id),
);
