import { env, exports } from "cloudflare:workers";
import { ApiClient } from "../../protocol/api-client.ts";
import { generateSeed, signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { GENESIS } from "../../protocol/hash.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import type { LogSource } from "../../protocol/tlog-verify.ts";
import { signReceipt } from "../../protocol/signed.ts";
import { isoNow } from "../../protocol/time.ts";

export const BASE = "https://enc.test";

export const workerFetch = (req: Request) => exports.default.fetch(req);

export const uniq = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

export async function wallet(): Promise<{ signer: Signer; api: ApiClient }> {
  const signer = await signerFromSeed(generateSeed());
  return { signer, api: new ApiClient({ url: BASE, signer, fetch: workerFetch }) };
}

/** A fresh cluster owned by a fresh wallet. */
export async function newCluster(config: Record<string, unknown> = {}, prefix = "c") {
  const owner = await wallet();
  const name = uniq(prefix);
  await owner.api.post("/v1/clusters", { name, config });
  return { name, owner };
}

export const CAPS = { cpu_cores: 2, memory_gb: 4, storage_gb: 20 };

/** Joins a fresh node key to `cluster` with a token issued by `admin`. */
export async function joinNode(admin: ApiClient, cluster: string) {
  const { token } = await admin.post<{ token: string }>(`/v1/clusters/${cluster}/join-tokens`, {});
  const node = await wallet();
  await node.api.post(`/v1/clusters/${cluster}/nodes`, { token, node_type: "compute", endpoint: "http://127.0.0.1:9000", capabilities: CAPS });
  return node;
}

/**
 * Deploys workload `app` with one replica (placed on the cluster's node when it has one) and gives
 * its id and the id of the first container an agent would run for it: a node's receipts must name
 * a replica it runs or ran and a container of that replica (`<replica>.<n>`).
 */
export async function deployApp(admin: ApiClient, cluster: string, app: string): Promise<{ replica: string; node: string | null; container: string }> {
  const { replicas } = await admin.post<{ replicas: { id: string; node: string | null }[] }>(`/v1/clusters/${cluster}/workloads`, { name: app, image: "oci:/x:latest" });
  return { replica: replicas[0].id, node: replicas[0].node, container: `${replicas[0].id}.1` };
}

/**
 * A pipeline's fixture: a cluster with one node, a second wallet with admin (the approver) and the
 * two stages `web-staging` (image v2) and `web-prod` (image v1).
 */
export async function twoStageCluster(config: Record<string, unknown> = {}, prefix = "c") {
  const { name, owner } = await newCluster(config, prefix);
  const node = await joinNode(owner.api, name);
  const approver = await wallet();
  await owner.api.post(`/v1/clusters/${name}/roles`, { address: approver.signer.address, role: "admin" });
  const resources = { cpu_millis: 100, memory_mb: 32 };
  await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "web-staging", image: "oci:/web:v2", resources });
  await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "web-prod", image: "oci:/web:v1", resources });
  return { name, owner, node, approver };
}

/** A chain of `n` signed receipts for one container. */
export async function receiptChain(node: Signer, cluster: string, app: string, container: string, n: number, start = GENESIS): Promise<StepReceipt[]> {
  const out: StepReceipt[] = [];
  let prev = start;
  for (let i = 0; i < n; i++) {
    const r = await signReceipt(
      {
        v: 1,
        cluster,
        app,
        node: node.address,
        container,
        op: i === 0 ? "create" : "usage",
        ts: isoNow(),
        resource: { cpu_ms: i, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 },
        labels: {},
        prev_hash: prev,
      },
      node,
    );
    out.push(r);
    prev = r.hash;
  }
  return out;
}

/**
 * Resolves once the app's NotaryDO has written every receipt it committed to D1: a submit answers
 * before that (the ledger is filled behind it), so a read by hash of a pending receipt waits here.
 */
export const ledgerFlushed = (cluster: string, app: string) => env.NOTARY.getByName(`${cluster}/${app}`).flushLedger();

/** A C2SP log read through the API (signed reads): its checkpoint and tiles under `prefix`. */
export const logSource = (api: ApiClient, prefix: string): LogSource => ({
  checkpoint: async () => (await api.raw("GET", `${prefix}/checkpoint`)).text(),
  tile: async (path) => {
    const res = await api.raw("GET", `${prefix}/${path}`);
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  },
});
