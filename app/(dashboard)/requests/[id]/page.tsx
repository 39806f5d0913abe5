import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { RequestView } from "@/components/request/request-view";
import { isServiceError } from "@/lib/services/errors";
import { standingApprovalOffer } from "@/lib/services/grants/grants";
import { getRequestDetail } from "@/lib/services/requests/queue";
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
  // Whether this reader may approve it now, and grant from it: the services' own verdicts.
  return (
    <RequestView
      initial={detail}
      initialStanding={{ actionable: detail.actionable, reason: detail.not_actionable_reason }}
      initialOffer={await standingApprovalOffer(db, principal, id)}
    />
  );
}
