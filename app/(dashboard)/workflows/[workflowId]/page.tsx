import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { WorkflowView } from "@/components/workflow/workflow-view";
import { isServiceError } from "@/lib/services/errors";
import { getQueue, getWorkflowStatus } from "@/lib/services/requests/queue";
import { requireSignedIn } from "../../_lib/session";

export const metadata: Metadata = { title: "Workflow" };

/** The id as the agent sent it, whether or not the router has decoded the segment. */
function decoded(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export default async function WorkflowPage({
  params,
}: {
  params: Promise<{ workflowId: string }>;
}) {
  const { workflowId: raw } = await params;
  const workflowId = decoded(raw);
  const { db, principal } = await requireSignedIn(`/workflows/${encodeURIComponent(workflowId)}`);
  if (workflowId.length === 0 || workflowId.length > 200) notFound();
  try {
    const [status, standing] = await Promise.all([
      getWorkflowStatus(db, principal, workflowId),
      getQueue(db, principal, { workflow_id: workflowId, limit: 200 }),
    ]);
    return <WorkflowView initial={status} initialStanding={standing} />;
  } catch (error) {
    if (isServiceError(error) && error.code === "not_found") notFound();
    throw error;
  }
}
