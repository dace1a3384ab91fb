// `npm start`'s local node: the user's own wallet (the CLI's, created if there is none) owns a
// cluster "local", and an enc-agent with its data in .enc-local/agent joins it once and then
// runs as a child process. The agent needs root and runc; without them this throws and says how.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { ApiClient, ApiError } from "../../protocol/api-client.ts";
import type { Signer } from "../../protocol/ed25519.ts";
import { createWallet, loadSigner, readConfig, saveDefaultCluster, walletPath } from "../../cli/lib/wallet.ts";
import { dataDir } from "../../node-agent/daemon/data-dir.ts";
import { checkRunc } from "../../node-agent/daemon/host-capabilities.ts";
import { joinCluster } from "../../node-agent/daemon/join-cluster.ts";
import { createLogger } from "../../node-agent/daemon/logger.ts";
import type { NodeConfig } from "../../node-agent/daemon/node-identity.ts";
import { ROOT } from "./control-plane.ts";

export const LOCAL_CLUSTER = "local";
const AGENT_DIR = path.join(ROOT, ".enc-local", "agent");

const prefixed = (prefix: string) => (b: Buffer) => process.stdout.write(b.toString().replace(/^(?=.)/gm, prefix));

/** The user's wallet signer, creating the wallet file (0600) the CLI would use if none exists. */
async function userWallet(): Promise<Signer> {
  const file = walletPath(process.env);
  if (!fs.existsSync(file)) {
    const w = await createWallet(file, false);
    console.log(`• created your wallet ${w.address} at ${file} (keep it safe: it is your identity)`);
  }
  return loadSigner(file);
}

/** Creates cluster "local" unless it exists; refuses one owned by someone else. */
async function ensureCluster(api: ApiClient): Promise<void> {
  try {
    await api.get(`/v1/clusters/${LOCAL_CLUSTER}`);
    return;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    if (err.status === 403) throw new Error(`cluster "${LOCAL_CLUSTER}" exists but your wallet has no role in it`, { cause: err });
    if (err.status !== 404) throw err;
  }
  await api.post("/v1/clusters", { name: LOCAL_CLUSTER });
  console.log(`• created cluster "${LOCAL_CLUSTER}", owned by your wallet`);
  if (!readConfig(process.env).cluster) saveDefaultCluster(process.env, LOCAL_CLUSTER);
}

/** Joins (again) unless this data dir's node is already a member of the cluster. */
async function ensureJoined(api: ApiClient, url: string): Promise<void> {
  const d = dataDir(AGENT_DIR);
  const joined = fs.existsSync(d.node) ? (JSON.parse(fs.readFileSync(d.node, "utf8")) as NodeConfig) : null;
  if (joined?.cluster === LOCAL_CLUSTER) {
    const { nodes } = await api.get<{ nodes: { address: string }[] }>(`/v1/clusters/${LOCAL_CLUSTER}/nodes`);
    if (nodes.some((n) => n.address === joined.address)) return;
  }
  const { token } = await api.post<{ token: string }>(`/v1/clusters/${LOCAL_CLUSTER}/join-tokens`, {});
  // A node.json from an earlier control-plane state (wiped, or another URL) is archived by --force.
  const cfg = await joinCluster({ url, cluster: LOCAL_CLUSTER, token, dataDir: AGENT_DIR, force: joined !== null, log: createLogger("warn") });
  console.log(`• local node ${cfg.address} joined cluster "${LOCAL_CLUSTER}" (data in ${path.relative(process.cwd(), AGENT_DIR) || AGENT_DIR})`);
}

export async function startLocalNode(url: string): Promise<{ cluster: string; stop(): Promise<void> }> {
  const runc = await checkRunc();
  if (!runc.ok) {
    throw new Error(
      `${runc.reason}. The local agent runs containers under runc and needs root: install runc with ` +
        "`sudo apt-get install runc` and run `sudo npm start` (the control plane works without it).",
    );
  }
  const api = new ApiClient({ url, signer: await userWallet() });
  await ensureCluster(api);
  await ensureJoined(api, url);
  const child = spawn(process.execPath, [path.join(ROOT, "bin/enc-agent.mjs"), "run", "--data-dir", AGENT_DIR, "--url", url], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", prefixed("  [agent] "));
  child.stderr!.on("data", prefixed("  [agent] "));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  console.log(`✓ local node agent running (pid ${child.pid}); its containers keep running when it stops`);
  return {
    cluster: LOCAL_CLUSTER,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
