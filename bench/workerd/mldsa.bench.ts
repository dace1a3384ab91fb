import { it } from "vitest";
import { signatureRates } from "../signature-rates.ts";

/*
 * ML-DSA-65 (PROTOCOL.md §15) next to Ed25519 inside workerd: WebCrypto's native implementations
 * (ML-DSA-65 behind the `webcrypto_modern_algorithms` compatibility flag) and noble's pure
 * JavaScript, sign and verify per second on one core. The notary and the control plane co-sign
 * inside a Durable Object's synchronous transaction, so they sign with noble (see
 * durable-objects/shared/sync-signer.ts); verifiers use the native one where it exists.
 */
it("ML-DSA-65 vs Ed25519 sign and verify per second (workerd)", async () => {
  await signatureRates("workerd");
}, 120_000);
