import { describe, expect, it } from "vitest";
import { newCluster, receiptChain, uniq, wallet } from "./helpers.ts";

// Routes served outside the ClusterDO declare their role with requireRole; these pin what that
// declaration answers, and that malformed input keeps its 400 ahead of the role check.
describe("requireRole", () => {
  it("lets each declared role through and answers 403 below it", async () => {
    const { name, owner } = await newCluster();
    const viewer = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: viewer.signer.address, role: "viewer" });
    expect(await viewer.api.get(`/v1/clusters/${name}/audit`)).toMatchObject({ entries: expect.any(Array) });
    expect(await viewer.api.get(`/v1/clusters/${name}/apps/web/notary`)).toMatchObject({ pending_receipts: 0 });
    expect(await viewer.api.get(`/v1/clusters/${name}/apps/web/blocks`)).toEqual({ blocks: [] });
    await expect(viewer.api.post(`/v1/clusters/${name}/apps/web/seal`)).rejects.toMatchObject({ status: 403, problem: { detail: expect.stringMatching(/admin role/) } });
    const receipts = await receiptChain(viewer.signer, name, "web", "c1", 1);
    await expect(viewer.api.post(`/v1/clusters/${name}/receipts`, { receipts })).rejects.toMatchObject({ status: 403, problem: { detail: expect.stringMatching(/node role/) } });
    expect((await owner.api.raw("POST", `/v1/clusters/${name}/apps/web/seal`)).status).toBe(204);
  });

  it("answers strangers 404, as for a cluster that does not exist (issue 10: existence is not leaked)", async () => {
    const { name } = await newCluster();
    const stranger = await wallet();
    await expect(stranger.api.get(`/v1/clusters/${name}/audit`)).rejects.toMatchObject({ status: 404, problem: { field: "cluster" } });
    await expect(stranger.api.get(`/v1/clusters/${name}/apps/web/blocks/1`)).rejects.toMatchObject({ status: 404, problem: { field: "cluster" } });
    await expect(stranger.api.get(`/v1/clusters/${uniq("nope")}/audit`)).rejects.toMatchObject({ status: 404, problem: { field: "cluster" } });
  });

  it("answers malformed input with its 400 before checking the role", async () => {
    const { name } = await newCluster();
    const stranger = await wallet();
    await expect(stranger.api.get(`/v1/clusters/UPPER/audit`)).rejects.toMatchObject({ status: 400, problem: { field: "cluster" } });
    await expect(stranger.api.get(`/v1/clusters/${name}/audit?limit=0`)).rejects.toMatchObject({ status: 400, problem: { field: "limit" } });
    await expect(stranger.api.get(`/v1/clusters/${name}/apps/web/blocks/0`)).rejects.toMatchObject({ status: 400, problem: { field: "height" } });
  });
});
