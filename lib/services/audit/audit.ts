// `audit verify`: walk the whole sealed log in chain order, a page at a time (never all in
// memory), and report the first broken link — an edited, deleted, reordered, cut-off or
// extended log — and the events still waiting for the sealer, with how long the oldest has.
//
// Who may call it (and the audit page's listing): the operator, or any person.
import type { Database } from "@/db/client";
import {
  listAuditEvents as listAuditRows,
  readAuditHead,
  readAuditPage,
  toChainedEvent,
  unsealedSummary,
} from "@/db/queries/audit";
import { databaseNow } from "@/db/queries/clock";
import { AuditVerifier, type VerifyResult } from "@/lib/hitl";
import { auditEventDto } from "@/lib/services/dto";
import { type Principal, requireViewer } from "@/lib/services/principal";

const PAGE = 1000;

/** Events not yet linked into the chain: they can be read but are not yet tamper-evident. */
export interface UnsealedReport {
  count: number;
  oldest_at: string | null;
  /** How long the oldest unsealed event has waited, in seconds (0 when none waits). */
  lag_seconds: number;
}

export type AuditReport = VerifyResult & { unsealed: UnsealedReport };

export async function verifyAuditLog(db: Database, principal: Principal): Promise<AuditReport> {
  await requireViewer(db, principal, "verify the audit log");
  const result = await verifyChain(db);
  const [waiting, now] = await Promise.all([unsealedSummary(db), databaseNow(db)]);
  const unsealed = {
    count: waiting.count,
    oldest_at: waiting.oldestAt?.toISOString() ?? null,
    lag_seconds: waiting.oldestAt
      ? Math.max(0, (now.getTime() - waiting.oldestAt.getTime()) / 1000)
      : 0,
  };
  return { ...result, unsealed };
}

async function verifyChain(db: Database): Promise<VerifyResult> {
  const verifier = new AuditVerifier();
  let after = 0;
  for (;;) {
    let read = 0;
    for (;;) {
      const rows = await readAuditPage(db, after, PAGE);
      for (const row of rows) {
        read++;
        if (verifier.push(toChainedEvent(row)) !== null) return verifier.finish();
      }
      after = rows.at(-1)?.seq ?? after;
      if (rows.length < PAGE) break;
    }
    // Every append moves the head in its own transaction. A head beyond the last event read
    // means appends landed during the walk (read on), or a cut-off log if nothing more comes;
    // events beyond the head were written around the audit writer (extended).
    const head = await readAuditHead(db);
    if (after >= head.seq || read === 0) return verifier.finish(head);
  }
}

/** A page of the log, newest first (the audit page); `next_before` continues it. */
export async function listAuditEvents(
  db: Database,
  principal: Principal,
  query: { before?: number; type?: string; workflow_id?: string; limit: number },
) {
  await requireViewer(db, principal, "read the audit log");
  const rows = await listAuditRows(db, {
    beforeId: query.before,
    type: query.type,
    workflowId: query.workflow_id,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  return {
    items: page.map(auditEventDto),
    next_before: rows.length > query.limit ? (page.at(-1)?.id ?? null) : null,
  };
}
