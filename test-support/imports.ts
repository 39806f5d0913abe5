// Reading a tree's imports as text, for the tests that hold its boundaries: the core's
// (lib/hitl/boundary.test.ts) and every layer's (lib/layers.test.ts).
import fs from "node:fs";
import path from "node:path";

const IMPORT =
  /\bimport\s+(?:type\s+)?[^'";]*?\bfrom\s*["']([^"']+)["']|\bexport\s+(?:type\s+)?[^'";]*?\bfrom\s*["']([^"']+)["']|\bimport\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\brequire\s*\(\s*["']([^"']+)["']\s*\)/g;

/** Every module specifier `source` imports, exports from, or requires. */
export function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT)].map((m) => m.slice(1).find((s) => s !== undefined) as string);
}

/** The .ts and .tsx files below `dir`, tests included or not. */
export function sourceFiles(dir: string, options: { tests?: boolean } = {}): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === "node_modules" || entry.name.startsWith(".")
        ? []
        : sourceFiles(full, options);
    }
    if (!/\.tsx?$/.test(entry.name) || entry.name.endsWith(".d.ts")) return [];
    return options.tests || !/\.test\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

/** Every import cycle in a module graph, each written once from its first module. */
export function importCycles(graph: Map<string, string[]>): string[] {
  const found = new Set<string>();
  const walk = (node: string, trail: string[]) => {
    const at = trail.indexOf(node);
    if (at >= 0) {
      const cycle = trail.slice(at);
      const start = cycle.indexOf([...cycle].sort()[0] as string);
      const turned = [...cycle.slice(start), ...cycle.slice(0, start)];
      found.add([...turned, turned[0]].join(" → "));
      return;
    }
    for (const next of graph.get(node) ?? []) walk(next, [...trail, node]);
  };
  for (const node of graph.keys()) walk(node, []);
  return [...found].sort();
}
