// The desired state: what one node should run, signed by the control-plane key so an agent acts
// only on orders the control plane gave (hash and signature as for AuditEntries, domain
// enc/desired-state/v1). The ClusterDO signs it, the agent checks it: both through this module.
import { z } from "zod";
import type { WorkloadSpec } from "./api/workload.ts";
import type { Signer } from "./ed25519.ts";
import { verifyWithAddress } from "./ed25519.ts";
import { isHashText } from "./hash.ts";
import { DOMAINS, computeHash, isSigText, signHash, signHashSync, signingInput, textToSig } from "./signing.ts";
import type { SyncSigner } from "./sync-signer.ts";
import { ValidatorSetChange, type PlacementApproval, type PlacementProposal, type ValidatorSet } from "./api/placement.ts";
import { checkQuorum, followValidatorSet, specHash } from "./placement-approval.ts";

export const DESIRED_STATE_DOMAIN = DOMAINS.desiredState;
const OMIT = ["hash", "sig"] as const;

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

/** An `enc exec` the control plane orders: run `command` in the replica's current container, once. */
export const ExecOrder = z.looseObject({
  id: z.string().regex(/^ex-[0-9a-f]{16}$/),
  replica: z.string().min(1),
  command: z.array(z.string()).min(1),
  stdin: z.string().optional(),
  timeout_s: z.number().int().min(1).max(3600),
  /** run on a pseudo-terminal and stream through `…/nodes/{node}/execs/{id}/attach` */
  tty: z.boolean().optional(),
  cols: z.number().int().min(1).max(1000).optional(),
  rows: z.number().int().min(1).max(1000).optional(),
  /** not run after this time (an order the agent saw too late, e.g. after a restart) */
  expires_at: z.string(),
});
export type ExecOrder = z.infer<typeof ExecOrder>;

/** Replicas stay `unknown` here: one the agent cannot run is reported failed, not fatal. */
export const DesiredStateSchema = z.looseObject({
  v: z.literal(1),
  cluster: z.string(),
  node: z.string(),
  version: z.int().min(0),
  issued_at: z.string(),
  replicas: z.array(z.unknown()),
  replays: z.array(ReplayOrder).default([]),
  execs: z.array(ExecOrder).default([]),
  hash: z.string(),
  sig: z.string(),
});

/** What the control plane signs: each replica carries the full spec it was placed with. */
export interface DesiredStateFields {
  v: 1;
  cluster: string;
  node: string;
  version: number;
  issued_at: string;
  replicas: { id: string; workload: string; replica_type: string; spec: WorkloadSpec; placement?: { round: number; spec_hash: string; approvals: PlacementApproval[] } }[];
  replays: { id: string; receipt: string; app: string }[];
  /** present only while some exec waits for this node, so a desired state without one is unchanged */
  execs?: { id: string; replica: string; command: string[]; stdin?: string; timeout_s: number; tty?: boolean; cols?: number; rows?: number; expires_at: string }[];
  /** consensus placement: open proposals for this validator node (present only when there are some) */
  proposals?: PlacementProposal[];
  /** consensus placement: the quorum-signed changes of the validator set since epoch 1 */
  validator_set_changes?: ValidatorSetChange[];
}
export type DesiredState = DesiredStateFields & { hash: string; sig: string };

export function hashDesiredState(ds: Readonly<Record<string, unknown>>): string {
  return computeHash(ds, OMIT);
}

export async function signDesiredState(body: DesiredStateFields, signer: Signer): Promise<DesiredState> {
  const hash = hashDesiredState(body as unknown as Record<string, unknown>);
  return { ...body, hash, sig: await signHash(DESIRED_STATE_DOMAIN, hash, signer) };
}

/** For the ClusterDO's synchronous transaction (see sync-signer.ts). */
export function signDesiredStateSync(body: DesiredStateFields, signer: SyncSigner): DesiredState {
  const hash = hashDesiredState(body as unknown as Record<string, unknown>);
  return { ...body, hash, sig: signHashSync(DESIRED_STATE_DOMAIN, hash, signer) };
}

/** A desired state that passed every check, with its replicas split into runnable and not. */
export interface CheckedDesiredState {
  version: number;
  issued_at: string;
  hash: string;
  replicas: DesiredReplica[];
  replays: ReplayOrder[];
  execs: ExecOrder[];
  /** replicas whose spec the agent cannot run, with why (reported as failed) */
  invalid: { id: string; reason: string }[];
  /** consensus placement: replicas refused for want of a validator quorum, with why (not run) */
  unapproved: { id: string; reason: string }[];
  /** consensus placement: proposals for this node as a validator (unchecked: the validator checks them) */
  proposals: unknown[];
  /** consensus placement: the validator set after following the desired state's signed changes */
  validatorSet?: ValidatorSet;
  /** why a change of the set was not followed */
  validatorSetError?: string;
}

export interface DesiredStateExpect {
  cluster: string;
  node: string;
  /** the control-plane key pinned at join */
  controlPlane: string;
  /** consensus placement: the validator set pinned at join (or followed since); every replica needs a quorum of it */
  validators?: ValidatorSet;
}

export type CheckResult = { ok: true; state: CheckedDesiredState } | { ok: false; reason: string };

const issues = (e: z.ZodError): string => e.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");

/** Body hash, signature by the pinned key, addressee; then each replica on its own. */
export async function checkDesiredState(raw: unknown, expect: DesiredStateExpect): Promise<CheckResult> {
  const bad = (reason: string): CheckResult => ({ ok: false, reason });
  const parsed = DesiredStateSchema.safeParse(raw);
  if (!parsed.success) return bad(`malformed (${issues(parsed.error)})`);
  const ds = parsed.data;
  if (!isHashText(ds.hash) || !isSigText(ds.sig)) return bad("hash or sig is not in protocol form");
  if (hashDesiredState(raw as Record<string, unknown>) !== ds.hash) return bad("hash does not match the body");
  const ok = await verifyWithAddress(expect.controlPlane, signingInput(DESIRED_STATE_DOMAIN, ds.hash), textToSig(ds.sig));
  if (!ok) return bad(`signature is not by the pinned control-plane key ${expect.controlPlane}`);
  if (ds.cluster !== expect.cluster) return bad(`addressed to cluster ${ds.cluster}, not ${expect.cluster}`);
  if (ds.node !== expect.node) return bad(`addressed to node ${ds.node}, not this node`);
  const replicas: DesiredReplica[] = [];
  const invalid: { id: string; reason: string }[] = [];
  const unapproved: { id: string; reason: string }[] = [];
  // Consensus placement: follow the set's quorum-signed changes from the pinned set, never others.
  let set = expect.validators;
  let validatorSetError: string | undefined;
  if (set) {
    const changes = z.array(ValidatorSetChange).safeParse((raw as { validator_set_changes?: unknown }).validator_set_changes ?? []);
    if (!changes.success) validatorSetError = `validator_set_changes malformed (${issues(changes.error)})`;
    else {
      const followed = await followValidatorSet(set, ds.cluster, changes.data);
      set = followed.set;
      validatorSetError = followed.error;
    }
  }
  for (const r of ds.replicas) {
    const p = DesiredReplica.safeParse(r);
    if (!p.success) {
      invalid.push({ id: String((r as { id?: unknown })?.id ?? "?"), reason: issues(p.error) });
      continue;
    }
    // A replica being stopped needs no approval; one to run needs k approvals of exactly this placement.
    if (set && !(r as { stop?: unknown }).stop) {
      const raw = r as { spec: unknown; placement?: { round?: unknown; approvals?: unknown } };
      const round = typeof raw.placement?.round === "number" ? raw.placement.round : 0;
      const approvals = Array.isArray(raw.placement?.approvals) ? raw.placement.approvals : [];
      const key = { cluster: ds.cluster, workload: p.data.workload, replica: p.data.id, node: expect.node, spec_hash: specHash(raw.spec), round };
      const q = await checkQuorum(approvals, key, set);
      if (!q.ok) {
        const why = q.rejected.length ? `; ${q.rejected.join("; ")}` : "";
        unapproved.push({ id: p.data.id, reason: `no validator quorum: ${q.approvers.length} of ${q.needed} valid approvals${why}`.slice(0, 900) });
        continue;
      }
    }
    replicas.push(p.data);
  }
  const proposals = Array.isArray((raw as { proposals?: unknown }).proposals) ? ((raw as { proposals: unknown[] }).proposals) : [];
  return {
    ok: true,
    state: {
      version: ds.version, issued_at: ds.issued_at, hash: ds.hash, replicas, replays: ds.replays, execs: ds.execs, invalid, unapproved, proposals,
      ...(set ? { validatorSet: set } : {}), ...(validatorSetError ? { validatorSetError } : {}),
    },
  };
}
