// The house's layers and the arrows allowed between them, as a table: every import of the
// app's own code (not packages) is checked against it, and an arrow against the design fails
// here, naming the file and the import. The core's own rules (which packages it may use, and
// that it reads bottom-up) are lib/hitl/boundary.test.ts.
//
// Reading the table: a layer may import its own files and the layers it lists. Test support
// (fixtures, stubs, the test databases' set-up) may be imported only by tests and by other
// test support; tests themselves may import anything.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importsOf, sourceFiles } from "@/test-support/imports";

const ROOT = path.join(import.meta.dirname, "..");

type Layer =
  | "core"
  | "contract"
  | "platform"
  | "net"
  | "config"
  | "db"
  | "graph"
  | "services"
  | "jobs"
  | "demo"
  | "auth"
  | "api"
  | "cli"
  | "tools"
  | "app"
  | "components"
  | "sdk"
  | "e2e"
  | "scripts";

/** Where each layer lives, the more specific first. */
const PLACES: readonly [Layer, RegExp][] = [
  ["core", /^lib\/hitl\//],
  ["contract", /^lib\/contract\//],
  ["net", /^lib\/net\//],
  ["config", /^lib\/config\//],
  ["graph", /^lib\/graph\//],
  ["services", /^lib\/services\//],
  ["jobs", /^lib\/jobs\//],
  ["demo", /^lib\/demo\//],
  ["auth", /^lib\/auth\//],
  ["api", /^lib\/api\//],
  ["cli", /^lib\/cli\//],
  ["tools", /^(tools|\.ci|test-support)\//],
  ["platform", /^lib\/[^/]+\.tsx?$/],
  ["db", /^db\//],
  ["app", /^(app\/|instrumentation\.ts$)/],
  ["components", /^components\//],
  ["sdk", /^packages\/sdk\//],
  ["e2e", /^e2e\//],
  ["scripts", /^(scripts|examples)\//],
];

/**
 * What each layer may import. Bottom up: the core and the contract (the domain's words, which
 * client code may import) import nothing of the app; the database layer and the graph build on
 * them; the services (rooms by domain: requests, accounts, audit, grants, insights, rules,
 * integrations) on the database; the background jobs (the outbox worker, the sweeper, the
 * sealer, and the graph driver, all started in lib/jobs/startup.ts) drive the graph and the
 * services, which never run a graph themselves; the API, the CLI and the pages drive the
 * services and jobs; components are client code and reach the server only through the pages'
 * server actions. The demo's data is the CLI's alone. The SDK is a package of its own and
 * imports nothing of the app.
 */
const ALLOWED: Record<Layer, readonly Layer[]> = {
  core: [],
  contract: ["core"],
  platform: ["net", "contract", "core"],
  net: ["platform", "core"],
  config: ["core", "contract", "platform"],
  db: ["core", "contract", "config", "platform"],
  graph: ["db", "core", "platform"],
  services: ["db", "core", "contract", "config", "net", "platform"],
  jobs: ["services", "graph", "db", "core", "contract", "config", "net", "platform"],
  demo: ["services", "db", "core", "contract", "config", "platform"],
  auth: ["services", "db", "core", "contract", "platform"],
  api: ["services", "auth", "db", "core", "contract", "net", "platform"],
  cli: ["demo", "jobs", "services", "graph", "db", "core", "contract", "config", "net", "platform"],
  app: ["components", "api", "auth", "jobs", "services", "db", "core", "contract", "platform"],
  components: ["app", "auth", "core", "contract"],
  sdk: [],
  tools: [
    "cli",
    "api",
    "jobs",
    "services",
    "graph",
    "db",
    "core",
    "contract",
    "config",
    "net",
    "platform",
  ],
  e2e: ["cli", "services", "db", "core", "contract", "config", "net", "platform", "tools"],
  scripts: ["tools", "cli", "core", "contract", "config", "platform"],
};

/** Test support: fixtures, stubs and the test databases' set-up, in a folder of their own. */
const TEST_SUPPORT = /^test-support\//;
const isTestSupport = (file: string) => TEST_SUPPORT.test(file);

function layerOf(file: string): Layer | null {
  for (const [layer, place] of PLACES) if (place.test(file)) return layer;
  return null;
}

/** The file an import names, relative to the root; null for a package. */
function target(from: string, spec: string): string | null {
  if (spec.startsWith("@/")) return spec.slice(2);
  if (spec.startsWith("."))
    return path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  return null;
}

/** Why `from` may not import `spec`, or null when it may. */
function arrowProblem(from: string, spec: string): string | null {
  const to = target(from, spec);
  if (to === null) return null;
  // Tests and test support may import anything of the app (the e2e specs keep their layer).
  if (/\.test\.tsx?$/.test(from) || isTestSupport(from)) return null;
  if (isTestSupport(to) && !from.startsWith("e2e/")) {
    return `${from} imports ${spec}: test support, for tests only`;
  }
  const a = layerOf(from);
  const b = layerOf(to);
  if (a === null || b === null || a === b) return null;
  return ALLOWED[a].includes(b)
    ? null
    : `${from} imports ${spec}: ${a} may import ${ALLOWED[a].join(", ") || "nothing of the app"}, not ${b}`;
}

const DIRS = [
  "lib",
  "db",
  "app",
  "components",
  "packages/sdk/src",
  "e2e",
  "scripts",
  "examples",
  ".ci",
  "tools",
  "test-support",
];

describe("the layers of the house", () => {
  const files = [
    ...DIRS.flatMap((d) => sourceFiles(path.join(ROOT, d), { tests: true })),
    path.join(ROOT, "instrumentation.ts"),
  ].map((f) => path.relative(ROOT, f).split(path.sep).join("/"));

  it("finds every layer's files", () => {
    const seen = new Set(files.map(layerOf));
    for (const layer of Object.keys(ALLOWED)) expect(seen, layer).toContain(layer);
  });

  it("has no arrow against the design", () => {
    const problems = files.flatMap((file) =>
      importsOf(fs.readFileSync(path.join(ROOT, file), "utf8"))
        .map((spec) => arrowProblem(file, spec))
        .filter((p): p is string => p !== null),
    );
    expect(problems).toEqual([]);
  });

  describe("the checker itself", () => {
    it.each([
      [
        "components/queue/queue-view.tsx",
        "@/lib/services/requests/recent",
        "components may import",
      ],
      ["components/x.tsx", "@/db/client", "not db"],
      ["lib/hitl/risk.ts", "@/lib/services/requests/tasks", "core may import nothing of the app"],
      ["lib/contract/api.ts", "@/db/schema", "not db"],
      ["db/queries/requests.ts", "@/lib/services/requests/lifecycle", "not services"],
      ["lib/graph/approval-graph.ts", "@/lib/jobs/workflow", "not jobs"],
      ["lib/services/requests/tasks.ts", "@/lib/jobs/workflow", "not jobs"],
      ["lib/services/requests/tasks.ts", "@/lib/graph/approval-graph", "not graph"],
      ["app/page.tsx", "@/lib/demo/seed", "not demo"],
      ["lib/services/requests/tasks.ts", "@/lib/api/route", "not api"],
      ["lib/services/requests/tasks.ts", "@/test-support/services", "test support"],
      ["lib/api/route.ts", "@/app/api/tasks/route", "not app"],
      ["packages/sdk/src/client.ts", "../../../lib/contract/tasks", "nothing of the app"],
      ["lib/services/requests/outbox.ts", "@/tools/bench/http", "not tools"],
    ])("refuses %s → %s", (from, spec, why) => {
      expect(arrowProblem(from, spec)).toContain(why);
    });

    it.each([
      ["lib/services/requests/tasks.ts", "@/db/queries/requests"],
      ["lib/services/requests/tasks.ts", "./execution"],
      ["lib/jobs/workflow.ts", "@/lib/graph/approval-graph"],
      ["lib/cli/demo.ts", "@/lib/demo/seed"],
      ["components/timeline.tsx", "@/lib/contract/tasks"],
      ["app/page.tsx", "@/lib/services/requests/queue"],
      ["lib/services/requests/tasks.db.test.ts", "@/test-support/services"],
      ["test-support/api.ts", "@/app/api/tasks/route"],
      ["lib/jobs/outbox-worker.ts", "@airlock/sdk"],
      ["lib/services/requests/tasks.ts", "zod"],
    ])("allows %s → %s", (from, spec) => {
      expect(arrowProblem(from, spec)).toBeNull();
    });
  });
});
