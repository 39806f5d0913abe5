// Any method on a path under /api/ that no route serves — the JSON 404, not Next's HTML page
export const dynamic = "force-dynamic";

export {
  noApiRoute as DELETE,
  noApiRoute as GET,
  noApiRoute as HEAD,
  noApiRoute as OPTIONS,
  noApiRoute as PATCH,
  noApiRoute as POST,
  noApiRoute as PUT,
} from "@/lib/api/fallback";
