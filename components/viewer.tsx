"use client";
import { createContext, type ReactNode, useContext } from "react";
// Who is reading, as the server saw them when the page was rendered: for showing the right
// buttons only. Every action is checked again on the server.
import type { Permission } from "@/lib/hitl/permissions";
import type { RiskLevel } from "@/lib/hitl/types";

export interface LevelPolicy {
  level: RiskLevel;
  requires_justification: boolean;
  required_approvals: number;
  required_role: string;
  timeout_minutes: number;
}

export interface ViewerInfo {
  user: { id: string; email: string; role: string; name: string | null };
  /** For each permission, the levels at which the role holds it. */
  permissions: Record<Permission, RiskLevel[]>;
  escalateTo: string | null;
  roleRank: Record<string, number>;
  levels: Record<RiskLevel, LevelPolicy>;
  /** Every account by id, to name approvers and claimers. */
  people: Record<string, { email: string; role: string }>;
}

const Viewer = createContext<ViewerInfo | null>(null);

export function ViewerProvider({ value, children }: { value: ViewerInfo; children: ReactNode }) {
  return <Viewer.Provider value={value}>{children}</Viewer.Provider>;
}

export function useViewer(): ViewerInfo {
  const v = useContext(Viewer);
  if (!v) throw new Error("useViewer outside the dashboard");
  return v;
}

export function can(v: ViewerInfo, permission: Permission, level?: RiskLevel): boolean {
  const levels = v.permissions[permission] ?? [];
  return level === undefined ? levels.length > 0 : levels.includes(level);
}

/** A person's email when known, else a short id. */
export function personName(v: ViewerInfo, id: string | null | undefined): string {
  if (!id) return "—";
  if (id === v.user.id) return "you";
  return v.people[id]?.email ?? `${id.slice(0, 8)}…`;
}

/** Whether the role may escalate this request further up the chain. */
export function canEscalate(
  v: ViewerInfo,
  r: { status: string; escalated_to: string | null },
): boolean {
  if (!can(v, "escalate") || v.escalateTo === null) return false;
  if (r.status !== "pending" && r.status !== "escalated") return false;
  const target = v.roleRank[v.escalateTo] ?? 0;
  return r.escalated_to === null || (v.roleRank[r.escalated_to] ?? 0) < target;
}
