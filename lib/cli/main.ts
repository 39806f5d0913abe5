// The operator CLI: `npm run --silent hitl -- <command> [options]`.
// It acts as the named user with that user's role: an operator tool, not a bypass.
import { closeDb, createDb, type DbHandle } from "@/db/client";
import { env } from "@/lib/env";
import { isServiceError } from "@/lib/services/errors";
import { COMMANDS, type CommandContext, usage } from "./commands";
import { CliError } from "./output";

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`hitl: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  let handle: DbHandle | undefined;
  const ctx: CommandContext = {
    async db() {
      handle ??= await createDb({ url: env().DATABASE_URL });
      return handle;
    },
    out: (text) => process.stdout.write(text.endsWith("\n") ? text : `${text}\n`),
  };
  try {
    await command.run(rest, ctx);
    return 0;
  } catch (error) {
    if (error instanceof CliError || isServiceError(error)) {
      process.stderr.write(`hitl ${name}: ${error.message}\n`);
      return error instanceof CliError ? error.exitCode : 1;
    }
    process.stderr.write(`hitl ${name}: ${(error as Error).message}\n`);
    return 1;
  } finally {
    await handle?.close();
    await closeDb();
  }
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
