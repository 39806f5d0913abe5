// Every documented API route module, in the order the OpenAPI document lists them
// (GET /api/openapi.json, lib/api/openapi.ts): each handler carries its own spec and doc.
// The routes of the browser (auth, the dashboard's reads and events), the catch-all and the
// document itself are not listed; lib/api/fallback.db.test.ts holds this list to the route files
// on disk.
import * as health from "./health/route";
import * as approve from "./hitl/actions/[id]/approve/route";
import * as checkpointResume from "./hitl/actions/[id]/checkpoints/[checkpoint]/resume/route";
import * as checkpointByName from "./hitl/actions/[id]/checkpoints/[checkpoint]/route";
import * as checkpoints from "./hitl/actions/[id]/checkpoints/route";
import * as escalate from "./hitl/actions/[id]/escalate/route";
import * as quarantine from "./hitl/actions/[id]/quarantine/route";
import * as reject from "./hitl/actions/[id]/reject/route";
import * as release from "./hitl/actions/[id]/release/route";
import * as approvalQueue from "./hitl/approval-queue/route";
import * as assessRisk from "./hitl/assess-risk/route";
import * as grant from "./hitl/grants/[id]/route";
import * as grants from "./hitl/grants/route";
import * as riskRules from "./hitl/risk-rules/route";
import * as slackInteractions from "./integrations/slack/interactions/route";
import * as metrics from "./metrics/route";
import * as cancel from "./tasks/[id]/cancel/route";
import * as taskEvents from "./tasks/[id]/events/route";
import * as resume from "./tasks/[id]/resume/route";
import * as task from "./tasks/[id]/route";
import * as tasks from "./tasks/route";

export const API_ROUTES = [
  assessRisk,
  riskRules,
  tasks,
  task,
  taskEvents,
  resume,
  cancel,
  approvalQueue,
  approve,
  reject,
  escalate,
  quarantine,
  release,
  checkpoints,
  checkpointByName,
  checkpointResume,
  grants,
  grant,
  health,
  metrics,
  slackInteractions,
] as const;
