// Every kind of event the audit log holds (SPEC §8), named once: the domain core's request
// events (lib/hitl/audit.ts) and the events the services and jobs record beside them. Writers
// are typed with it (db/queries/audit.ts AuditEventInput), the audit page's filter offers it,
// and the timeline has words for each (components/timeline.tsx).
import { AUDIT_EVENT_TYPES } from "@/lib/hitl";

export const AUDIT_TYPES = [
  ...AUDIT_EVENT_TYPES,
  "hitl.expiry_warned",
  "checkpoint.saved",
  "checkpoint.resumed",
  "checkpoint.expired",
  "checkpoint.cancelled",
  "workflow.resumed",
  "workflow.completed",
  "workflow.failed",
  "key.created",
  "key.revoked",
  "outbox.retried",
  "user.created",
  "user.role_changed",
  "user.disabled",
  "user.enabled",
  "user.slack_linked",
  "demo.history_seeded",
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

const known: ReadonlySet<string> = new Set(AUDIT_TYPES);
export const isAuditType = (type: string): type is AuditType => known.has(type);
