// The API's shapes as an agent sees them (SPEC §5), built into the package so that it needs
// nothing of the server: plain types, no schema library. The server's zod contract
// (lib/contract) is the source of truth; lib/contract/sdk-types.test.ts fails the type check
// when the two drift apart.

export type RequestStatus =
  | "pending"
  | "escalated"
  | "quarantined"
  | "approved"
  | "rejected"
  | "expired"
  | "cancelled";
export type RiskLevel = "low" | "medium" | "high" | "critical";
export type Decision = "approve" | "edit" | "reject";
export type Priority = "low" | "normal" | "high" | "urgent";

/** An action as an agent submits it. */
export interface ActionInput {
  /** What it does, e.g. `deploy`, `COMMUNICATION.SEND_EMAIL`, or a tool's name. */
  type: string;
  operation?: string;
  environment?: string;
  resource_type?: string;
  /** What people read first in the queue. */
  description: string;
  /** The arguments it runs with; reviewers may edit them. */
  inputs?: Record<string, unknown>;
  /** Facts for the rules and the reviewers that are not arguments. */
  context?: Record<string, unknown>;
}

/** An action as Airlock answers it (its description may be missing on old requests). */
export type ActionDto = Omit<ActionInput, "description"> & { description?: string };

export interface SubmitTaskBody {
  workflow_id: string;
  agent_name: string;
  action: ActionInput;
  thread_id?: string;
  priority?: Priority;
  /** What the agent's own approval protocol takes back; rejection always stands. */
  allowed_decisions?: Decision[];
  /** Where Airlock POSTs the signed result once the task has run. */
  callback_url?: string;
}

export interface Risk {
  level: RiskLevel;
  score: number;
  reasons: string[];
  matched_rules: string[];
}

export interface PersonDto {
  id: string;
  email: string;
  name: string | null;
}

export interface ApprovedByGrant {
  id: string;
  granted_by: PersonDto;
}

export interface SubmitTaskResponse {
  task_id: string;
  thread_id: string;
  approval_request_id: string;
  status: RequestStatus;
  auto_approved: boolean;
  approved_by_grant: ApprovedByGrant | null;
  risk: Risk;
  expires_at: string | null;
}

export interface ViaDto {
  channel: "browser" | "api" | "slack" | "cli";
  os_user: string | null;
}

export interface ApprovalGiven {
  approver_id: string;
  approver: PersonDto;
  via: ViaDto | null;
  role: string;
  justification: string | null;
  /** False once an edit changed what was approved: it no longer counts. */
  counts: boolean;
  at: string;
}

/** What the task's graph returned: the approved action to run, or why it will not run. */
export type ExecutionResult =
  | {
      executed: true;
      status: "approved";
      action: ActionDto;
      context: Record<string, unknown>;
    }
  | {
      executed: false;
      status: "rejected" | "expired" | "cancelled";
      reason: string | null;
      context: Record<string, unknown>;
    }
  | { executed: false; status: "failed"; error: string };

export interface TaskDto {
  task_id: string;
  workflow_id: string;
  thread_id: string;
  agent_name: string;
  approval_request_id: string;
  status: RequestStatus;
  auto_approved: boolean;
  approved_by_grant: ApprovedByGrant | null;
  execution: "waiting" | "running" | "completed" | "failed";
  risk: Risk;
  action: ActionDto;
  approvals: ApprovalGiven[];
  required_approvals: number;
  allowed_decisions: Decision[];
  decision: {
    status: "approved" | "rejected" | "expired" | "cancelled";
    decided_at: string;
    reviewer_id: string | null;
    reviewer: PersonDto | null;
    via: ViaDto | null;
    justification: string | null;
    reason: string | null;
  } | null;
  /** The inputs to run with when a reviewer edited them before approving; else null. */
  edited_inputs: Record<string, unknown> | null;
  escalated_to: string | null;
  created_at: string;
  expires_at: string;
  started_at: string | null;
  resumed_at: string | null;
  completed_at: string | null;
  result: ExecutionResult | null;
}

export interface ResumeResponse {
  task_id: string;
  status: "approved";
  resumed: true;
  resumed_at: string;
  action: ActionDto;
  execution: "completed";
  result: ExecutionResult;
}

export type CheckpointType =
  | "state"
  | "approval_gate"
  | "external_call"
  | "timer"
  | "error_recovery";

export interface SaveCheckpointBody {
  name: string;
  type: CheckpointType;
  data: Record<string, unknown>;
  expires_at?: string;
  correlation_id?: string;
  run_id?: string;
}

export interface CheckpointDto {
  checkpoint_id: string;
  action_id: string;
  name: string;
  type: CheckpointType;
  data: unknown;
  sequence_number: number;
  status: "active" | "resumed" | "expired" | "cancelled";
  correlation_id: string | null;
  run_id: string | null;
  created_at: string;
  expires_at: string | null;
  resumed_at: string | null;
  resumed_by: string | null;
}
