"use client";
import { useState } from "react";
import { cx } from "./cx";
import { VisibleText } from "./visible-text";

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Mode = "default" | "all" | "none";

function isContainer(v: unknown): v is Json[] | Record<string, Json> {
  return typeof v === "object" && v !== null;
}

function summary(v: Json[] | Record<string, Json>): string {
  if (Array.isArray(v)) return v.length === 1 ? "1 item" : `${v.length} items`;
  const n = Object.keys(v).length;
  return n === 1 ? "1 key" : `${n} keys`;
}

function Primitive({ value }: { value: Json }) {
  if (value === null)
    return <span className="text-slate-500 italic dark:text-slate-400">null</span>;
  if (typeof value === "boolean")
    return <span className="text-violet-700 dark:text-violet-300">{String(value)}</span>;
  if (typeof value === "number")
    return <span className="text-sky-700 tabular-nums dark:text-sky-300">{value}</span>;
  return (
    <span className="break-words whitespace-pre-wrap text-emerald-800 dark:text-emerald-300">
      &quot;
      <VisibleText text={String(value)} />
      &quot;
    </span>
  );
}

function Key({ name }: { name: string | number }) {
  return (
    <span
      className={
        typeof name === "number"
          ? "text-slate-500 dark:text-slate-400"
          : "text-slate-800 dark:text-slate-200"
      }
    >
      {typeof name === "number" ? name : <VisibleText text={name} />}
      <span className="text-slate-500 dark:text-slate-400">: </span>
    </span>
  );
}

function Node({
  name,
  value,
  depth,
  openDepth,
  mode,
}: {
  name: string | number | null;
  value: Json;
  depth: number;
  openDepth: number;
  mode: Mode;
}) {
  const [open, setOpen] = useState(
    mode === "all" ? true : mode === "none" ? depth === 0 : depth < openDepth,
  );
  if (!isContainer(value)) {
    return (
      <li className="py-0.5 pl-5">
        {name !== null && <Key name={name} />}
        <Primitive value={value} />
      </li>
    );
  }
  const entries: [string | number, Json][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  const brackets = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) {
    return (
      <li className="py-0.5 pl-5">
        {name !== null && <Key name={name} />}
        <span className="text-slate-500 dark:text-slate-400">{brackets.join("")}</span>
      </li>
    );
  }
  return (
    <li className="py-0.5">
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        className="group inline-flex max-w-full items-baseline rounded text-left hover:bg-slate-100 dark:hover:bg-slate-800"
      >
        <svg
          aria-hidden
          viewBox="0 0 16 16"
          className={cx(
            "mr-1 size-4 shrink-0 self-center text-slate-400 transition-transform",
            open && "rotate-90",
          )}
        >
          <path
            d="M6 4l4 4-4 4"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.6"
            strokeLinecap="round"
          />
        </svg>
        {name !== null && <Key name={name} />}
        <span className="text-slate-500 dark:text-slate-400">
          {open ? brackets[0] : `${brackets[0]} ${summary(value)} ${brackets[1]}`}
        </span>
      </button>
      {open && (
        <ul className="ml-2 border-l border-slate-200 pl-2 dark:border-slate-700">
          {entries.map(([k, v]) => (
            <Node key={k} name={k} value={v} depth={depth + 1} openDepth={openDepth} mode={mode} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** A JSON value as a tree whose objects and arrays fold; the first levels start open. */
export function JsonTree({
  value,
  openDepth = 3,
  testId,
  label,
}: {
  value: unknown;
  openDepth?: number;
  testId?: string;
  label: string;
}) {
  const [mode, setMode] = useState<Mode>("default");
  const [generation, setGeneration] = useState(0);
  const set = (m: Mode) => {
    setMode(m);
    setGeneration((g) => g + 1);
  };
  const container = isContainer(value);
  const top: [string | number, Json][] | null = container
    ? Array.isArray(value)
      ? (value as Json[]).map((v, i) => [i, v])
      : Object.entries(value as Record<string, Json>)
    : null;
  return (
    <div data-testid={testId} className="text-sm">
      {top?.some(([, v]) => isContainer(v)) && (
        <div className="mb-1 flex justify-end gap-1 text-xs">
          <button
            type="button"
            onClick={() => set("all")}
            className="rounded px-1.5 py-0.5 text-slate-600 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-800"
          >
            Expand all
          </button>
          <button
            type="button"
            onClick={() => set("none")}
            className="rounded px-1.5 py-0.5 text-slate-600 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-800"
          >
            Collapse
          </button>
        </div>
      )}
      <ul aria-label={label} className="overflow-x-auto font-mono text-[13px] leading-5">
        {top ? (
          top.map(([k, v]) => (
            <Node
              key={`${generation}:${k}`}
              name={k}
              value={v}
              depth={0}
              openDepth={openDepth - 1}
              mode={mode}
            />
          ))
        ) : (
          <Node
            key={generation}
            name={null}
            value={value as Json}
            depth={0}
            openDepth={openDepth}
            mode={mode}
          />
        )}
      </ul>
    </div>
  );
}
