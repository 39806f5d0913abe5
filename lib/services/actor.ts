// Who did something, as the audit log records it: a user id, an agent key id, or the system.
import type { ActorType } from "@/lib/hitl";

export type AuditActor = { actor_type: ActorType; actor_id: string | null };

export const SYSTEM_ACTOR: AuditActor = { actor_type: "system", actor_id: null };
