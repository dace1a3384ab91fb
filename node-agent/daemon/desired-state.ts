// The desired state the control plane hands this node, and the checks made before acting on
// it: body hash, control-plane signature against the key pinned at join, addressee, and a
// version that never goes back (an old signed state replayed by a middlebox is refused).
import { z } from "zod";
import { verifyWithAddress } from "../../protocol/ed25519.ts";
import { hashCanonical, isHashText } from "../../protocol/hash.ts";
import { isSigText, signingInput, textToSig } from "../../protocol/signed.ts";
import { AgentError } from "../agent-error.ts";

export const DESIRED_STATE_DOMAIN = "enc/desired-state/v1";

/** The parts of a WorkloadSpec the agent acts on; unknown fields pass through untouched. */
export const ReplicaSpec = z.looseObject({
  name: z.string().min(1),
  image: z.string().min(1),
  command: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).default({}),
  resources: z
    .looseObject({
      cpu_millis: z.number().default(100),
      memory_mb: z.number().default(64),
      storage_gb: z.number().default(0),
      pids: z.number().optional(),
    })
    .default({ cpu_millis: 100, memory_mb: 64, storage_gb: 0 }),
  ports: z.array(z.looseObject({ container_port: z.number().int().min(1).max(65535) })).default([]),
  restart: z.enum(["never", "on-failure", "always"]).default("never"),
  cage: z
    .looseObject({
      determinism: z.boolean().default(false),
      seed: z.string().default(""),
      network: z.enum(["none", "host"]).default("none"),
      output_dir: z.string().optional(),
    })
    .default({ determinism: false, seed: "", network: "none" }),
  health_check: z
    .looseObject({
      http_path: z.string().optional(),
      command: z.array(z.string()).optional(),
      interval_s: z.number().min(1).default(5),
      threshold: z.number().int().min(1).default(3),
    })
    .optional(),
});
export type ReplicaSpec = z.infer<typeof ReplicaSpec>;

export const DesiredReplica = z.looseObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,150}$/, "replica ids must be usable in container ids"),
  workload: z.string().min(1),
  replica_type: z.string().default("primary"),
  spec: ReplicaSpec,
});
export type DesiredReplica = z.infer<typeof DesiredReplica>;

/** A replay the control plane orders: rerun the container behind `receipt`, report the verdict. */
export const ReplayOrder = z.looseObject({
  id: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/),
  receipt: z.string().regex(/^blake3:[0-9a-f]{64}$/),
  app: z.string().optional(),
});
export type ReplayOrder = z.infer<typeof ReplayOrder>;

const DesiredStateSchema = z.looseObject({
  v: z.literal(1),
  cluster: z.string(),
  node: z.string(),
  version: z.number().int().min(0),
  issued_at: z.string(),
  replicas: z.array(z.unknown()),
  replays: z.array(ReplayOrder).default([]),
  hash: z.string(),
  sig: z.string(),
});

export interface DesiredState {
  version: number;
  issued_at: string;
  hash: string;
  replicas: DesiredReplica[];
  replays: ReplayOrder[];
  /** replicas whose spec this agent cannot run, with why (reported as failed) */
  invalid: { id: string; reason: string }[];
}

export interface VerifyContext {
  cluster: string;
  node: string;
  controlPlane: string;
}

/** Verifies and parses a desired state; throws AgentError("bad_desired_state") on any doubt. */
export async function verifyDesiredState(raw: unknown, ctx: VerifyContext): Promise<DesiredState> {
  const bad = (why: string): never => {
    throw new AgentError("bad_desired_state", `desired state refused: ${why}`);
  };
  const parsed = DesiredStateSchema.safeParse(raw);
  if (!parsed.success) bad(`malformed (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})`);
  const ds = parsed.data!;
  if (!isHashText(ds.hash) || !isSigText(ds.sig)) bad("hash or sig is not in protocol form");
  const { hash, sig, ...body } = raw as Record<string, unknown>;
  if (hashCanonical(body) !== hash) bad("hash does not match the body");
  const ok = await verifyWithAddress(ctx.controlPlane, signingInput(DESIRED_STATE_DOMAIN, ds.hash), textToSig(ds.sig));
  if (!ok) bad(`signature is not by the pinned control-plane key ${ctx.controlPlane}`);
  if (ds.cluster !== ctx.cluster) bad(`addressed to cluster ${ds.cluster}, not ${ctx.cluster}`);
  if (ds.node !== ctx.node) bad(`addressed to node ${ds.node}, not this node`);
  const replicas: DesiredReplica[] = [];
  const invalid: { id: string; reason: string }[] = [];
  for (const r of ds.replicas) {
    const p = DesiredReplica.safeParse(r);
    if (p.success) replicas.push(p.data);
    else invalid.push({ id: String((r as { id?: unknown })?.id ?? "?"), reason: p.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
  }
  return { version: ds.version, issued_at: ds.issued_at, hash: ds.hash, replicas, replays: ds.replays, invalid };
}
