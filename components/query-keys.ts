// Every react-query key the pages use, in one place. A read is cached under its key; a change
// (a decision, a claim, a live event) invalidates by a key's prefix: every queue list and
// count, every workflow, one request.
import type { QueryClient } from "@tanstack/react-query";

export const queryKeys = {
  queue: {
    all: ["queue"] as const,
    list: (filters: unknown) => ["queue", "list", filters] as const,
    counts: (filters: unknown) => ["queue", "counts", filters] as const,
    ofWorkflow: (id: string) => ["queue", "workflow", id] as const,
  },
  recent: {
    all: ["recent"] as const,
    list: (filters: unknown) => ["recent", "list", filters] as const,
  },
  request: (id: string) => ["request", id] as const,
  /** Whether the reader may approve a request now (components/request/standing.ts). */
  standing: {
    all: ["standing"] as const,
    of: (id: string) => ["standing", id] as const,
  },
  workflow: {
    all: ["workflow"] as const,
    of: (id: string) => ["workflow", id] as const,
  },
  grants: ["grants"] as const,
  grantOffer: {
    of: (requestId: string) => ["grant-offer", requestId] as const,
    at: (requestId: string, level: string) => ["grant-offer", requestId, level] as const,
  },
  keys: ["keys"] as const,
  audit: {
    report: ["audit", "report"] as const,
    events: (filters: unknown) => ["audit", "events", filters] as const,
  },
  assessment: (action: unknown) => ["assessment", action] as const,
};

/** After a change to requests (a decision here, a live event from elsewhere): every view of
 * requests is read again — the queues and counts, the decided list, workflows, the reader's
 * standing — and these requests' own pages. */
export function rereadRequests(client: QueryClient, ids: readonly string[]): void {
  for (const queryKey of [
    queryKeys.queue.all,
    queryKeys.recent.all,
    queryKeys.workflow.all,
    queryKeys.standing.all,
    ...ids.map(queryKeys.request),
  ]) {
    void client.invalidateQueries({ queryKey });
  }
}
