// /insights — volume by level, time to decision, expiry rate, outcomes by agent and the busiest
// reviewers over the last 24 hours, 7 or 30 days (?window=), rendered with its numbers.
import type { Metadata } from "next";
import { InsightsView } from "@/components/insights/insights-view";
import {
  DEFAULT_INSIGHT_WINDOW,
  INSIGHT_WINDOW_NAMES,
  type InsightWindow,
} from "@/lib/contract/insights";
import { getInsights } from "@/lib/services/insights/insights";
import { firstParam, pathWithQuery, requireSignedIn } from "../_lib/session";

export const metadata: Metadata = { title: "Insights" };

export default async function InsightsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const params = await searchParams;
  const { db, principal } = await requireSignedIn(pathWithQuery("/insights", params));
  // A window the page does not offer (an old or hand-made link) shows the default one.
  const asked = firstParam(params.window);
  const window = INSIGHT_WINDOW_NAMES.includes(asked as InsightWindow)
    ? (asked as InsightWindow)
    : DEFAULT_INSIGHT_WINDOW;
  const data = await getInsights(db, principal, { window });
  return <InsightsView data={data} />;
}
