"use client";
// The queue's filter form: risk level, agent and action type, and "Only what I can approve".
// The text filters reach the URL after a pause in typing.

import { useEffect, useState } from "react";
import { RISK_LEVELS } from "@/lib/hitl/types";
import { Input, Select } from "../ui/field";
import type { QueueFilters } from "./filters";

export function FilterForm({
  filters,
  setFilters,
  agents,
  readOnly,
}: {
  filters: QueueFilters;
  setFilters: (f: QueueFilters) => void;
  agents: string[];
  readOnly: boolean;
}) {
  // Text filters apply after a pause in typing, so each key press is not a query.
  const [agent, setAgent] = useState(filters.agent ?? "");
  const [type, setType] = useState(filters.type ?? "");
  useEffect(() => setAgent(filters.agent ?? ""), [filters.agent]);
  useEffect(() => setType(filters.type ?? ""), [filters.type]);
  useEffect(() => {
    const t = setTimeout(() => {
      const a = agent.trim() || undefined;
      const ty = type.trim() || undefined;
      if (a !== filters.agent || ty !== filters.type)
        setFilters({ ...filters, agent: a, type: ty });
    }, 400);
    return () => clearTimeout(t);
  }, [agent, type, filters, setFilters]);
  return (
    <form
      aria-label="Filter the queue"
      onSubmit={(e) => e.preventDefault()}
      className="mt-3 grid grid-cols-2 gap-2 sm:flex sm:flex-wrap sm:items-center"
    >
      <label className="sr-only" htmlFor="filter-risk">
        Risk level
      </label>
      <Select
        id="filter-risk"
        data-testid="filter-risk"
        value={filters.risk ?? ""}
        onChange={(e) =>
          setFilters({ ...filters, risk: (e.target.value || undefined) as QueueFilters["risk"] })
        }
        className="sm:w-44"
      >
        <option value="">All risk levels</option>
        {RISK_LEVELS.map((l) => (
          <option key={l} value={l}>
            {l[0]?.toUpperCase()}
            {l.slice(1)}
          </option>
        ))}
      </Select>
      <label className="sr-only" htmlFor="filter-agent">
        Agent
      </label>
      <Input
        id="filter-agent"
        data-testid="filter-agent"
        list="known-agents"
        placeholder="Agent"
        value={agent}
        onChange={(e) => setAgent(e.target.value)}
        autoComplete="off"
        className="sm:w-44"
      />
      <datalist id="known-agents">
        {agents.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <label className="sr-only" htmlFor="filter-type">
        Action type
      </label>
      <Input
        id="filter-type"
        data-testid="filter-type"
        placeholder="Action type"
        value={type}
        onChange={(e) => setType(e.target.value)}
        autoComplete="off"
        className="sm:w-44"
      />
      {!readOnly && filters.tab !== "decided" && filters.tab !== "quarantined" && (
        <label className="flex h-10 items-center gap-2 text-sm text-slate-700 sm:ml-1 dark:text-slate-300">
          <input
            type="checkbox"
            data-testid="filter-mine"
            checked={filters.mine}
            onChange={(e) => setFilters({ ...filters, mine: e.target.checked })}
            className="size-4 rounded border-slate-300 accent-indigo-600"
          />
          Only what I can approve
        </label>
      )}
    </form>
  );
}
