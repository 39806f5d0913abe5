// What the server does once when it starts: refuse a bad environment or configuration
// (fail closed, with a message naming the problem), migrate the database, start the sweeper,
// the outbox worker (agent callbacks, notifications, and the task graphs' drives) and the
// recovery of decided graphs that have not finished (unless HITL_OUTBOX_WORKER=false), and
// the audit sealer.
import { getDb } from "@/db/client";
import { env } from "@/lib/env";
import { log } from "@/lib/log";
import { notifyHandler, notifySettings } from "@/lib/services/integrations/notify";
import { deliverSlack, slackSettings } from "@/lib/services/integrations/slack";
import { hitlConfig } from "@/lib/services/rules/config";
import { OUTBOX_HANDLERS, startOutboxWorker } from "./outbox-worker";
import { startSealer } from "./sealer";
import { startSweeper } from "./sweeper";
import { processWorkflows, startWorkflowRecovery, workflowHandler } from "./workflow";

export async function startServer(): Promise<void> {
  try {
    env();
    hitlConfig();
  } catch (error) {
    // Plain text, not a JSON line: whoever starts the server reads this one.
    console.error(`Airlock cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  try {
    await getDb();
  } catch (error) {
    // The database may come back: requests answer 503 meanwhile and getDb() retries.
    log().error({ err: error }, "database unavailable at start");
  }
  startSweeper();
  if (env().HITL_OUTBOX_WORKER) {
    const notify = notifyHandler(notifySettings, (row, ctx) =>
      deliverSlack(ctx.db, row, slackSettings(), ctx.timeoutMs),
    );
    startOutboxWorker(async () => ({
      ...OUTBOX_HANDLERS,
      notify,
      workflow: workflowHandler(await processWorkflows()),
    }));
    startWorkflowRecovery();
  }
  startSealer();
}
