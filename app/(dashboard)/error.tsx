"use client";
import { Button } from "@/components/ui/button";

// A page that failed to render (the database went away, a bug): say so calmly, offer a retry.
export default function DashboardError({ reset }: { error: Error; reset: () => void }) {
  return (
    <div className="mx-auto max-w-md py-16 text-center" role="alert">
      <h1 className="text-lg font-semibold">This page could not be loaded</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        Airlock could not read what this page shows, perhaps because its database is briefly
        unavailable. Nothing was decided.
      </p>
      <Button variant="primary" className="mt-6" onClick={reset}>
        Try again
      </Button>
    </div>
  );
}
