// The audit sealer (SPEC §8): writers insert events unsealed, in the transactions that cause
// them, so no lock is shared between the writers of unrelated requests; this links them into
// the hash chain just after they commit, a batch at a time, the way a Certificate-Transparency
// log integrates its queued entries into the tree.
//
// One sealer at a time on a database (an advisory lock; every instance runs the loop and the
// others skip their turn). Only events that no running transaction can still precede are
// sealed (db/queries/audit.ts readSealable), so the chain's order never has to change. The
// bound is the server's oldest running transaction, in any database: a transaction left
// open anywhere on the server delays sealing (never misorders it), and `audit verify`
// reports the lag.

import { type Database, getDb } from "@/db/client";
import {
  hasUnsealed,
  lockAuditHead,
  readSealable,
  toChainedEvent,
  trySealerLock,
  writeSeals,
} from "@/db/queries/audit";
import { env } from "@/lib/env";
import { type ChainHead, hashEvent } from "@/lib/hitl";
import { startPeriodic, stopPeriodic } from "./periodic";

const BATCH = 500;

export interface SealResult {
  /** Events linked into the chain by this call. */
  sealed: number;
  /** False when another sealer held the lock: it seals instead. */
  tookLock: boolean;
}

/** One sealing transaction: up to `batch` events, in chain order. */
export async function sealBatch(
  db: Database,
  batch = BATCH,
): Promise<SealResult & { full: boolean }> {
  return db.transaction(async (tx) => {
    if (!(await trySealerLock(tx))) return { sealed: 0, tookLock: false, full: false };
    const rows = await readSealable(tx, batch);
    if (rows.length === 0) return { sealed: 0, tookLock: true, full: false };
    let head: ChainHead = await lockAuditHead(tx);
    const seals = rows.map((row) => {
      const seq = head.seq + 1;
      const hash = hashEvent(head.hash, { ...toChainedEvent(row), seq });
      const seal = { id: row.id, seq, prevHash: head.hash, hash };
      head = { seq, hash };
      return seal;
    });
    await writeSeals(tx, seals, head);
    return { sealed: rows.length, tookLock: true, full: rows.length === batch };
  });
}

/** Seal everything sealable now (batch after batch); what a test or `hitl audit seal` calls. */
export async function sealAuditLog(db: Database): Promise<SealResult> {
  let sealed = 0;
  for (;;) {
    const result = await sealBatch(db);
    sealed += result.sealed;
    if (!result.tookLock) return { sealed, tookLock: false };
    if (!result.full) return { sealed, tookLock: true };
  }
}

/**
 * Every HITL_SEAL_INTERVAL_MS (250 ms by default: events are sealed well within a second),
 * seal what is waiting. An idle tick is one indexed read outside any transaction.
 */
export function startSealer(intervalMs = env().HITL_SEAL_INTERVAL_MS): void {
  startPeriodic("sealer", intervalMs, async () => {
    const { db } = await getDb();
    if (await hasUnsealed(db)) await sealAuditLog(db);
  });
}

export function stopSealer(): void {
  stopPeriodic("sealer");
}
