import { ComplianceFramework, SECURITY_LEVEL_ALIASES, type SecurityLevel } from "../../protocol/api/cluster.ts";
import { usageError } from "./errors.ts";
import { requireOneOf } from "./values.ts";

export function securityLevel(value: string): SecurityLevel {
  const level = SECURITY_LEVEL_ALIASES[value.toLowerCase()];
  if (!level) throw usageError("bad_value", `--security-level must be one of standard, enterprise, military-grade (or high, maximum), got ${JSON.stringify(value)}`);
  return level;
}

export function complianceFlag(value: string | undefined): ComplianceFramework[] | undefined {
  if (value === undefined) return undefined;
  return value.split(",").map((f) => requireOneOf(f.trim().toUpperCase(), ComplianceFramework.options, "--compliance"));
}
