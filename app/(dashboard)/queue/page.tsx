import type { Metadata } from "next";
import { paramsOf, queueQuery, readFilters, recentQuery } from "@/components/queue/filters";
import { QueueView } from "@/components/queue/queue-view";
import { getQueue } from "@/lib/services/requests/queue";
import { getRecentlyDecided } from "@/lib/services/requests/recent";
import { pathWithQuery, requireSignedIn } from "../_lib/session";

export const metadata: Metadata = { title: "Queue" };

export default async function QueuePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const { db, principal, user } = await requireSignedIn(pathWithQuery("/queue", params));
  const filters = readFilters(paramsOf(params));
  // "Only what I can approve" means nothing to a role that approves nothing.
  if (user.role === "viewer") filters.mine = false;
  if (filters.tab === "decided") {
    const [recent, counts] = await Promise.all([
      getRecentlyDecided(db, principal, recentQuery(filters)),
      getQueue(db, principal, {
        ...queueQuery({ ...filters, tab: "pending" }),
        status: undefined,
        limit: 1,
      }),
    ]);
    return (
      <QueueView
        initialFilters={filters}
        initialQueue={null}
        initialRecent={recent}
        initialCounts={counts.counts}
      />
    );
  }
  const queue = await getQueue(db, principal, queueQuery(filters));
  return (
    <QueueView
      initialFilters={filters}
      initialQueue={queue}
      initialRecent={null}
      initialCounts={queue.counts}
    />
  );
}
