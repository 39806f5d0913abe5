import { RISK_LEVELS, type RiskLevel } from "@/lib/hitl/types";
// The queue's filters as they live in the URL (?tab=&risk=&agent=&type=&mine=1), read the same
// way by the server page and the client view.

export const TABS = ["pending", "escalated", "quarantined", "decided"] as const;
export type Tab = (typeof TABS)[number];

export interface QueueFilters {
  tab: Tab;
  risk?: RiskLevel;
  agent?: string;
  /** Part of the action type, any case: the server filters open tabs (and their counts) by it. */
  type?: string;
  /** Only what the reader may approve now. */
  mine: boolean;
}

type Params = { get(name: string): string | null };

export function readFilters(params: Params): QueueFilters {
  const tab = params.get("tab");
  const risk = params.get("risk");
  const agent = params.get("agent")?.trim().slice(0, 100);
  const type = params.get("type")?.trim().slice(0, 200);
  return {
    tab: (TABS as readonly string[]).includes(tab ?? "") ? (tab as Tab) : "pending",
    risk: (RISK_LEVELS as readonly string[]).includes(risk ?? "") ? (risk as RiskLevel) : undefined,
    agent: agent || undefined,
    type: type || undefined,
    mine: params.get("mine") === "1",
  };
}

export function filtersToSearch(f: QueueFilters): string {
  const q = new URLSearchParams();
  if (f.tab !== "pending") q.set("tab", f.tab);
  if (f.risk) q.set("risk", f.risk);
  if (f.agent) q.set("agent", f.agent);
  if (f.type) q.set("type", f.type);
  if (f.mine) q.set("mine", "1");
  const s = q.toString();
  return s ? `?${s}` : "";
}

export const PAGE_SIZE = 50;

/** The queue read's input for an open tab (components/reads.ts). */
export function queueQuery(f: QueueFilters, cursor?: string) {
  return {
    status: f.tab === "decided" ? undefined : f.tab,
    risk_level: f.risk,
    agent: f.agent,
    type: f.type,
    // Quarantined requests wait for a release, not an approval.
    actionable: f.mine && f.tab !== "quarantined" ? ("true" as const) : ("false" as const),
    cursor,
    limit: PAGE_SIZE,
  };
}

export function recentQuery(f: QueueFilters, before?: { decided_at: string; id: string }) {
  return { risk_level: f.risk, agent: f.agent, before, limit: PAGE_SIZE };
}

export function matchesType(type: string, filter: string | undefined): boolean {
  return !filter || type.toLowerCase().includes(filter.toLowerCase());
}

/** What the URL params object of a server page looks like, as a `get`-able. */
export function paramsOf(record: Record<string, string | string[] | undefined>): Params {
  return {
    get: (name) => {
      const v = record[name];
      return (Array.isArray(v) ? v[0] : v) ?? null;
    },
  };
}
