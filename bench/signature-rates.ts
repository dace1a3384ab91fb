// Sign and verify rates of Ed25519 and ML-DSA-65 with each available backend, shared by the
// workerd and Node benchmarks. Each figure runs ~1 s after a warm-up; they report, never assert.
import { ed25519 } from "@noble/curves/ed25519.js";
import { ml_dsa65 } from "@noble/post-quantum/ml-dsa.js";
import { randomBytes } from "../protocol/bytes.ts";
import { generateSeed, resolveEd25519Backend, setEd25519Backend, signerFromSeed, verifySignature } from "../protocol/ed25519.ts";
import { mldsaSignerFromSeed, mldsaVerify, resolveMldsaBackend, setMldsaBackend } from "../protocol/mldsa.ts";
import { report } from "./workerd/stats.ts";

async function rate(fn: () => Promise<unknown> | unknown, ms = 1000): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  let n = 0;
  const t = performance.now();
  while (performance.now() - t < ms) {
    await fn();
    n++;
  }
  return n / ((performance.now() - t) / 1000);
}

export async function signatureRates(runtime: "workerd" | "node"): Promise<void> {
  const msg = randomBytes(52); // a signing input: domain, newline, 32-byte hash
  setEd25519Backend("auto");
  setMldsaBackend("auto");
  const edNative = (await resolveEd25519Backend()) === "webcrypto";
  const pqNative = (await resolveMldsaBackend()) === "webcrypto";
  for (const backend of ["webcrypto", "noble"] as const) {
    if (backend === "webcrypto" && !edNative) console.log(`BENCH_NOTE ed25519.webcrypto.${runtime} no native Ed25519 here`);
    else {
      setEd25519Backend(backend);
      const signer = await signerFromSeed(generateSeed());
      const sig = await signer.sign(msg);
      report(`ed25519.sign.${backend}.${runtime}`, await rate(() => signer.sign(msg)), "ops/s");
      report(`ed25519.verify.${backend}.${runtime}`, await rate(() => verifySignature(signer.publicKey, msg, sig)), "ops/s");
    }
    if (backend === "webcrypto" && !pqNative) console.log(`BENCH_NOTE mldsa65.webcrypto.${runtime} no native ML-DSA-65 in this runtime's WebCrypto`);
    else {
      setMldsaBackend(backend);
      const signer = await mldsaSignerFromSeed(generateSeed());
      const sig = await signer.sign(msg);
      if (!(await mldsaVerify(signer.publicKey, msg, sig))) throw new Error("ML-DSA-65 round trip failed");
      report(`mldsa65.sign.${backend}.${runtime}`, await rate(() => signer.sign(msg)), "ops/s");
      report(`mldsa65.verify.${backend}.${runtime}`, await rate(() => mldsaVerify(signer.publicKey, msg, sig)), "ops/s");
    }
  }
  // Key generation from a seed (noble), paid once per key and isolate by the Worker.
  report(`mldsa65.keygen.noble.${runtime}`, await rate(() => ml_dsa65.keygen(generateSeed()), 500), "ops/s");
  report(`ed25519.keygen.noble.${runtime}`, await rate(() => ed25519.getPublicKey(generateSeed()), 300), "ops/s");
  setEd25519Backend("auto");
  setMldsaBackend("auto");
}
