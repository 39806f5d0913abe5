// The in-app sweeper: every HITL_SWEEP_INTERVAL_MS, expire and auto-escalate what is due and
// expire old checkpoints. Started once per process; several instances may run it at once
// (rows are taken with SKIP LOCKED), so expiry lands within seconds of the deadline even if
// nobody looks.
import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import { SYSTEM } from "@/lib/services/principal";
import { expireCheckpoints } from "@/lib/services/requests/checkpoints";
import { type SweepResult, sweepDueRequests } from "@/lib/services/requests/lifecycle";
import { startPeriodic, stopPeriodic } from "./periodic";

export interface FullSweep extends SweepResult {
  checkpointsExpired: number;
}

export async function sweepOnce(): Promise<FullSweep> {
  const { db } = await getDb();
  const requests = await sweepDueRequests(db, SYSTEM);
  const checkpointsExpired = await expireCheckpoints(db, SYSTEM);
  return { ...requests, checkpointsExpired };
}

export function startSweeper(intervalMs = env().HITL_SWEEP_INTERVAL_MS): void {
  startPeriodic("sweeper", intervalMs, () => sweepOnce());
}

export function stopSweeper(): void {
  stopPeriodic("sweeper");
}
