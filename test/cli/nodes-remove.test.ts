// `enc nodes remove` through the real CLI against a real control plane (wrangler dev), issue 10
// finding 4: the removed node's key gets exactly what a stranger's key gets (404) on heartbeats
// and receipts, and its replica moves to the node that is left.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../../protocol/api-client.ts";
import { generateSeed, signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { GENESIS } from "../../protocol/hash.ts";
import { routes } from "../../protocol/routes.ts";
import type { StepReceipt } from "../../protocol/schemas.ts";
import { signReceipt } from "../../protocol/signed.ts";
import { isoNow } from "../../protocol/time.ts";
import { sharedControlPlane } from "../harness/control-plane.ts";
import { enc, encEnv, json } from "./run-enc.ts";

// On the run's shared Worker: a cluster name of its own.
const CLUSTER = `rm-${crypto.randomUUID().slice(0, 8)}`;

let cp: Awaited<ReturnType<typeof sharedControlPlane>>;
let home: string;
let owner: Record<string, string>;

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), "enc-cli-nodes-rm-"));
  cp = await sharedControlPlane();
  owner = encEnv(home, { ENC_URL: cp.url, ENC_WALLET: path.join(home, "owner", "wallet.json") });
  expect((await enc(["wallet", "new"], owner)).code).toBe(0);
  const created = await enc(["cluster", "create", CLUSTER], owner);
  expect(created.code, created.stderr).toBe(0);
});
afterAll(async () => {
  await cp?.stop();
  rmSync(home, { recursive: true, force: true });
});

async function join(): Promise<{ signer: Signer; api: ApiClient }> {
  const signer = await signerFromSeed(generateSeed());
  const api = new ApiClient({ url: cp.url, signer });
  const { token } = json(await enc(["token", "create", "--json"], owner));
  await api.post(routes.nodes(CLUSTER), { token, node_type: "compute", endpoint: "http://127.0.0.1:7001", capabilities: { cpu_cores: 2, memory_gb: 4 } });
  return { signer, api };
}

const receipt = (node: Signer, container: string): Promise<StepReceipt> =>
  signReceipt(
    { v: 1, cluster: CLUSTER, app: "web", node: node.address, container, op: "create", ts: isoNow(), resource: { cpu_ms: 0, memory_mb_s: 0, storage_gb_day: 0, egress_mb: 0 }, labels: {}, prev_hash: GENESIS },
    node,
  );

/** Status and problem of a request, as the caller sees them. */
async function answer(res: Promise<Response>): Promise<{ status: number; type: unknown; title: unknown }> {
  const r = await res;
  const body = (await r.json()) as { type?: unknown; title?: unknown };
  return { status: r.status, type: body.type, title: body.title };
}

describe("enc nodes remove", () => {
  it("revokes the node's key: its heartbeats and receipts get a stranger's 404, its replica moves", async () => {
    const a = await join();
    const deployed = await enc(["deploy", "web", "--image", "oci:/x:latest", "--cluster", CLUSTER, "--json"], owner);
    expect(deployed.code, deployed.stderr).toBe(0);
    const replica = (json(deployed) as { replicas: { id: string; node: string }[] }).replicas[0];
    expect(replica.node).toBe(a.signer.address);
    const b = await join();
    const beat = { usage: { cpu_millis: 0, memory_mb: 0 }, containers: [] };
    // Before: the node's heartbeat and receipts are taken.
    expect((await a.api.raw("POST", routes.heartbeat(CLUSTER, a.signer.address), beat)).status).toBe(200);
    expect((await a.api.raw("POST", routes.receipts(CLUSTER), { receipts: [await receipt(a.signer, `${replica.id}.1`)] })).status).toBe(202);

    const removed = await enc(["nodes", "remove", a.signer.address.slice(0, 12), "--cluster", CLUSTER], owner);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toContain(`Removed node ${a.signer.address} from ${CLUSTER}: its key is revoked`);

    const strangerSigner = await signerFromSeed(generateSeed());
    const stranger = new ApiClient({ url: cp.url, signer: strangerSigner });
    const late = { receipts: [await receipt(a.signer, `${replica.id}.2`)] };
    const heartbeat = await answer(a.api.raw("POST", routes.heartbeat(CLUSTER, a.signer.address), beat));
    const receipts = await answer(a.api.raw("POST", routes.receipts(CLUSTER), late));
    expect(heartbeat).toMatchObject({ status: 404 });
    expect(receipts).toMatchObject({ status: 404 });
    // A stranger speaking for its own address (for another's, any key gets 403 before the cluster is looked at).
    expect(heartbeat).toEqual(await answer(stranger.raw("POST", routes.heartbeat(CLUSTER, strangerSigner.address), beat)));
    expect(receipts).toEqual(await answer(stranger.raw("POST", routes.receipts(CLUSTER), late)));

    const [nodes, ps, again] = await Promise.all([
      enc(["nodes", "--cluster", CLUSTER, "--json"], owner),
      enc(["ps", "web", "--cluster", CLUSTER, "--json"], owner),
      enc(["nodes", "remove", a.signer.address, "--cluster", CLUSTER], owner),
    ]);
    expect((json(nodes) as { nodes: { address: string }[] }).nodes.map((n) => n.address)).toEqual([b.signer.address]);
    expect(JSON.stringify(json(ps))).toContain(b.signer.address);
    expect(JSON.stringify(json(ps))).not.toContain(a.signer.address);
    expect(again.code).toBe(1);
  });
});
