import { defineConfig } from "vitest/config";

// Five projects, selected by name (never by .skip); .ci/test says which run where:
// - unit: pure code, no database.
// - db: database suites; run against DATABASE_URL when set, else on embedded PGlite. With a
//   server, `npm test` runs them on both.
// - db-once: database suites whose subject is not the database — the HTTP layer's answers to
//   every route × every malformed input or credential — run on one database (the server when
//   there is one). Their statements are the services', which the db suites run on both.
// - embedded: suites of the embedded database's own machinery (its lock file, its socket for
//   the checkpointer), which make their own PGlite whatever DATABASE_URL says: run once.
// - pg: suites that need several real connections (races, two processes, LISTEN across
//   connections); only meaningful against a real PostgreSQL server.

/** db suites run on one database only (see db-once above). */
const ONCE = ["lib/api/fuzz.db.test.ts", "lib/api/security.db.test.ts"];

// "server-only" throws unless resolved under React's server condition, as Next.js does for
// server code; the test runner loads the same modules, so it gets the server's (empty) file.
const alias = {
  "@": import.meta.dirname,
  "server-only": `${import.meta.dirname}/node_modules/server-only/empty.js`,
};

/** A project of database suites: each file makes its own databases (from one PGlite template). */
function databaseProject(name: string, include: string[], exclude: string[] = []) {
  return {
    resolve: { alias },
    test: {
      name,
      include,
      exclude: ["node_modules/**", ...exclude],
      globalSetup: ["test-support/pglite-template.ts"],
      environment: "node" as const,
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  };
}

export default defineConfig({
  resolve: { alias },
  test: {
    // Two files at a time (Vitest's default here is one less than the cores: one). Every file
    // makes its own databases, so only the pg project, whose races and timings want the
    // machine to themselves, runs its files one after the other.
    maxWorkers: 2,
    coverage: {
      provider: "v8",
      include: ["lib/hitl/**/*.ts"],
      exclude: ["**/*.test.ts"],
      reporter: ["text-summary"],
      // The domain core is pure and table-tested: keep it that way.
      thresholds: { lines: 95, branches: 95, functions: 95, statements: 95 },
    },
    projects: [
      {
        resolve: { alias },
        test: {
          name: "unit",
          include: [
            "lib/**/*.test.ts",
            "db/**/*.unit.test.ts",
            "scripts/**/*.test.ts",
            "tools/**/*.test.ts",
            "test-support/**/*.test.ts",
            "packages/*/src/**/*.test.ts",
          ],
          exclude: [
            "**/*.db.test.ts",
            "**/*.pg.test.ts",
            "**/*.embedded.test.ts",
            "node_modules/**",
          ],
          environment: "node",
        },
      },
      databaseProject("db", ["**/*.db.test.ts"], ONCE),
      databaseProject("db-once", ONCE),
      databaseProject("embedded", ["**/*.embedded.test.ts"]),
      {
        resolve: { alias },
        test: {
          name: "pg",
          include: ["**/*.pg.test.ts"],
          exclude: ["node_modules/**"],
          environment: "node",
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
