// A reviewer, acting over the API with a demo reviewer key, for the integration specs: waits
// for the next request of a workflow to reach the queue, then decides it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { DATA_DIR } from "../fixtures";

export interface QueuedRequest {
  id: string;
  task_id: string;
  action: { type: string; description: string };
}

export function reviewer(baseUrl: string, person: "lead" | "ops" = "lead") {
  const key = readFileSync(path.join(DATA_DIR, `demo-reviewer-key-${person}`), "utf8").trim();
  const headers = { Authorization: `Bearer ${key}`, "Content-Type": "application/json" };
  const seen = new Set<string>();
  return {
    /**
     * The next request of this workflow (that `match` accepts) not handed out before, once it
     * is in the queue.
     */
    async next(
      workflowId: string,
      match: (item: QueuedRequest) => boolean = () => true,
      timeoutMs = 20_000,
    ): Promise<QueuedRequest> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const response = await fetch(
          `${baseUrl}/api/hitl/approval-queue?workflow_id=${encodeURIComponent(workflowId)}`,
          { headers },
        );
        const { items } = (await response.json()) as { items: QueuedRequest[] };
        const fresh = items.filter((i) => !seen.has(i.id) && match(i));
        if (fresh[0]) {
          seen.add(fresh[0].id);
          return fresh[0];
        }
        if (Date.now() > deadline) throw new Error(`no new request of ${workflowId} in the queue`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    /** Approve (with edits, if given); the API's status. */
    async tryApprove(id: string, editedInputs?: Record<string, unknown>): Promise<number> {
      const response = await fetch(`${baseUrl}/api/hitl/actions/${id}/approve`, {
        method: "POST",
        headers,
        body: JSON.stringify({
          justification: "checked by the integration test",
          ...(editedInputs ? { edited_inputs: editedInputs } : {}),
        }),
      });
      await response.body?.cancel();
      return response.status;
    },
    async approve(id: string, editedInputs?: Record<string, unknown>) {
      const status = await this.tryApprove(id, editedInputs);
      if (status !== 200) throw new Error(`approve ${id}: ${status}`);
    },
    async reject(id: string, reason: string) {
      const response = await fetch(`${baseUrl}/api/hitl/actions/${id}/reject`, {
        method: "POST",
        headers,
        body: JSON.stringify({ reason }),
      });
      if (response.status !== 200)
        throw new Error(`reject: ${response.status} ${await response.text()}`);
    },
  };
}
