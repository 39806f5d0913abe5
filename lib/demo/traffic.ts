// Two weeks of made-up but plausible traffic for the demo, so its insights page has something
// to show on first look: five agents submitting at every level, more in working hours than at
// night and at weekends; people approving (critical actions by two, with justifications),
// rejecting with reasons, and now and then letting a request run out of time or escalate.
// Every request goes through the domain core at the time it happened (lib/demo/history.ts)
// and only closed ones are kept, so the queue stays as it was. Written once per database: an
// audit event records it (and says the history is the demo's, not real traffic).
//
// Only the demo command calls this, and it refuses in production.
import type { Database } from "@/db/client";
import { databaseNow } from "@/db/queries/clock";
import { hasAuditEventOfType, lockHistorySeed } from "@/db/queries/history";
import { findActiveKeyByHash } from "@/db/queries/keys";
import { findUserByEmail } from "@/db/queries/users";
import { actionSchema } from "@/lib/contract/tasks";
import { type Action, assess, type Command, type Reviewer, type RiskLevel } from "@/lib/hitl";
import { hashApiKey } from "@/lib/services/accounts/keys";
import { hitlConfig } from "@/lib/services/rules/config";
import { type HistoryItem, type HistoryStep, insertSimulated, simulateRequest } from "./history";
import { DEMO_USERS } from "./seed";

export const DEMO_HISTORY_EVENT = "demo.history_seeded";
export const DEMO_HISTORY_DAYS = 14;

/** The people who review in the demo, by what they do most. */
export interface DemoHistoryPeople {
  developer: Reviewer;
  lead: Reviewer;
  ops: Reviewer;
  ops2: Reviewer;
}

export interface DemoHistoryOptions {
  key: HistoryItem["key"];
  people: DemoHistoryPeople;
  days?: number;
  /** The end of the history (default: the database's clock). */
  now?: Date;
  /** The same seed gives the same history (relative to `now`). */
  seed?: number;
}

/** A small, fast, seedable generator (mulberry32): the same history on every first run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Weighted<T> = readonly (readonly [T, number])[];

function pick<T>(rand: () => number, options: Weighted<T>): T {
  const total = options.reduce((sum, [, w]) => sum + w, 0);
  let r = rand() * total;
  for (const [value, w] of options) {
    r -= w;
    if (r <= 0) return value;
  }
  return (options.at(-1) as readonly [T, number])[0];
}

function poisson(rand: () => number, mean: number): number {
  const limit = Math.exp(-mean);
  let k = 0;
  for (let p = rand(); p > limit; p *= rand()) k++;
  return k;
}

/** Minutes, log-normally spread around a median: most decisions quick, a few slow. */
function delayMinutes(rand: () => number, median: number): number {
  const normal = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Math.max(0.3, median * Math.exp(0.85 * normal));
}

const deploy = (environment: string, service: string): Action => ({
  type: "deploy",
  operation: "deploy",
  environment,
  description: `Deploy ${service} to ${environment}`,
  inputs: { service, version: "2.4.1" },
});

const AGENTS: Weighted<{ name: string; actions: Weighted<Action> }> = [
  [
    {
      name: "release-bot",
      actions: [
        [deploy("staging", "checkout"), 4],
        [deploy("production", "checkout"), 3],
        [deploy("development", "search"), 3],
        [
          {
            type: "GIT.MERGE",
            operation: "merge",
            description: "Merge the release branch into main",
            inputs: { target_branch: "main", pull_request: 4182 },
          },
          2,
        ],
      ],
    },
    3,
  ],
  [
    {
      name: "data-pipeline",
      actions: [
        [
          {
            type: "DATABASE.SELECT",
            operation: "select",
            resource_type: "database",
            description: "Read yesterday's orders",
          },
          5,
        ],
        [
          {
            type: "DATA.IMPORT",
            operation: "import",
            resource_type: "data",
            description: "Import the partner price list",
          },
          2,
        ],
        [
          {
            type: "DATA.EXPORT",
            operation: "export",
            resource_type: "data",
            description: "Export usage metrics to the warehouse",
          },
          2,
        ],
        [
          {
            type: "DATA.EXPORT",
            operation: "export",
            resource_type: "data",
            description: "Export customer records for the audit",
            inputs: { data_sensitive: true, rows: 48_000 },
          },
          0.6,
        ],
      ],
    },
    2,
  ],
  [
    {
      name: "support-mailer",
      actions: [
        [{ type: "CRM.GET_CONTACT", description: "Look up the ticket's contact" }, 5],
        [{ type: "CRM.ENRICH_PROFILE", description: "Enrich the customer's profile" }, 2],
        [
          {
            type: "COMMUNICATION.SEND_EMAIL",
            description: "Email the customer about their refund",
            inputs: { to: "jo@customer.example", subject: "Your refund" },
          },
          1.2,
        ],
      ],
    },
    2,
  ],
  [
    {
      name: "infra-pilot",
      actions: [
        [{ type: "FILE.READ", operation: "read", description: "Read the Terraform plan" }, 3],
        [
          {
            type: "infrastructure",
            operation: "create",
            resource_type: "infrastructure",
            environment: "staging",
            description: "Create a staging cache cluster",
          },
          2,
        ],
        [
          {
            type: "scale",
            operation: "scale",
            environment: "production",
            description: "Scale the API to 12 replicas",
          },
          2,
        ],
        [
          {
            type: "firewall",
            operation: "modify",
            resource_type: "firewall",
            environment: "production",
            description: "Open port 8443 to the partner network",
          },
          1,
        ],
        [
          {
            type: "secrets",
            operation: "rotate",
            resource_type: "secret",
            environment: "production",
            description: "Rotate the payment provider's API key",
          },
          0.5,
        ],
      ],
    },
    1.5,
  ],
  [
    {
      name: "finance-agent",
      actions: [
        [{ type: "REPORT.LIST", description: "List this month's reports" }, 3],
        [{ type: "ANALYSIS.FORECAST", description: "Forecast next quarter's revenue" }, 2],
        [
          {
            type: "PAYMENT.TRANSFER",
            description: "Pay a supplier invoice",
            inputs: { amount: 2_400, currency: "EUR" },
          },
          1.5,
        ],
        [
          {
            type: "PAYMENT.TRANSFER",
            description: "Pay the quarterly hosting bill",
            inputs: { amount: 28_000, currency: "EUR" },
          },
          1,
        ],
        [{ type: "DOCUMENT.GENERATE_INVOICE", description: "Generate the March invoices" }, 1],
      ],
    },
    1,
  ],
];

type Outcome = "approve" | "reject" | "expire" | "cancel";

const OUTCOMES: Record<RiskLevel, Weighted<Outcome>> = {
  low: [
    ["approve", 90],
    ["reject", 5],
    ["expire", 5],
  ],
  medium: [
    ["approve", 78],
    ["reject", 12],
    ["expire", 7],
    ["cancel", 3],
  ],
  high: [
    ["approve", 68],
    ["reject", 19],
    ["expire", 10],
    ["cancel", 3],
  ],
  critical: [
    ["approve", 58],
    ["reject", 27],
    ["expire", 15],
  ],
};

/** The median minutes people take, per level: the riskier, the longer they look. */
const MEDIAN_MINUTES: Record<RiskLevel, number> = { low: 1.5, medium: 4, high: 9, critical: 24 };

const REJECTIONS = [
  "Not during the release freeze",
  "Wrong target: use the canary first",
  "Needs a ticket reference",
  "Too broad; narrow it down and resubmit",
  "The customer asked not to be contacted",
];

const JUSTIFICATIONS = [
  "Checked with the owning team",
  "Matches the change request",
  "Reviewed the diff and the rollback plan",
];

/** Who a level's requests go to first, most often; the others follow as fallbacks. */
function reviewersFor(
  rand: () => number,
  level: RiskLevel,
  p: DemoHistoryPeople,
): readonly Reviewer[] {
  const order: Record<RiskLevel, Weighted<Reviewer[]>> = {
    low: [
      [[p.developer, p.lead, p.ops], 3],
      [[p.lead, p.ops], 1],
    ],
    medium: [
      [[p.lead, p.ops, p.ops2], 6],
      [[p.ops, p.lead, p.ops2], 2.5],
      [[p.ops2, p.lead, p.ops], 1.5],
    ],
    high: [
      [[p.lead, p.ops, p.ops2], 5],
      [[p.ops, p.ops2, p.lead], 3],
      [[p.ops2, p.ops, p.lead], 2],
    ],
    critical: [
      [[p.ops, p.ops2], 6],
      [[p.ops2, p.ops], 4],
    ],
  };
  return pick(rand, order[level]);
}

/** The hourly arrival rate at an instant: working hours (UTC) busy, nights and weekends quiet. */
function arrivalsPerHour(at: Date, daysAgo: number): number {
  const hour = at.getUTCHours();
  const weekend = at.getUTCDay() === 0 || at.getUTCDay() === 6;
  const working = hour >= 7 && hour < 19;
  // Traffic grew over the fortnight, as a new integration caught on.
  const growth = 1 + 0.04 * (DEMO_HISTORY_DAYS - daysAgo);
  return 1.3 * growth * (working ? 1.7 : 0.3) * (weekend ? 0.35 : 1);
}

/** The history's items, before the core has run them. */
export function planDemoHistory(options: {
  key: HistoryItem["key"];
  people: DemoHistoryPeople;
  days: number;
  now: Date;
  seed: number;
}): HistoryItem[] {
  const rand = random(options.seed);
  const ruleSet = hitlConfig().ruleSet;
  const items: HistoryItem[] = [];
  const end = options.now.getTime();
  let n = 0;
  for (let h = options.days * 24; h >= 1; h--) {
    const hourStart = end - h * 3_600_000;
    const count = poisson(rand, arrivalsPerHour(new Date(hourStart), h / 24));
    for (let i = 0; i < count; i++) {
      const createdAt = new Date(hourStart + Math.floor(rand() * 3_600_000));
      const agent = pick(rand, AGENTS);
      // Through the agents' own schema: the demo seeds only what an agent could submit.
      const action = actionSchema.parse(pick(rand, agent.actions));
      const assessment = assess(ruleSet, action);
      n++;
      items.push({
        key: options.key,
        agentName: agent.name,
        workflowId: `${agent.name}-${String(n).padStart(4, "0")}`,
        action,
        createdAt,
        steps: assessment.requires_approval
          ? stepsFor(rand, assessment.level, assessment.timeout_minutes, createdAt, options.people)
          : [],
      });
    }
  }
  return items;
}

function stepsFor(
  rand: () => number,
  level: RiskLevel,
  timeoutMinutes: number,
  createdAt: Date,
  people: DemoHistoryPeople,
): HistoryStep[] {
  const outcome = pick(rand, OUTCOMES[level]);
  if (outcome === "expire") return [];
  const after = (minutes: number) => new Date(createdAt.getTime() + minutes * 60_000);
  // People answer short deadlines quicker: a quarter of the level's time at most, typically.
  const median = Math.min(MEDIAN_MINUTES[level], timeoutMinutes / 4);
  const first = after(delayMinutes(rand, median));
  if (outcome === "cancel") {
    return [{ at: first, by: "agent", command: { type: "cancel", reason: "Superseded" } }];
  }
  const by = reviewersFor(rand, level, people);
  if (outcome === "reject") {
    const reason = REJECTIONS[Math.floor(rand() * REJECTIONS.length)] as string;
    return [{ at: first, by, command: { type: "reject", reason } }];
  }
  const justification = JUSTIFICATIONS[Math.floor(rand() * JUSTIFICATIONS.length)] as string;
  const approve: Command = { type: "approve", justification };
  // A second person for what needs two (the core refuses the first one's second vote, and the
  // step of a request already approved is skipped).
  const second = after(
    (first.getTime() - createdAt.getTime()) / 60_000 +
      delayMinutes(rand, MEDIAN_MINUTES[level] / 2),
  );
  return [
    { at: first, by, command: approve },
    { at: second, by: [...by].reverse(), command: approve },
  ];
}

/**
 * Write the demo's history once per database (later calls find its audit event and write
 * nothing). Returns how many requests it wrote.
 */
export async function seedDemoHistory(db: Database, options: DemoHistoryOptions): Promise<number> {
  if (process.env.NODE_ENV === "production") {
    throw new Error("Refusing to seed a demo history with NODE_ENV=production");
  }
  const ruleSet = hitlConfig().ruleSet;
  return db.transaction(async (tx) => {
    await lockHistorySeed(tx);
    if (await hasAuditEventOfType(tx, DEMO_HISTORY_EVENT)) return 0;
    const now = options.now ?? (await databaseNow(tx));
    const days = options.days ?? DEMO_HISTORY_DAYS;
    const items = planDemoHistory({
      key: options.key,
      people: options.people,
      days,
      seed: options.seed ?? 20_260_301,
      now,
    });
    // Lenient: a reviewer the core refuses (the request escalated past their role, or it
    // expired first) simply did not act; only what had closed by now is kept.
    const simulated = items
      .map((item) => simulateRequest(ruleSet, item, { strict: false }))
      .filter((s) => (s.request.decided_at as Date).getTime() <= now.getTime());
    await insertSimulated(tx, simulated, [
      {
        type: DEMO_HISTORY_EVENT,
        at: now,
        actor_type: "operator",
        actor_id: "demo-seed",
        payload: {
          requests: simulated.length,
          from: new Date(now.getTime() - days * 86_400_000).toISOString(),
          to: now.toISOString(),
          note: "Made-up history for the demo's insights, not real traffic",
        },
      },
    ]);
    return simulated.length;
  });
}

/** The demo's history for the demo's agent key and people (lib/demo/seed.ts's seed). */
export async function seedDemoHistoryFor(db: Database, agentKey: string): Promise<number> {
  const key = await findActiveKeyByHash(db, hashApiKey(agentKey));
  if (key?.scope !== "agent") throw new Error("the demo's agent key is missing");
  const person = async (role: Reviewer["role"], nth = 0): Promise<Reviewer> => {
    const email = DEMO_USERS.filter((u) => u.role === role)[nth]?.email;
    const user = email ? await findUserByEmail(db, email) : undefined;
    if (!user) throw new Error(`the demo has no ${role} #${nth + 1}`);
    return { id: user.id, role: user.role as Reviewer["role"] };
  };
  return seedDemoHistory(db, {
    key: { id: key.id, ownerId: key.userId, agent: key.name },
    people: {
      developer: await person("developer"),
      lead: await person("tech_lead"),
      ops: await person("devops_engineer"),
      ops2: await person("devops_engineer", 1),
    },
  });
}
