import { defineConfig } from "vitest/config";

// Three projects, selected by name (never by .skip):
// - unit: pure code, no database.
// - db: database suites; run against DATABASE_URL when set, else on embedded PGlite.
// - pg: suites that need several real connections (races, two processes, LISTEN across
//   connections); only meaningful against a real PostgreSQL server.
// "server-only" throws unless resolved under React's server condition, as Next.js does for
// server code; the test runner loads the same modules, so it gets the server's (empty) file.
const alias = {
  "@": import.meta.dirname,
  "server-only": `${import.meta.dirname}/node_modules/server-only/empty.js`,
};

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
            "packages/*/src/**/*.test.ts",
          ],
          exclude: ["**/*.db.test.ts", "**/*.pg.test.ts", "node_modules/**"],
          environment: "node",
        },
      },
      {
        resolve: { alias },
        test: {
          name: "db",
          include: ["**/*.db.test.ts"],
          exclude: ["node_modules/**"],
          globalSetup: ["db/pglite-template.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
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
