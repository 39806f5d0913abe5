// `npm run example:<framework>`: examples/<framework>/agent.ts run the way an outside project
// runs it — the SDK packed (`npm pack` of packages/sdk), installed into an empty temp project
// beside only that framework, and the example run there with plain `node` (Node 24 runs
// TypeScript by stripping its types). AIRLOCK_URL and AIRLOCK_API_KEY pass through.
import path from "node:path";
import { FRAMEWORK_PACKAGES, sdkProject } from "@/tools/sdk-project";

async function main(name: string): Promise<number> {
  const packages = FRAMEWORK_PACKAGES[name];
  if (packages === undefined) {
    const names = Object.keys(FRAMEWORK_PACKAGES).join("|");
    process.stderr.write(`usage: tsx scripts/example.ts ${names}\n`);
    return 2;
  }
  process.stderr.write(`Installing the packed @airlock/sdk and ${packages.join(", ")}…\n`);
  const project = sdkProject(name, packages);
  try {
    project.add(path.join(__dirname, "..", "examples", name, "agent.ts"));
    const run = project.run(
      "agent.ts",
      {
        AIRLOCK_URL: process.env.AIRLOCK_URL ?? "http://localhost:3000",
        AIRLOCK_API_KEY: process.env.AIRLOCK_API_KEY ?? "",
      },
      (line) => process.stdout.write(`${line}\n`),
    );
    run.child.stderr?.pipe(process.stderr);
    return (await run.exited) ?? 1;
  } finally {
    project.dispose();
  }
}

main(process.argv[2] ?? "").then((code) => {
  process.exitCode = code;
});
