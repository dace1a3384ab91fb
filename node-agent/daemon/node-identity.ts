// The node's key and what it joined: the key signs every request and every receipt, so it is
// written 0600 and never printed; node.json pins the control-plane key seen at join.
import fs from "node:fs";
import { fromHex, toHex } from "../../protocol/bytes.ts";
import { generateSeed, signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { AgentError } from "../agent-error.ts";
import type { ValidatorSet } from "../../protocol/api/placement.ts";
import { readJsonFile, writeJsonAtomic, type DataDir } from "./data-dir.ts";

export interface NodeConfig {
  v: 1;
  url: string;
  cluster: string;
  address: string;
  /** pinned at join: desired states must be signed by this key */
  control_plane: string;
  notary: string;
  node_type: string;
  endpoint: string;
  joined_at: string;
  /** consensus placement: the validator set given at join; replicas run only with a quorum of it (or of its quorum-signed successors) */
  validator_set?: ValidatorSet;
}

/** Loads the node key, creating it (0600) when absent. */
export async function loadOrCreateKey(d: DataDir): Promise<Signer> {
  if (!fs.existsSync(d.key)) {
    const tmp = `${d.key}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, toHex(generateSeed()) + "\n", { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, d.key);
  }
  return loadKey(d);
}

export async function loadKey(d: DataDir): Promise<Signer> {
  let hex: string;
  try {
    hex = fs.readFileSync(d.key, "utf8").trim();
  } catch {
    throw new AgentError("not_joined", `no node key at ${d.key}; run \`enc-agent join\` first`);
  }
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new AgentError("state", `${d.key} is not a 64-hex Ed25519 seed`);
  if ((fs.statSync(d.key).mode & 0o077) !== 0) fs.chmodSync(d.key, 0o600);
  return signerFromSeed(fromHex(hex));
}

export function readNodeConfig(d: DataDir): NodeConfig {
  const cfg = readJsonFile<NodeConfig>(d.node);
  if (!cfg) throw new AgentError("not_joined", `${d.root} has not joined a cluster; run \`enc-agent join --url … --cluster … --token … --data-dir ${d.root}\``);
  if (cfg.v !== 1 || !cfg.cluster || !cfg.address || !cfg.control_plane) throw new AgentError("state", `${d.node} is not an enc-agent node config`);
  return cfg;
}

export function writeNodeConfig(d: DataDir, cfg: NodeConfig): void {
  writeJsonAtomic(d.node, cfg);
}
