import { parseArgs } from "node:util";
import type { DbHandle } from "@/db/client";
import { createApiKey, listApiKeys, revokeApiKey } from "@/lib/services/keys";
import { addUser, listUsers, setUserRole } from "@/lib/services/users";
import { CliError, table } from "./output";

export interface CommandContext {
  db(): Promise<DbHandle>;
  out(text: string): void;
}

interface Command {
  summary: string;
  run(args: string[], ctx: CommandContext): Promise<void>;
}

type OptionSpec = Record<string, { type: "string" | "boolean" }>;

function parse<O extends OptionSpec>(args: string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({
      args,
      options: { ...options, json: { type: "boolean" } },
      allowPositionals: positionals > 0,
      strict: true,
    });
    if (parsed.positionals.length > positionals) {
      throw new CliError(`unexpected argument "${parsed.positionals[positionals]}"`);
    }
    return parsed;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError((error as Error).message);
  }
}

function required(value: string | boolean | undefined, flag: string): string {
  if (typeof value !== "string" || value.length === 0) throw new CliError(`${flag} is required`);
  return value;
}

const print = (ctx: CommandContext, json: boolean | undefined, data: unknown, human: string) =>
  ctx.out(json ? JSON.stringify(data, null, 2) : human);

export const COMMANDS: Record<string, Command> = {
  "init-db": {
    summary: "apply the database migrations (idempotent)",
    async run(args, ctx) {
      const { values } = parse(args, {});
      const handle = await ctx.db();
      await handle.migrate();
      print(
        ctx,
        values.json,
        { ok: true, database: handle.kind },
        `Database is up to date (${handle.kind}).`,
      );
    },
  },
  users: {
    summary:
      "users add --email E --role R [--password P] [--name N] | users list | users set-role --email E --role R",
    async run(args, ctx) {
      const [sub, ...rest] = args;
      const { db } = await ctx.db();
      if (sub === "add") {
        const { values } = parse(rest, {
          email: { type: "string" },
          role: { type: "string" },
          password: { type: "string" },
          name: { type: "string" },
        });
        const user = await addUser(db, {
          email: required(values.email, "--email"),
          role: required(values.role, "--role"),
          password: values.password,
          name: values.name,
        });
        print(
          ctx,
          values.json,
          { id: user.id, email: user.email, role: user.role },
          `Added ${user.email} (${user.role}), id ${user.id}`,
        );
      } else if (sub === "list") {
        const { values } = parse(rest, {});
        const users = await listUsers(db);
        print(ctx, values.json, users, table(users, ["id", "email", "role", "name"]));
      } else if (sub === "set-role") {
        const { values } = parse(rest, { email: { type: "string" }, role: { type: "string" } });
        const user = await setUserRole(db, {
          email: required(values.email, "--email"),
          role: required(values.role, "--role"),
        });
        print(ctx, values.json, user, `${user.email} is now ${user.role}`);
      } else {
        throw new CliError('expected "users add", "users list" or "users set-role"');
      }
    },
  },
  keys: {
    summary:
      "keys create --agent NAME [--owner EMAIL] | keys create --user EMAIL | keys list | keys revoke ID",
    async run(args, ctx) {
      const [sub, ...rest] = args;
      const { db } = await ctx.db();
      if (sub === "create") {
        const { values } = parse(rest, {
          agent: { type: "string" },
          owner: { type: "string" },
          user: { type: "string" },
        });
        if (Boolean(values.agent) === Boolean(values.user)) {
          throw new CliError("give exactly one of --agent NAME or --user EMAIL");
        }
        if (values.user && values.owner) throw new CliError("--owner goes with --agent");
        const created = await createApiKey(
          db,
          values.agent
            ? { agent: values.agent, owner: values.owner }
            : { user: values.user as string },
        );
        const json = {
          id: created.id,
          key: created.key,
          ...(created.webhook_secret ? { webhook_secret: created.webhook_secret } : {}),
        };
        const human = [
          `Created ${created.scope} key ${created.id} for ${created.name}. It is shown once; store it now:`,
          `  key:            ${created.key}`,
          ...(created.webhook_secret ? [`  webhook secret: ${created.webhook_secret}`] : []),
        ].join("\n");
        print(ctx, values.json, json, human);
      } else if (sub === "list") {
        const { values } = parse(rest, {});
        const keys = await listApiKeys(db);
        print(
          ctx,
          values.json,
          keys,
          table(keys, ["id", "scope", "name", "prefix", "createdAt", "lastUsedAt", "revokedAt"]),
        );
      } else if (sub === "revoke") {
        const { values, positionals } = parse(rest, {}, 1);
        const key = await revokeApiKey(db, required(positionals[0], "the key ID"));
        print(
          ctx,
          values.json,
          { id: key.id, revoked_at: key.revokedAt },
          `Revoked key ${key.id} (${key.name})`,
        );
      } else {
        throw new CliError('expected "keys create", "keys list" or "keys revoke"');
      }
    },
  },
};

export function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return `Usage: npm run --silent hitl -- <command> [options] [--json]\n\nCommands:\n${lines.join("\n")}\n`;
}
