// `enc-agent validators sign FILE`: a validator adds its signature to a validator-set proposal
// (from `enc validators propose`). The node key never leaves the data dir; the operator sees what
// is signed before it is.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { signValidatorSetChange } from "../protocol/placement-approval.ts";
import { parseValidatorSetProposal } from "../protocol/validator-set-proposal.ts";
import { AgentError } from "./agent-error.ts";
import { DATA_DIR_FLAG, defineAgentCommand } from "./command-context.ts";
import { dataDir } from "./daemon/data-dir.ts";
import { loadKey, readNodeConfig } from "./daemon/node-identity.ts";

export default defineAgentCommand({
  description:
    "Signs the proposal's change hash with this node's key and writes the signature into FILE (replacing\n" +
    "an earlier one of this node). Refuses a file whose hash does not match its body, a change for another\n" +
    "cluster than the one this node joined, and a node that is not a validator of the set it follows.",
  args: { file: { description: "the proposal file", required: true } },
  flags: { ...DATA_DIR_FLAG },
  async run({ out }, { args, flags }) {
    let text: string;
    try {
      text = readFileSync(args.file, "utf8");
    } catch (e) {
      throw new AgentError("usage", `${args.file}: ${(e as Error).message}`);
    }
    const p = parseValidatorSetProposal(text);
    if (!p.ok) throw new AgentError("usage", `${args.file}: ${p.reason}`);
    const d = dataDir(flags["data-dir"]);
    const cfg = readNodeConfig(d);
    const signer = await loadKey(d);
    const { change } = p.value;
    if (change.cluster !== cfg.cluster) throw new AgentError("usage", `${args.file} changes cluster ${change.cluster}; this node joined ${cfg.cluster}`);
    const pinned = cfg.validator_set;
    if (!pinned) throw new AgentError("usage", `this node joined ${cfg.cluster} without a validator set (not a consensus cluster)`);
    if (!pinned.validators.includes(signer.address) && pinned.epoch + 1 === change.epoch) throw new AgentError("usage", `${signer.address} is not a validator of epoch ${pinned.epoch}; its signature would not count`);
    const sig = await signValidatorSetChange(change.hash, signer);
    const signatures = [...p.value.signatures.filter((s) => s.validator !== signer.address), sig];
    const tmp = `${args.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ change, signatures }, null, 2) + "\n");
    renameSync(tmp, args.file);
    out(`signed epoch ${change.epoch} of ${change.cluster} (quorum ${change.quorum} of ${change.validators.length}: ${change.validators.join(", ")}) as ${signer.address}; ${signatures.length} signature(s) in ${args.file}\n`);
    return 0;
  },
});
