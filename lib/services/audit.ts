// `audit verify`: walk the whole log in chain order, a page at a time (never all in memory),
// and report the first broken link — an edited, deleted, reordered or cut-off event.
import type { Database } from "@/db/client";
import { readAuditHead, readAuditPage, toChainedEvent } from "@/db/queries/audit";
import { AuditVerifier, type VerifyResult } from "@/lib/hitl";

const PAGE = 1000;

export async function verifyAuditLog(db: Database): Promise<VerifyResult> {
  // The head first: events appended while we read lie beyond it and are not judged.
  const head = await readAuditHead(db);
  const verifier = new AuditVerifier();
  let after = 0;
  for (;;) {
    const rows = await readAuditPage(db, after, PAGE);
    for (const row of rows) {
      if (row.seq > head.seq) return verifier.finish(head);
      if (verifier.push(toChainedEvent(row)) !== null) return verifier.finish(head);
    }
    if (rows.length < PAGE) return verifier.finish(head);
    after = rows.at(-1)?.seq ?? after;
  }
}
