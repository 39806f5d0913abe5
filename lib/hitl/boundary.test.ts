// lib/hitl is the pure domain core: it may import only zod, node:crypto, re2js (a pure regular
// expression engine, lib/hitl/pattern.ts) and its own files.
// Anything else (a framework, the database, the file system, another layer of the app) is a
// failure here, so the core stays testable in plain Node and usable from every layer.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { importCycles, importsOf, sourceFiles } from "@/test-support/imports";

const HITL_DIR = path.dirname(fileURLToPath(import.meta.url));

const ALLOWED = new Set(["zod", "node:crypto", "re2js"]);

// Named for a clearer failure message; the allow-list above refuses them anyway.
const FORBIDDEN = [
  /^next(\/|$)/,
  /^react(-dom)?(\/|$)/,
  /^next-auth(\/|$)/,
  /^drizzle-orm(\/|$)/,
  /^postgres$/,
  /^pg(\/|$)/,
  /^@\/db(\/|$)/,
  /(^|\/)db(\/|$)/,
  /^yaml$/,
  /^(node:)?fs(\/|$)/,
];

/** Every import of `source` that the core may not have, with why. */
function importViolations(source: string): string[] {
  return importsOf(source).flatMap((spec) => {
    if (FORBIDDEN.some((re) => re.test(spec))) return [`${spec} (framework, database or I/O)`];
    if (spec.startsWith("./") && !spec.slice(2).includes("..")) return [];
    if (ALLOWED.has(spec)) return [];
    return [`${spec} (outside lib/hitl; allowed: ./*, ${[...ALLOWED].join(", ")})`];
  });
}

describe("the import boundary of lib/hitl", () => {
  const files = sourceFiles(HITL_DIR);

  it("finds the core's files", () => {
    expect(files.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining(["index.ts", "risk.ts", "policy.ts", "state-machine.ts", "audit.ts"]),
    );
  });

  it.each(files.map((f) => [path.relative(HITL_DIR, f), f]))(
    "%s imports nothing forbidden",
    (_, file) => {
      expect(importViolations(fs.readFileSync(file, "utf8"))).toEqual([]);
    },
  );

  it("reads bottom-up: no file imports, through any chain, a file that imports it", () => {
    const graph = new Map(
      files.map((f) => [
        path.basename(f, ".ts"),
        importsOf(fs.readFileSync(f, "utf8"))
          .filter((s) => s.startsWith("./"))
          .map((s) => s.slice(2).replace(/\.ts$/, "")),
      ]),
    );
    expect(importCycles(graph)).toEqual([]);
  });

  it("the cycle finder finds a cycle of three", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a"]],
      ["d", ["a"]],
    ]);
    expect(importCycles(graph)).toEqual(["a → b → c → a"]);
  });

  describe("the checker itself", () => {
    it.each([
      ['import { NextResponse } from "next/server";', "next/server"],
      ['import React from "react";', "react"],
      ['import { getServerSession } from "next-auth";', "next-auth"],
      ['import { eq } from "drizzle-orm";', "drizzle-orm"],
      ['import { pgTable } from "drizzle-orm/pg-core";', "drizzle-orm/pg-core"],
      ['import postgres from "postgres";', "postgres"],
      ['import { Pool } from "pg";', "pg"],
      ['import { db } from "@/db";', "@/db"],
      ['import { requests } from "@/db/schema";', "@/db/schema"],
      ['import { x } from "../../db/client";', "../../db/client"],
      ['import YAML from "yaml";', "yaml"],
      ['import fs from "node:fs";', "node:fs"],
      ['import { readFile } from "fs/promises";', "fs/promises"],
      ['import type { Session } from "next-auth";', "next-auth"],
      ['export { handler } from "next-auth/next";', "next-auth/next"],
      ['import "server-only";', "server-only"],
      ['const m = await import("pg");', "pg"],
      ['const fs = require("fs");', "fs"],
      ['import { env } from "@/lib/env";', "@/lib/env"],
      ['import { x } from "../services/decide";', "../services/decide"],
      ['import { x } from "./../config/load";', "./../config/load"],
      ['import {\n  a,\n  b,\n} from "drizzle-orm";', "drizzle-orm"],
    ])("refuses %s", (source, spec) => {
      const found = importViolations(source);
      expect(found).toHaveLength(1);
      expect(found[0]).toContain(spec);
    });

    it.each([
      'import { z } from "zod";',
      'import { createHash } from "node:crypto";',
      'import { assess } from "./risk";',
      'import type { Action } from "./types";',
      'export * from "./audit";',
    ])("accepts %s", (source) => {
      expect(importsOf(source)).toHaveLength(1);
      expect(importViolations(source)).toEqual([]);
    });
  });
});
