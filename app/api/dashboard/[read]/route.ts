// GET /api/dashboard/{read}?q=<JSON> — what the signed-in dashboard's pages read (the table:
// app/(dashboard)/reads.ts), authenticated by the browser's session
import { READS } from "@/app/(dashboard)/reads";
import { otherMethods } from "@/lib/api/fallback";
import { readsRoute } from "@/lib/api/reads";

export const dynamic = "force-dynamic";

export const GET = readsRoute(READS);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
