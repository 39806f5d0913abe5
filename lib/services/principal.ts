// Who is calling a service. Every service takes the principal first after the database and
// decides for itself what that principal may do, so a route, a server action, the CLI and the
// hosted workflows all pass through the same checks (STYLE.md: one door).
//
// - agent: an agent API key (submits, reads and resumes its own tasks, saves checkpoints).
// - user: a person, signed in or through a reviewer key; their role is read from the user
//   record inside each service call, never taken from the caller.
// - operator: the CLI on the machine that holds the database credentials: manages users and
//   keys and reads everything, but decides nothing (a decision needs a person: `--as EMAIL`).
// - system: the sweeper and other in-process jobs.
import type { Executor } from "@/db/client";
import { findUserById } from "@/db/queries/users";
import type { DecisionChannel, PersonDto } from "@/lib/contract/tasks";
import type { ActorType, Permission, Reviewer, Role } from "@/lib/hitl";
import { can, roleWords } from "@/lib/hitl";
import { hitlConfig } from "@/lib/services/rules/config";
import { ServiceError } from "./errors";

export type AgentPrincipal = {
  kind: "agent";
  keyId: string;
  /** The name the key was created with. */
  agent: string;
  /** The key's owner, who never approves what it submits (null only for keys made before owners were required). */
  ownerId: string | null;
  /**
   * When the database checked the key, by its clock: the instant an API request arrived.
   * A submit takes it as its `now` rather than asking the database again.
   */
  seenAt?: Date;
};
/**
 * How a person's call reached Airlock, recorded with each decision they make (SPEC §8.2): set
 * where the principal is made (the session, a reviewer key, a Slack click, the CLI's --as).
 */
export type Via = { channel: DecisionChannel; os_user?: string };
export type UserPrincipal = { kind: "user"; userId: string; via?: Via };
export type OperatorPrincipal = {
  kind: "operator";
  name: string;
  /** The operating-system user running the CLI: a decision made `--as` someone records it. */
  osUser?: string;
};
export type SystemPrincipal = { kind: "system" };
export type Principal = AgentPrincipal | UserPrincipal | OperatorPrincipal | SystemPrincipal;

export const SYSTEM: SystemPrincipal = { kind: "system" };

/** The CLI's principal; `name` says who runs it, for the audit (`cli:<OS user>`). */
export function operator(name: string, osUser?: string): OperatorPrincipal {
  return osUser === undefined ? { kind: "operator", name } : { kind: "operator", name, osUser };
}

/** Who did something, as the audit log records it. */
export type AuditActor = { actor_type: ActorType; actor_id: string | null };

export function auditActor(p: Principal): AuditActor {
  switch (p.kind) {
    case "agent":
      return { actor_type: "agent", actor_id: p.keyId };
    case "user":
      return { actor_type: "user", actor_id: p.userId };
    case "operator":
      return { actor_type: "operator", actor_id: p.name };
    case "system":
      return { actor_type: "system", actor_id: null };
  }
}

const forbidden = (message: string) => new ServiceError("forbidden", message);

export function requireAgent(p: Principal, what: string): AgentPrincipal {
  if (p.kind !== "agent") throw forbidden(`Only an agent key may ${what}`);
  return p;
}

/**
 * The person as they stand now: eligibility comes from the user record at the moment of the
 * call, not from what a page or a key showed earlier. Disabled or unknown users are refused.
 */
export async function currentReviewer(tx: Executor, userId: string): Promise<Reviewer> {
  return (await currentPerson(tx, userId)).reviewer;
}

/** currentReviewer, with the person's name and email (for what names who decided). */
export async function currentPerson(
  tx: Executor,
  userId: string,
): Promise<{ reviewer: Reviewer; person: PersonDto }> {
  const user = await findUserById(tx, userId);
  if (!user || user.disabledAt) throw forbidden("Unknown or disabled user");
  return {
    reviewer: { id: user.id, role: user.role as Role },
    person: { id: user.id, email: user.email, name: user.name },
  };
}

export async function requireUser(tx: Executor, p: Principal, what: string): Promise<Reviewer> {
  if (p.kind !== "user") throw forbidden(`Only a signed-in reviewer may ${what}`);
  return currentReviewer(tx, p.userId);
}

/**
 * For what people and the operator may both do: the operator always may; a user needs the
 * permission now (read from their record); agents and the system never.
 */
export async function requireOperatorOr(
  tx: Executor,
  p: Principal,
  permission: Permission,
  what: string,
): Promise<Reviewer | null> {
  if (p.kind === "operator") return null;
  if (p.kind !== "user") throw forbidden(`Only the operator or a reviewer may ${what}`);
  const reviewer = await currentReviewer(tx, p.userId);
  if (!can(hitlConfig().ruleSet.policies, reviewer.role, permission)) {
    throw forbidden(`A ${roleWords(reviewer.role)} may not ${what}`);
  }
  return reviewer;
}

/** Reading the queue, requests, workflows and the audit: any person, or the operator. */
export async function requireViewer(
  tx: Executor,
  p: Principal,
  what: string,
): Promise<Reviewer | null> {
  return requireOperatorOr(tx, p, "view", what);
}

export function requireOperator(p: Principal, what: string): OperatorPrincipal {
  if (p.kind !== "operator") throw forbidden(`Only the operator (the CLI) may ${what}`);
  return p;
}
