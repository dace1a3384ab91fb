// Consensus placement (PROTOCOL.md §9): the validators' signed answers to a placement proposal,
// the validator set the agents pin, and the views `enc placements` shows. Plain zod: the agent and
// the CLI load this without the OpenAPI extension.
import { z } from "zod";
import { Address, AppName, HashText } from "./common.ts";

const Sig = z.string().regex(/^ed25519:[0-9a-f]{128}$/, "ed25519:<128 lowercase hex>");
const Ts = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, "an RFC 3339 UTC time with milliseconds");

/** Cluster config `placement`: without it (or with mode "scheduler") the scheduler's choice is final. */
export const PlacementConfig = z
  .object({
    mode: z.enum(["scheduler", "consensus"]).default("scheduler"),
    /** k: distinct validator approvals a placement needs */
    quorum: z.number().int().min(1).max(64).default(1),
    /** the initial validator set (epoch 1), fixed at cluster creation; later changes need k of the current set */
    validators: z.array(Address).max(64).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (new Set(c.validators).size !== c.validators.length) ctx.addIssue({ code: "custom", path: ["validators"], message: "a validator is named twice" });
    if (c.mode === "consensus" && c.quorum > c.validators.length) {
      ctx.addIssue({ code: "custom", path: ["quorum"], message: `quorum ${c.quorum} needs at least ${c.quorum} validators; ${c.validators.length} named` });
    }
  })
  .meta({ id: "PlacementConfig" });
export type PlacementConfig = z.infer<typeof PlacementConfig>;

/** The fields a validator signs: exactly one (workload, replica, node, spec_hash, round). */
const placementFields = {
  v: z.literal(1),
  cluster: z.string().min(1).max(63),
  workload: AppName,
  replica: z.string().min(1).max(200),
  node: Address,
  spec_hash: HashText,
  round: z.number().int().min(1),
  validator: Address,
  ts: Ts,
  hash: HashText,
  sig: Sig,
};

/** PROTOCOL.md §9, domain enc/placement-approval/v1, signed by `validator`. Loose: future fields are signed too. */
export const PlacementApproval = z.looseObject(placementFields).meta({ id: "PlacementApproval" });
export type PlacementApproval = z.infer<typeof PlacementApproval>;

/** A validator's signed "no" (domain enc/placement-refusal/v1), with why. */
export const PlacementRefusal = z
  .looseObject({ ...placementFields, reason: z.string().min(1).max(1000) })
  .meta({ id: "PlacementRefusal" });
export type PlacementRefusal = z.infer<typeof PlacementRefusal>;

/** What a validator posts: one approval or one refusal. */
export const PlacementAnswer = z
  .union([z.object({ approval: PlacementApproval }).strict(), z.object({ refusal: PlacementRefusal }).strict()])
  .meta({ id: "PlacementAnswer" });
export type PlacementAnswer = z.infer<typeof PlacementAnswer>;

/** A validator set as agents pin it; epoch 1 comes from the cluster config. */
export const ValidatorSet = z
  .object({
    epoch: z.number().int().min(1),
    quorum: z.number().int().min(1),
    validators: z.array(Address).max(64),
    /** hash of this set's change object (validator-set.ts), the `prev` of the next change */
    hash: HashText,
  })
  .strict()
  .meta({ id: "ValidatorSet" });
export type ValidatorSet = z.infer<typeof ValidatorSet>;

/** A change of the set: the new set (hashed as a body), and k signatures of the current set. */
export const ValidatorSetChange = z
  .object({
    change: z
      .object({
        v: z.literal(1),
        cluster: z.string().min(1).max(63),
        epoch: z.number().int().min(2),
        quorum: z.number().int().min(1).max(64),
        validators: z.array(Address).min(1).max(64),
        prev: HashText,
        hash: HashText,
      })
      .strict(),
    signatures: z.array(z.object({ validator: Address, sig: Sig }).strict()).min(1).max(64),
  })
  .strict()
  .meta({ id: "ValidatorSetChange" });
export type ValidatorSetChange = z.infer<typeof ValidatorSetChange>;

/**
 * A change on its way to k signatures: the file `enc validators propose` writes, each validator's
 * `enc-agent validators sign` adds to, and `enc validators submit` posts (the server counts them).
 */
export const ValidatorSetProposal = ValidatorSetChange.extend({ signatures: z.array(z.object({ validator: Address, sig: Sig }).strict()).max(64) });
export type ValidatorSetProposal = z.infer<typeof ValidatorSetProposal>;

/** One placement round of a replica, with what the validators answered (`enc placements`). */
export const PlacementView = z
  .object({
    replica: z.string(),
    workload: z.string(),
    node: z.string(),
    spec_hash: z.string(),
    round: z.number().int(),
    status: z.enum(["proposed", "committed", "refused", "superseded"]),
    proposed_at: z.string(),
    committed_at: z.string().nullable(),
    quorum: z.number().int(),
    approvals: z.array(PlacementApproval),
    refusals: z.array(PlacementRefusal),
  })
  .meta({ id: "PlacementView" });
export type PlacementView = z.infer<typeof PlacementView>;

/** A signed HTTP request kept as received, so a third party can check the RFC 9421 signature. */
export const SignedRequest = z
  .object({
    method: z.string(),
    url: z.string(),
    signature_input: z.string(),
    signature: z.string(),
    content_digest: z.string().optional(),
    body: z.string(),
  })
  .strict()
  .meta({ id: "SignedRequest" });
export type SignedRequest = z.infer<typeof SignedRequest>;

/**
 * What a validator is asked to approve, with the inputs it checks: the audit entry that set the
 * spec (its author's role is followed in the audit chain), the chosen node's last signed heartbeat,
 * and the scheduler's snapshot (request, nodes, state, options) to recompute the choice.
 */
export const PlacementProposal = z
  .looseObject({
    cluster: z.string(),
    workload: z.string(),
    replica: z.string(),
    node: z.string(),
    spec_hash: HashText,
    round: z.number().int().min(1),
    spec: z.looseObject({ name: z.string() }),
    spec_entry: z.looseObject({ seq: z.number().int(), actor: z.string() }),
    heartbeat: SignedRequest.nullable(),
    snapshot: z.looseObject({ request: z.looseObject({}), nodes: z.array(z.looseObject({})), state: z.looseObject({}), opts: z.looseObject({}) }),
    proposed_at: z.string(),
  })
  .meta({ id: "PlacementProposal" });
export type PlacementProposal = z.infer<typeof PlacementProposal>;
