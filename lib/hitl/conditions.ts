// Compiles the conditions of risk-rules.yaml into predicates over a normalized action, and
// describes them in words for the rule viewer.
//
// Speed matters here (SPEC §9: assessing may cost no more than JSON.parse of the action). The
// agent's `inputs` and `context` are walked once per assessment and the facts any rule names
// are copied into numbered slots, so predicates read an array instead of probing objects of
// ever-changing shapes for keys they mostly do not have.
import type { FactTestConfig, TextTestConfig } from "./config-schema";
import { compileGlob, type LowerMatcher } from "./glob";
import { compilePatterns, TEXT_MAX_LENGTH } from "./pattern";
import { matchableText, orList } from "./text";
import type { Action } from "./types";

/** An action as the predicates see it: matched fields lowercased once, facts in slots. */
export interface Subject {
  readonly action: Action;
  readonly type: string;
  /** The operation, or the type when none is given (a plain verb type such as `deploy`). */
  readonly operation: string;
  readonly environment: string | undefined;
  readonly resourceType: string | undefined;
  /** Fact values by slot: from `inputs`, else `context`; null and absent are both undefined. */
  readonly facts: readonly unknown[];
  /** The texts of facts as `text:` tests match them, by slot; made on first use (a cache). */
  texts: (readonly FactText[] | undefined)[] | undefined;
}

/** One string of a fact: as the agent sent it, and as matched (null: too long to examine). */
export interface FactText {
  readonly original: string;
  readonly matchable: string | null;
}

export type Predicate = (s: Subject) => boolean;

type Bag = "inputs" | "context";

/**
 * A fact named by a dotted path, `mcp.annotations.destructiveHint`: a value nested in objects.
 * A path that starts with `inputs.` or `context.` is read from that bag alone, so a value the
 * proxy put in the context cannot be shadowed by a tool argument of the same name.
 */
interface NestedFact {
  readonly slot: number;
  /** The keys below the bag's own key. */
  readonly path: readonly string[];
  readonly from: Bag | "either";
}

/** What reading one key of `inputs` or `context` gives: a fact, and facts nested below it. */
interface KeyFacts {
  slot?: number;
  nested?: NestedFact[];
}

/** Assigns a slot to every fact name a rule, modifier or reason reads. */
export class FactSlots {
  private readonly slots = new Map<string, number>();
  /** By a key of `inputs` or `context`; one lookup per key the agent sent, dotted or not. */
  private readonly byKey = new Map<string, KeyFacts>();
  readonly environment = this.slot("environment");
  readonly resourceType = this.slot("resource_type");

  slot(name: string): number {
    let n = this.slots.get(name);
    if (n === undefined) {
      n = this.slots.size;
      this.slots.set(name, n);
      this.index(name, n);
    }
    return n;
  }

  private index(name: string, slot: number): void {
    const keys = name.split(".");
    const pinned = keys.length > 1 && (keys[0] === "inputs" || keys[0] === "context");
    const from = pinned ? (keys.shift() as Bag) : "either";
    const [key, ...path] = keys as [string, ...string[]];
    let entry = this.byKey.get(key);
    if (entry === undefined) {
      entry = {};
      this.byKey.set(key, entry);
    }
    if (path.length === 0 && from === "either") entry.slot = slot;
    else if (entry.nested === undefined) entry.nested = [{ slot, path, from }];
    else entry.nested.push({ slot, path, from });
  }

  /** `type` is the action's type, lowercased by the caller (which caches it). */
  toSubject(action: Action, type: string): Subject {
    const facts: unknown[] = new Array(this.slots.size);
    // Context first so that inputs, read second, win where both carry a fact.
    this.collect(action.context, "context", facts);
    this.collect(action.inputs, "inputs", facts);
    return {
      action,
      type,
      operation: typeof action.operation === "string" ? action.operation.toLowerCase() : type,
      environment: lowerString(ownOr(action.environment, facts[this.environment])),
      resourceType: lowerString(ownOr(action.resource_type, facts[this.resourceType])),
      facts,
      texts: undefined,
    };
  }

  private collect(bag: unknown, name: Bag, facts: unknown[]): void {
    if (typeof bag !== "object" || bag === null || Array.isArray(bag)) return;
    const obj = bag as Record<string, unknown>;
    for (const key in obj) {
      const entry = this.byKey.get(key);
      if (entry === undefined) continue;
      const value = obj[key];
      if (value === null || value === undefined) continue;
      if (entry.slot !== undefined) facts[entry.slot] = value;
      if (entry.nested === undefined) continue;
      for (const fact of entry.nested) {
        if (fact.from !== "either" && fact.from !== name) continue;
        const nested = valueAt(value, fact.path);
        if (nested !== null && nested !== undefined) facts[fact.slot] = nested;
      }
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value at a path of own keys of nested objects, or undefined where the path breaks. */
function valueAt(start: unknown, keys: readonly string[]): unknown {
  let value = start;
  for (const key of keys) {
    if (!isRecord(value) || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

/** A top-level field of the action when it is text, else the fact of the same name. */
function ownOr(own: unknown, fact: unknown): unknown {
  return typeof own === "string" ? own : fact;
}

function lowerString(value: unknown): string | undefined {
  return typeof value === "string" ? value.toLowerCase() : undefined;
}

/** Numbers, and strings that are exactly a number ("15000", " 2.5 "); anything else is unknown. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  if (trimmed === "") return undefined;
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : undefined;
}

function toBool(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "true") return true;
    if (v === "false") return false;
  }
  return undefined;
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== "";
}

function anyFact(slots: readonly number[], test: (value: unknown) => boolean): Predicate {
  if (slots.length === 1) {
    const slot = slots[0] as number;
    return (s) => test(s.facts[slot]);
  }
  return (s) => {
    for (const slot of slots) if (test(s.facts[slot])) return true;
    return false;
  };
}

export interface CompiledFactTest {
  readonly test: Predicate;
  readonly slots: readonly number[];
  /** False when the test can hold with none of its facts given (`present: false`, `or_unknown`). */
  readonly needsFact: boolean;
}

export function compileFactTest(
  t: FactTestConfig,
  slots: FactSlots,
  internalDomains: readonly string[],
): CompiledFactTest {
  const keys = t.fact.map((k) => slots.slot(k));
  const needsFact = t.present !== false && t.or_unknown !== true;
  return { test: factPredicate(t, keys, internalDomains), slots: keys, needsFact };
}

function factPredicate(
  t: FactTestConfig,
  keys: readonly number[],
  internalDomains: readonly string[],
): Predicate {
  if (t.is !== undefined) {
    const expected = t.is;
    return anyFact(keys, (v) => v !== undefined && toBool(v) === expected);
  }
  if (t.in !== undefined) {
    const values = new Set(t.in.map((v) => v.toLowerCase()));
    return anyFact(keys, (v) => {
      if (typeof v === "string") return values.has(v.toLowerCase());
      return typeof v === "number" && values.has(String(v));
    });
  }
  if (t.present !== undefined) {
    const anyPresent = anyFact(keys, isPresent);
    return t.present ? anyPresent : (s) => !anyPresent(s);
  }
  if (t.count_gt !== undefined) {
    const min = t.count_gt;
    return anyFact(keys, (v) => Array.isArray(v) && v.length > min);
  }
  if (t.severity_in !== undefined) {
    const severities = new Set(t.severity_in.map((v) => v.toLowerCase()));
    return anyFact(keys, (v) => Array.isArray(v) && v.some((f) => severities.has(severityOf(f))));
  }
  if (t.external_recipient !== undefined) {
    return anyFact(keys, (v) => v !== undefined && hasExternalAddress(v, internalDomains));
  }
  return compileNumericTest(t, keys);
}

function compileNumericTest(t: FactTestConfig, keys: readonly number[]): Predicate {
  const { gt, gte, lt, lte } = t;
  const orUnknown = t.or_unknown === true;
  const passes = (n: number) =>
    (gt === undefined || n > gt) &&
    (gte === undefined || n >= gte) &&
    (lt === undefined || n < lt) &&
    (lte === undefined || n <= lte);
  return (s) => {
    let known = false;
    for (const slot of keys) {
      const v = s.facts[slot];
      if (v === undefined) continue;
      const n = toNumber(v);
      if (n === undefined) continue;
      if (passes(n)) return true;
      known = true;
    }
    return orUnknown && !known;
  };
}

export interface CompiledTextTest {
  readonly test: Predicate;
  readonly slots: readonly number[];
  /** The first text that made the test hold, as the agent sent it; for the rule's reason. */
  readonly matched: (s: Subject) => string | undefined;
}

/**
 * Holds when any pattern matches the text of any of the named facts: a string, or any string
 * of a list (other values have no text). The text is normalised once per assessment, however
 * many rules read it.
 */
export function compileTextTest(t: TextTestConfig, slots: FactSlots): CompiledTextTest {
  const keys = t.input.map((k) => slots.slot(k));
  const matches = compilePatterns(t.matches);
  // A text too long to examine counts as matching: fail closed.
  const holds = (text: FactText) => text.matchable === null || matches(text.matchable);
  const firstHolding = (s: Subject): FactText | undefined => {
    for (const slot of keys) {
      for (const text of factTexts(s, slot)) if (holds(text)) return text;
    }
    return undefined;
  };
  return {
    test: (s) => firstHolding(s) !== undefined,
    slots: keys,
    matched: (s) => firstHolding(s)?.original,
  };
}

const NO_TEXT: readonly FactText[] = [];

function factTexts(s: Subject, slot: number): readonly FactText[] {
  s.texts ??= [];
  const known = s.texts[slot];
  if (known !== undefined) return known;
  const value = s.facts[slot];
  let texts = NO_TEXT;
  if (typeof value === "string") texts = [toFactText(value)];
  else if (Array.isArray(value)) {
    texts = value.filter((v): v is string => typeof v === "string").map(toFactText);
  }
  s.texts[slot] = texts;
  return texts;
}

function toFactText(original: string): FactText {
  const matchable = original.length > TEXT_MAX_LENGTH ? null : matchableText(original);
  return { original, matchable };
}

function severityOf(finding: unknown): string {
  if (typeof finding === "string") return finding.toLowerCase();
  if (typeof finding !== "object" || finding === null) return "";
  const severity = (finding as { severity?: unknown }).severity;
  return typeof severity === "string" ? severity.toLowerCase() : "";
}

/** Recipients as a string, a list, or objects with an `email` or `address`. */
function hasExternalAddress(value: unknown, internalDomains: readonly string[]): boolean {
  if (Array.isArray(value)) return value.some((v) => hasExternalAddress(v, internalDomains));
  if (typeof value === "object" && value !== null) {
    const { email, address } = value as { email?: unknown; address?: unknown };
    return (
      hasExternalAddress(email, internalDomains) || hasExternalAddress(address, internalDomains)
    );
  }
  return (
    typeof value === "string" && emailDomains(value).some((d) => !isInternal(d, internalDomains))
  );
}

function isInternal(domain: string, internalDomains: readonly string[]): boolean {
  return internalDomains.some((d) => domain === d || domain.endsWith(`.${d}`));
}

const NOT_LOCAL_PART = " \t\r\n<>(),;:\"'@[]";

function isDomainChar(c: number): boolean {
  // 0-9, A-Z, a-z, "-", "."
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 46
  );
}

/**
 * The domains of the addresses in free text such as "Ann <ann@x.com>, bob@y.org". Scanned by
 * hand: a regex over every recipient field costs more than the rest of an assessment.
 */
export function emailDomains(text: string): string[] {
  const domains: string[] = [];
  for (let at = text.indexOf("@"); at >= 0; at = text.indexOf("@", at + 1)) {
    if (at === 0 || NOT_LOCAL_PART.includes(text.charAt(at - 1))) continue;
    let end = at + 1;
    while (end < text.length && isDomainChar(text.charCodeAt(end))) end++;
    while (end > at + 1 && text.charCodeAt(end - 1) === 46) end--;
    if (end > at + 1) domains.push(text.slice(at + 1, end).toLowerCase());
  }
  return domains;
}

/** Holds for a lowercased type when any of the (valid) patterns matches it. */
export function compileTypePatterns(patterns: readonly string[]): LowerMatcher {
  const matchers: LowerMatcher[] = patterns.map(compileGlob);
  return (type) => {
    for (const m of matchers) if (m(type)) return true;
    return false;
  };
}

export function compileValueList(
  values: readonly string[],
  pick: (s: Subject) => string | undefined,
): Predicate {
  const set = new Set(values.map((v) => v.toLowerCase()));
  return (s) => {
    const v = pick(s);
    return v !== undefined && set.has(v);
  };
}

// ---------------------------------------------------------------------------------------------
// Words for the rule viewer.

/** `a`, `a or b`, `a, b or c`. */
export function describeFactTest(t: FactTestConfig, internalDomains: readonly string[]): string {
  const subject = orList(t.fact);
  if (t.is !== undefined) return `${subject} is ${t.is}`;
  if (t.in !== undefined) return `${subject} is ${orList(t.in)}`;
  if (t.present !== undefined) return `${subject} is ${t.present ? "given" : "not given"}`;
  if (t.count_gt !== undefined) return `${subject} lists more than ${t.count_gt} entries`;
  if (t.severity_in !== undefined) {
    return `${subject} reports a finding of severity ${orList(t.severity_in)}`;
  }
  if (t.external_recipient !== undefined) {
    const inside = internalDomains.length > 0 ? orList(internalDomains) : "the organisation";
    return `${subject} has an address outside ${inside}`;
  }
  const bounds: string[] = [];
  if (t.gt !== undefined) bounds.push(`> ${t.gt}`);
  if (t.gte !== undefined) bounds.push(`≥ ${t.gte}`);
  if (t.lt !== undefined) bounds.push(`< ${t.lt}`);
  if (t.lte !== undefined) bounds.push(`≤ ${t.lte}`);
  return `${subject} ${bounds.join(" and ")}${t.or_unknown ? ", or no number given" : ""}`;
}

/** `command or cmd matches `rm\s+-rf` or `mkfs``: patterns shown as written. */
export function describeTextTest(t: TextTestConfig): string {
  return `${orList(t.input)} matches ${orList(t.matches.map((p) => `\`${p}\``))}`;
}

// ---------------------------------------------------------------------------------------------
// Reason templates: "Merges into {target_branch}" with the value the action carried.

/** A sentence with no placeholder stays a plain string: nothing to build per assessment. */
export type Template = string | ((s: Subject) => string);

const ACTION_FIELDS = ["type", "operation", "environment", "resource_type", "description"] as const;
type ActionField = (typeof ACTION_FIELDS)[number];

/** A `text:` test of a rule with the names it reads, for the placeholders of its reason. */
export interface NamedTextTest {
  readonly input: readonly string[];
  readonly compiled: CompiledTextTest;
}

/**
 * A placeholder naming a key of a fact test of the same rule (`{amount}` for
 * `fact: [amount, value, total]`) shows whichever of those keys was given; one naming an input
 * of a text test (`{command}`) shows the text that matched, shortened.
 */
export function compileTemplate(
  template: string,
  tests: readonly FactTestConfig[],
  slots: FactSlots,
  textTests: readonly NamedTextTest[] = [],
): Template {
  const parts: (string | ((s: Subject) => string))[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    const name = m[1] as string;
    const text = textTests.find((t) => t.input.includes(name));
    parts.push(text ? matchedText(text.compiled) : placeholder(name, tests, slots));
    last = m.index + m[0].length;
  }
  if (parts.length === 0) return template;
  if (last < template.length) parts.push(template.slice(last));
  return (s) => {
    let out = "";
    for (const part of parts) out += typeof part === "string" ? part : part(s);
    return out;
  };
}

/** `{name}` or `{a.dotted.path}`; config-schema.ts refuses any other use of braces. */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}/g;

/** Long enough to recognise a command, short enough for a line of a reason. */
const QUOTE_MAX_LENGTH = 120;

function matchedText(test: CompiledTextTest): (s: Subject) => string {
  return (s) => {
    const text = test.matched(s);
    return text === undefined ? "unknown" : quote(text);
  };
}

/**
 * Agent text on one line, shortened. Only runs of spaces, tabs and line breaks become one
 * space: any other space may be a hidden character that the reviewer must see marked.
 */
function quote(text: string): string {
  const head = prefix(text, QUOTE_MAX_LENGTH * 4);
  const line = head.replace(/[ \t\r\n]+/g, " ").trim();
  return shorten(head.length < text.length ? `${line}…` : line, QUOTE_MAX_LENGTH);
}

/** At most `max` characters, the last an ellipsis when cut. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${prefix(text, max - 1)}…`;
}

/** The first `n` UTF-16 units, one fewer rather than half a surrogate pair. */
function prefix(text: string, n: number): string {
  if (text.length <= n) return text;
  const last = text.charCodeAt(n - 1);
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? n - 1 : n);
}

function placeholder(
  name: string,
  tests: readonly FactTestConfig[],
  slots: FactSlots,
): (s: Subject) => string {
  const keys = (tests.find((t) => t.fact.includes(name))?.fact ?? [name]).map((k) => slots.slot(k));
  const field = (ACTION_FIELDS as readonly string[]).includes(name) ? (name as ActionField) : null;
  return (s) => {
    if (field !== null && s.action[field] !== undefined) return formatValue(s.action[field]);
    for (const slot of keys) {
      const v = s.facts[slot];
      if (isPresent(v)) return formatValue(v);
    }
    return "unknown";
  };
}

function formatValue(value: unknown): string {
  const n = toNumber(value);
  if (n !== undefined) return formatNumber(n);
  if (typeof value === "string") return shorten(value, 80);
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `${value.length} entries`;
  return "a structured value";
}

/** 15000 → "15,000"; by hand, as Intl or a regex costs more than the rest of an assessment. */
export function formatNumber(n: number): string {
  // Cents are exact below 2^53 / 100; beyond that there is nothing left to round.
  const rounded = Math.abs(n) < 1e13 ? Math.round(n * 100) / 100 : n;
  const text = String(Math.abs(rounded));
  // Beyond 1e21 String() switches to exponent notation; there is nothing to group.
  if (text.includes("e")) return String(rounded);
  const dot = text.indexOf(".");
  const whole = dot < 0 ? text : text.slice(0, dot);
  let grouped = whole.slice(0, ((whole.length - 1) % 3) + 1);
  for (let i = grouped.length; i < whole.length; i += 3) grouped += `,${whole.slice(i, i + 3)}`;
  return `${rounded < 0 ? "-" : ""}${grouped}${dot < 0 ? "" : text.slice(dot)}`;
}
