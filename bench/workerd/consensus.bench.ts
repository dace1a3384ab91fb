import { it } from "vitest";
import { ApiClient } from "../../protocol/api-client.ts";
import { Validator } from "../../node-agent/daemon/validator.ts";
import type { ControlPlane } from "../../node-agent/daemon/control-plane.ts";
import { silentLogger } from "../../node-agent/daemon/logger.ts";
import { BASE, CAPS, uniq, wallet, workerFetch } from "../../test/worker/helpers.ts";
import { median, report } from "./stats.ts";

const ROUNDS = 15;
type W = Awaited<ReturnType<typeof wallet>>;
type DS = { replicas: { id: string }[]; proposals?: unknown[] };

async function cluster(config: Record<string, unknown>, validators: W[]) {
  const owner = await wallet();
  const name = uniq("bench-cons");
  await owner.api.post("/v1/clusters", { name, config: { max_replicas_per_node: 1000, ...config } });
  const join = async (w: W, node_type: string) => {
    const { token } = await owner.api.post<{ token: string }>(`/v1/clusters/${name}/join-tokens`, {});
    await w.api.post(`/v1/clusters/${name}/nodes`, { token, node_type, endpoint: "http://127.0.0.1:9000", capabilities: CAPS });
    await w.api.post(`/v1/clusters/${name}/nodes/${w.signer.address}/heartbeat`, { usage: { cpu_millis: 0, memory_mb: 0 } });
  };
  const node = await wallet();
  await join(node, "compute");
  for (const v of validators) await join(v, "validator");
  return { name, owner, node };
}

/*
 * What consensus placement adds to a placement: from the deploy's POST until the chosen node's
 * desired state lists the replica, with the scheduler alone and with k = 2 of 3 validators that
 * each fetch the proposal in their desired state, check it with the agent's own Validator (audit
 * chain, signed heartbeat, scheduler rerun) and post a signed approval. In-process (no network):
 * the figure is the protocol's work (signatures, checks, DO round trips), not transport.
 */
it("consensus placement: added latency over a plain placement", async () => {
  const plain = await cluster({}, []);
  const validators = [await wallet(), await wallet(), await wallet()];
  const cons = await cluster({ placement: { mode: "consensus", quorum: 2, validators: validators.map((v) => v.signer.address) } }, validators);
  const { control_plane } = await cons.owner.api.get<{ control_plane: string }>("/v1/keys");
  const agents = validators.map((v) => ({
    v,
    validator: new Validator({ api: new ApiClient({ url: BASE, signer: v.signer, fetch: workerFetch }) } as unknown as ControlPlane, v.signer, cons.name, control_plane, silentLogger),
  }));
  const listed = async (c: { name: string; node: W }, id: string) =>
    (await c.node.api.get<DS>(`/v1/clusters/${c.name}/nodes/${c.node.signer.address}/desired?wait=0`)).replicas.some((r) => r.id === id);

  const plainMs: number[] = [];
  const consMs: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let t0 = performance.now();
    const p = await plain.owner.api.post<{ replicas: { id: string }[] }>(`/v1/clusters/${plain.name}/workloads`, { name: `w${i}`, image: "oci:/x:latest", constraints: { node_type: "compute" } });
    if (!(await listed(plain, p.replicas[0].id))) throw new Error("plain placement not listed");
    plainMs.push(performance.now() - t0);

    t0 = performance.now();
    const c = await cons.owner.api.post<{ replicas: { id: string }[] }>(`/v1/clusters/${cons.name}/workloads`, { name: `w${i}`, image: "oci:/x:latest", constraints: { node_type: "compute" } });
    // Two validators answer (the quorum); the third's answer would come after the commit.
    for (const a of agents.slice(0, 2)) {
      const ds = await a.v.api.get<DS>(`/v1/clusters/${cons.name}/nodes/${a.v.signer.address}/desired?wait=0`);
      await a.validator.handle(ds.proposals ?? []);
    }
    if (!(await listed(cons, c.replicas[0].id))) throw new Error("consensus placement not committed");
    consMs.push(performance.now() - t0);
  }
  const [pm, cm] = [median(plainMs), median(consMs)];
  report("consensus.placement_plain_ms", pm, "ms");
  report("consensus.placement_consensus_ms", cm, "ms");
  report("consensus.added_latency_ms", cm - pm, "ms");
});
