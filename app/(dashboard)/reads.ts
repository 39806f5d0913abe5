// What the dashboard's pages read, and from which service: each read's input schema and the
// call that answers it, served by GET /api/dashboard/{read} (lib/api/reads.ts) to the pages'
// typed caller (components/reads.ts). Who may read what is decided inside the services.
import "server-only";
import { z } from "zod";
import { read } from "@/lib/api/reads";
import { queueQuerySchema, workflowPageQuerySchema } from "@/lib/contract/api";
import { requiredText, text } from "@/lib/contract/json";
import { listApiKeys } from "@/lib/services/accounts/keys";
import { listAuditEvents, verifyAuditLog } from "@/lib/services/audit/audit";
import { listStandingApprovals, standingApprovalOffer } from "@/lib/services/grants/grants";
import {
  getQueue,
  getRequestDetail,
  getWorkflowPage,
  getWorkflowStatus,
} from "@/lib/services/requests/queue";
import { getRecentlyDecided, recentQuerySchema } from "@/lib/services/requests/recent";
import { assessAction } from "@/lib/services/rules/rules";

const nothing = z.strictObject({});
const requestId = z.strictObject({ id: z.uuid({ error: "expected a request id" }) });

export const READS = {
  queue: read(queueQuerySchema, ({ db, principal }, q) => getQueue(db, principal, q)),
  recent: read(recentQuerySchema, ({ db, principal }, q) => getRecentlyDecided(db, principal, q)),
  request: read(requestId, ({ db, principal }, i) => getRequestDetail(db, principal, i.id)),
  workflow: read(z.strictObject({ workflow_id: requiredText(200) }), ({ db, principal }, i) =>
    getWorkflowStatus(db, principal, i.workflow_id),
  ),
  /** The next page of a workflow's requests, events or checkpoints, from the last one's cursor. */
  "workflow-page": read(workflowPageQuerySchema, ({ db, principal }, q) =>
    getWorkflowPage(db, principal, q),
  ),
  /** The rules page's simulator: an action assessed, nothing stored. */
  assessment: read(z.strictObject({ action: z.unknown() }), ({ principal }, i) =>
    assessAction(principal, i.action),
  ),
  "audit-report": read(nothing, ({ db, principal }) => verifyAuditLog(db, principal)),
  "audit-events": read(
    z.strictObject({
      before: z.int().positive().optional(),
      type: text(100).optional(),
      workflow_id: text(200).optional(),
      limit: z.int().min(1).max(200).default(50),
    }),
    ({ db, principal }, q) => listAuditEvents(db, principal, q),
  ),
  keys: read(nothing, ({ db, principal }) => listApiKeys(db, principal)),
  grants: read(nothing, ({ db, principal }) => listStandingApprovals(db, principal)),
  /** Whether the reader may grant from this request, and what it would cover by default. */
  "grant-offer": read(requestId, ({ db, principal }, i) =>
    standingApprovalOffer(db, principal, i.id),
  ),
};
export type Reads = typeof READS;
