// Joining: create (or reuse) the node key, pin the control plane's published keys, register the
// node with its measured capabilities and a single-use token, and remember all of it in node.json.
import fs from "node:fs";
import path from "node:path";
import { ApiClient, ApiError } from "../../protocol/api-client.ts";
import { routes } from "../../protocol/routes.ts";
import { isoNow } from "../../protocol/time.ts";
import { AgentError } from "../agent-error.ts";
import { nodeIdRange } from "../image/id-range.ts";
import { ControlPlane } from "./control-plane.ts";
import { dataDir, ensureLayout } from "./data-dir.ts";
import { checkRunc, detectCapabilities } from "./host-capabilities.ts";
import type { Logger } from "./logger.ts";
import { loadOrCreateKey, writeNodeConfig, type NodeConfig } from "./node-identity.ts";
import { holder } from "./process-lock.ts";
import { ValidatorSet } from "../../protocol/api/placement.ts";

export interface JoinInput {
  url: string;
  cluster: string;
  token: string;
  dataDir: string;
  nodeType?: string;
  endpoint?: string;
  labels?: Record<string, string>;
  zone?: string;
  /** join again although this data dir already joined (its spool and state are archived) */
  force?: boolean;
  runcBinary?: string;
  log: Logger;
}

async function publishedKeys(url: string): Promise<{ control_plane: string; notary: string }> {
  try {
    return await new ApiClient({ url, fetch: (req) => fetch(req, { signal: AbortSignal.timeout(15_000) }) }).get(routes.keys());
  } catch (err) {
    if (err instanceof ApiError) throw new AgentError("rejected", `GET ${url}/v1/keys: ${err.message}`, { cause: err });
    throw new AgentError("unreachable", `cannot reach the control plane at ${url}: ${(err as Error).message}`, { cause: err });
  }
}

/** Moves the old incarnation's receipts and state aside: they belong to another registration. */
function archive(root: string, log: Logger): void {
  const to = path.join(root, `archive-${Date.now()}`);
  fs.mkdirSync(to, { recursive: true, mode: 0o700 });
  for (const name of ["node.json", "spool", "state"]) {
    if (fs.existsSync(path.join(root, name))) fs.renameSync(path.join(root, name), path.join(to, name));
  }
  log.warn("previous registration archived", { to });
}

export async function joinCluster(input: JoinInput): Promise<NodeConfig> {
  const d = dataDir(input.dataDir);
  const running = holder(d.lock);
  if (running !== null) throw new AgentError("locked", `an enc-agent (pid ${running}) is running on ${d.root}; stop it before joining again`);
  const rejoin = fs.existsSync(d.node);
  if (rejoin && !input.force) {
    const cur = JSON.parse(fs.readFileSync(d.node, "utf8")) as NodeConfig;
    throw new AgentError("already_joined", `${d.root} already joined cluster ${cur.cluster} at ${cur.url} as ${cur.address}; pass --force to join again, or use another --data-dir`);
  }
  ensureLayout(d);
  const url = input.url.replace(/\/+$/, "");
  const runc = await checkRunc(input.runcBinary);
  if (!runc.ok) input.log.warn("this node cannot run containers yet", { reason: runc.reason });
  const signer = await loadOrCreateKey(d);
  const keys = await publishedKeys(url);
  const capabilities = await detectCapabilities(d.root, input.runcBinary);
  const endpoint = input.endpoint ?? "http://127.0.0.1";
  const body: Record<string, unknown> = { token: input.token, node_type: input.nodeType ?? "compute", endpoint, capabilities, labels: input.labels ?? {} };
  if (input.zone) body.zone = input.zone;
  let validatorSet: NodeConfig["validator_set"];
  try {
    const answer = await new ControlPlane(url, input.cluster, signer).join(body);
    if (answer.validator_set !== undefined) {
      // Pinned like the control-plane key: from here on only quorum-signed changes move it.
      const set = ValidatorSet.safeParse(answer.validator_set);
      if (!set.success) throw new AgentError("rejected", `the join answer's validator_set is malformed: ${set.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      validatorSet = set.data;
    }
  } catch (err) {
    if (err instanceof ApiError) throw new AgentError("rejected", `the control plane refused the join: ${err.message}`, { cause: err });
    throw err;
  }
  if (rejoin) {
    archive(d.root, input.log); // only now: a refused join leaves the old registration intact
    ensureLayout(d);
  }
  const cfg: NodeConfig = {
    v: 1, url, cluster: input.cluster, address: signer.address, control_plane: keys.control_plane, notary: keys.notary,
    node_type: String(body.node_type), endpoint, joined_at: isoNow(),
    ...(validatorSet ? { validator_set: validatorSet } : {}),
  };
  writeNodeConfig(d, cfg);
  // The node's user-namespace range is chosen at join (it never changes afterwards): see CAGE.md.
  const range = nodeIdRange(d.root);
  input.log.info("containers run in a user namespace", { uid_base: range.base, size: range.size });
  return cfg;
}
