// GET /api/metrics — Prometheus text format; with HITL_METRICS_TOKEN set, for a scraper that
// sends it as a bearer token (compared in constant time).

import { createHash, timingSafeEqual } from "node:crypto";
import { toErrorResponse } from "@/lib/api/errors";
import { otherMethods } from "@/lib/api/fallback";
import { documented } from "@/lib/api/route";
import { env } from "@/lib/env";
import { ServiceError } from "@/lib/services/errors";
import { metrics } from "@/lib/services/insights/metrics";

export const dynamic = "force-dynamic";

const digest = (s: string) => createHash("sha256").update(s).digest();

export const GET = documented(
  async function GET(req: Request) {
    const token = env().HITL_METRICS_TOKEN;
    if (token !== undefined) {
      const given = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1] ?? "";
      // Digests of equal length, so the comparison takes the same time whatever was sent.
      if (!timingSafeEqual(digest(given), digest(token))) {
        return toErrorResponse(
          new ServiceError(
            "unauthorized",
            "The metrics need the metrics token (HITL_METRICS_TOKEN)",
          ),
          "GET /api/metrics",
        );
      }
    }
    const { registry } = metrics();
    return new Response(await registry.metrics(), {
      headers: { "Content-Type": registry.contentType, "Cache-Control": "no-store" },
    });
  },
  {
    name: "GET /api/metrics",
    auth: "public",
    doc: {
      summary: "Prometheus metrics",
      ok: {
        status: 200,
        description: "Prometheus text exposition format",
        contentType: "text/plain",
      },
      errors: [],
    },
  },
);

export const { POST, PUT, PATCH, DELETE, OPTIONS } = otherMethods(["GET"]);
