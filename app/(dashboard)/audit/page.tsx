import type { Metadata } from "next";
import { type AuditPage, AuditView } from "@/components/audit/audit-view";
import { listAuditEvents } from "@/lib/services/audit/audit";
import { firstParam, pathWithQuery, requireSignedIn } from "../_lib/session";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPageRoute({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const { db, principal } = await requireSignedIn(pathWithQuery("/audit", params));
  const type = firstParam(params.type)?.slice(0, 100) ?? "";
  const workflow = firstParam(params.workflow)?.slice(0, 200) ?? "";
  const initial = (await listAuditEvents(db, principal, {
    type: type || undefined,
    workflow_id: workflow || undefined,
    limit: 50,
  })) as AuditPage;
  return <AuditView initial={initial} initialType={type} initialWorkflow={workflow} />;
}
