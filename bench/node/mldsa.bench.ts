import { it } from "vitest";
import { signatureRates } from "../signature-rates.ts";

// The same figures in Node, where the CLI verifies (`enc ledger verify`, `enc audit --verify`).
it("ML-DSA-65 vs Ed25519 sign and verify per second (Node)", async () => {
  await signatureRates("node");
}, 120_000);
