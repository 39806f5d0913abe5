import type { KeyPrincipal } from "@/lib/services/keys";
import type { AgentCaller } from "@/lib/services/lifecycle";
import type { TaskReader } from "@/lib/services/tasks";

export type AgentPrincipal = Extract<KeyPrincipal, { kind: "agent" }>;

export function agentCaller(p: AgentPrincipal): AgentCaller {
  return { keyId: p.keyId, agent: p.agent, ownerId: p.ownerId };
}

export function taskReader(p: KeyPrincipal): TaskReader {
  return p.kind === "agent" ? { kind: "agent", keyId: p.keyId } : { kind: "reviewer" };
}
