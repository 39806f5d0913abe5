"use client";
// The request page's two small pieces, used by several of its sections: a labelled fact, and a
// person named for the reader.

import { type PersonDto, personWords } from "@/lib/contract/tasks";
import { VisibleText } from "../ui/visible-text";
import { useViewer } from "../viewer";

export function Fact({
  label,
  children,
  wrap,
}: {
  label: string;
  children: React.ReactNode;
  wrap?: boolean;
}) {
  return (
    <div className="min-w-0">
      <dt className="text-xs text-slate-500 dark:text-slate-400">{label}</dt>
      <dd
        className={`mt-0.5 text-sm text-slate-900 dark:text-slate-100 ${wrap ? "break-all" : "truncate"}`}
      >
        {children}
      </dd>
    </div>
  );
}

/** A person by name and email, and "(you)" for the reader: never an id. */
export function PersonWords({ person }: { person: PersonDto }) {
  const viewer = useViewer();
  return (
    <>
      <VisibleText text={personWords(person)} />
      {person.id === viewer.user.id ? " (you)" : null}
    </>
  );
}
