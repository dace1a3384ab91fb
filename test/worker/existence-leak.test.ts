// Issue 10 finding 5: a stranger cannot tell an existing cluster or receipt from an unknown one
// (both 404, same problem); a member whose role is too low still gets 403 (no secret there).
import { describe, expect, it } from "vitest";
import { ApiError } from "../../protocol/api-client.ts";
import { GENESIS } from "../../protocol/hash.ts";
import { deployApp, joinNode, ledgerFlushed, newCluster, receiptChain, uniq, wallet } from "./helpers.ts";

async function problemOf(p: Promise<unknown>) {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(ApiError);
  const { status, problem } = e as ApiError;
  const { instance: _i, ...rest } = (problem ?? {}) as Record<string, unknown>;
  return { status, ...rest } as { status: number; detail?: string; [k: string]: unknown };
}

describe("existence is not leaked to strangers", () => {
  it("answers a stranger about an existing cluster exactly as about a missing one", async () => {
    const { name } = await newCluster();
    const stranger = await wallet();
    const missing = uniq("c");
    for (const path of ["", "/audit", "/apps/web/blocks/1", "/metrics", "/workloads"]) {
      // Each answer names the cluster asked for (issue 11: every "no such X" names X), and nothing else differs.
      const known = await problemOf(stranger.api.get(`/v1/clusters/${name}${path}`));
      const unknown = await problemOf(stranger.api.get(`/v1/clusters/${missing}${path}`));
      expect(known.status, path).toBe(404);
      expect(known.detail, path).toBe(`no cluster ${name}`);
      expect({ ...known, detail: "X" }, path).toEqual({ ...unknown, detail: "X" });
      expect(unknown.detail, path).toBe(`no cluster ${missing}`);
    }
    const known = await problemOf(stranger.api.post(`/v1/clusters/${name}/join-tokens`, {}));
    const unknown = await problemOf(stranger.api.post(`/v1/clusters/${missing}/join-tokens`, {}));
    expect({ ...known, detail: String(known.detail).replace(name, "C") }).toEqual({ ...unknown, detail: String(unknown.detail).replace(missing, "C") });
  });

  it("still answers 403 to a member whose role is too low", async () => {
    const { name, owner } = await newCluster();
    const viewer = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: viewer.signer.address, role: "viewer" });
    await expect(viewer.api.post(`/v1/clusters/${name}/join-tokens`, {})).rejects.toMatchObject({ status: 403 });
  });

  it("answers a stranger about an existing receipt exactly as about an unknown one", async () => {
    const { name, owner } = await newCluster();
    const node = await joinNode(owner.api, name);
    const [r] = await receiptChain(node.signer, name, "leak", (await deployApp(owner.api, name, "leak")).container, 1, GENESIS);
    await node.api.post(`/v1/clusters/${name}/receipts`, { receipts: [r] });
    await ledgerFlushed(name, "leak");
    expect(await owner.api.get(`/v1/receipts/${r.hash}`)).toMatchObject({ receipt: { hash: r.hash } });
    const stranger = await wallet();
    const known = await problemOf(stranger.api.get(`/v1/receipts/${r.hash}`));
    const fake = r.hash.slice(0, -4) + (r.hash.endsWith("0000") ? "1111" : "0000");
    const unknown = await problemOf(stranger.api.get(`/v1/receipts/${fake}`));
    expect(known.status).toBe(404);
    expect({ ...known, detail: String(known.detail).replace(r.hash, "H") }).toEqual({ ...unknown, detail: String(unknown.detail).replace(fake, "H") });
  });
});
