// The validated HITL configuration of this process, loaded once from HITL_CONFIG_DIR.
import { type HitlConfig, loadHitlConfig } from "@/lib/config/load";
import { env, resolveFromCwd } from "@/lib/env";

let cached: HitlConfig | undefined;

export function hitlConfig(): HitlConfig {
  if (!cached) {
    const e = env();
    cached = loadHitlConfig({
      dir: resolveFromCwd(e.HITL_CONFIG_DIR),
      defaultRiskLevel: e.HITL_DEFAULT_RISK_LEVEL,
      autoApproveLowRisk: e.HITL_AUTO_APPROVE_LOW_RISK,
      defaultRequiresApproval: e.HITL_DEFAULT_REQUIRES_APPROVAL,
    });
  }
  return cached;
}
