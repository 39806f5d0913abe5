import type { Metadata } from "next";
import { GrantsView } from "@/components/grants/grants-view";
import { listGrantableAgents, listStandingApprovals } from "@/lib/services/grants/grants";
import { getRiskRules } from "@/lib/services/rules/rules";
import { requireSignedIn } from "../_lib/session";

export const metadata: Metadata = { title: "Standing approvals" };

export default async function GrantsPage() {
  const { db, principal, user } = await requireSignedIn("/grants");
  const permissions = getRiskRules(principal).permissions as Record<
    string,
    Record<string, string[]>
  >;
  // Every person reads the list; only those who may grant get the form (and the agents' names).
  const mayGrant = (permissions[user.role]?.grant ?? []).length > 0;
  const [grants, agents] = await Promise.all([
    listStandingApprovals(db, principal),
    mayGrant ? listGrantableAgents(db, principal) : Promise.resolve(null),
  ]);
  return <GrantsView initial={grants} agents={agents} />;
}
