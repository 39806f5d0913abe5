import Link from "next/link";
import { buttonClass } from "@/components/ui/button";

export default function NotFound() {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <h1 className="text-lg font-semibold">Nothing here</h1>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        This request or workflow does not exist, or its link is incomplete.
      </p>
      <Link href="/queue" className={`${buttonClass("primary")} mt-6`}>
        Back to the queue
      </Link>
    </div>
  );
}
