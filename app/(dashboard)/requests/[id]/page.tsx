import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RequestView } from "@/components/request/request-view";
import { isServiceError } from "@/lib/services/errors";
import { getQueue, getRequestDetail } from "@/lib/services/queue";
import { requireSignedIn } from "../../_lib/session";

export const metadata: Metadata = { title: "Request" };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default async function RequestPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { db, principal } = await requireSignedIn(`/requests/${id}`);
  if (!UUID.test(id)) notFound();
  let detail: Awaited<ReturnType<typeof getRequestDetail>>;
  try {
    detail = await getRequestDetail(db, principal, id);
  } catch (error) {
    if (isServiceError(error) && error.code === "not_found") notFound();
    throw error;
  }
  // Whether this reader may approve it now: the queue's own verdict for the row.
  const open = ["pending", "escalated", "quarantined"].includes(detail.status);
  const item = open
    ? (await getQueue(db, principal, { workflow_id: detail.workflow_id, limit: 200 })).items.find(
        (i) => i.id === id,
      )
    : undefined;
  return (
    <RequestView
      initial={detail}
      initialStanding={
        item ? { actionable: item.actionable, reason: item.not_actionable_reason } : null
      }
    />
  );
}
