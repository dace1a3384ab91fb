import { describe, expect, it } from "vitest";
import { deployApp, joinNode, ledgerFlushed, newCluster, receiptChain } from "./helpers.ts";

describe("replay requests", () => {
  it("hands the producing node a replay order and records its verdict (admin only)", async () => {
    const { name, owner } = await newCluster();
    const node = await joinNode(owner.api, name);
    const chain = await receiptChain(node.signer, name, "det", (await deployApp(owner.api, name, "det")).container, 2);
    await node.api.post(`/v1/clusters/${name}/receipts`, { receipts: chain });
    await ledgerFlushed(name, "det");
    await expect(node.api.post(`/v1/clusters/${name}/replays`, { receipt: chain[1].hash })).rejects.toMatchObject({ status: 403 });
    await expect(owner.api.post(`/v1/clusters/${name}/replays`, { receipt: "blake3:" + "0".repeat(64) })).rejects.toMatchObject({ status: 404 });
    const { replay } = await owner.api.post<{ replay: { id: string; node: string; status: string } }>(`/v1/clusters/${name}/replays`, { receipt: chain[1].hash });
    expect(replay).toMatchObject({ node: node.signer.address, status: "requested" });
    const d = await node.api.get<{ replays: { id: string; receipt: string; app: string }[] }>(`/v1/clusters/${name}/nodes/${node.signer.address}/desired?wait=0`);
    expect(d.replays).toEqual([{ id: replay.id, receipt: chain[1].hash, app: "det" }]);
    await node.api.post(`/v1/clusters/${name}/nodes/${node.signer.address}/heartbeat`, {
      usage: { cpu_millis: 0, memory_mb: 0 },
      replays: [{ id: replay.id, verdict: "match", replay_receipt: "blake3:" + "1".repeat(64) }],
    });
    const got = await owner.api.get<{ replay: { status: string; verdict: string } }>(`/v1/clusters/${name}/replays/${replay.id}`);
    expect(got.replay).toMatchObject({ status: "done", verdict: "match" });
    const after = await node.api.get<{ replays: unknown[] }>(`/v1/clusters/${name}/nodes/${node.signer.address}/desired?wait=0`);
    expect(after.replays).toEqual([]);
    const { entries } = await owner.api.get<{ entries: { event: string }[] }>(`/v1/clusters/${name}/audit?limit=1000`);
    expect(entries.map((e) => e.event)).toEqual(expect.arrayContaining(["ReplayRequested", "ReplayVerified"]));
  });
});
