import { usageError } from "./errors.ts";
import { requireOneOf } from "./values.ts";

/** The CLI's level names, with the seed's aliases (high, maximum), to the API's. */
const LEVELS: Record<string, "standard" | "enterprise" | "military_grade"> = {
  standard: "standard",
  enterprise: "enterprise",
  high: "enterprise",
  "military-grade": "military_grade",
  military_grade: "military_grade",
  maximum: "military_grade",
};

export function securityLevel(value: string): "standard" | "enterprise" | "military_grade" {
  const level = LEVELS[value.toLowerCase()];
  if (!level) throw usageError("bad_value", `--security-level must be one of standard, enterprise, military-grade (or high, maximum), got ${JSON.stringify(value)}`);
  return level;
}

const FRAMEWORKS = ["SOC2", "HIPAA", "PCI-DSS"] as const;

export function complianceFlag(value: string | undefined): (typeof FRAMEWORKS)[number][] | undefined {
  if (value === undefined) return undefined;
  return value.split(",").map((f) => requireOneOf(f.trim().toUpperCase(), FRAMEWORKS, "--compliance"));
}
