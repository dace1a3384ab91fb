import { describe, expect, it } from "vitest";
import { fromHex } from "../../protocol/bytes.ts";
import { TEST_KEYS } from "../fixtures/keys.ts";
import { anon, get, keyedWallet, resolvePath, uniqHost } from "./resolver-helpers.ts";

describe("resolver cache routes", () => {
  it("reports this isolate's counters publicly; the default capacity is 10,000", async () => {
    const owner = await keyedWallet();
    const host = uniqHost();
    await owner.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://c.example.com" });
    const s0 = (await get("/v1/resolve/cache/stats")).body;
    expect(s0).toMatchObject({ isolate: expect.stringMatching(/^[0-9a-f]{12}$/), capacity: 10_000 });
    await get(resolvePath(`httpcg://${host}/`));
    await get(resolvePath(`httpcg://${host}/`));
    const s1 = (await get("/v1/resolve/cache/stats")).body;
    expect(s1.misses - s0.misses).toBe(1);
    expect(s1.hits - s0.hits).toBe(1);
    expect(s1.size - s0.size).toBe(1);
    expect(s1.hit_ratio).toBeGreaterThan(0);
  });

  it("clears only for a resolver admin (the control-plane key by default)", async () => {
    const owner = await keyedWallet();
    const host = uniqHost();
    await owner.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://c.example.com" });
    await get(resolvePath(`httpcg://${host}/`));
    await expect(anon.post("/v1/resolve/cache/clear")).rejects.toMatchObject({ status: 401 });
    await expect(owner.api.post("/v1/resolve/cache/clear")).rejects.toMatchObject({ status: 403 });
    expect((await get(resolvePath(`httpcg://${host}/`))).headers.get("x-enc-cache")).toBe("hit");
    const admin = await keyedWallet(fromHex(TEST_KEYS.controlPlane));
    const r = await admin.api.post<{ cleared: number; isolate: string }>("/v1/resolve/cache/clear");
    expect(r.cleared).toBeGreaterThan(0);
    expect((await get("/v1/resolve/cache/stats")).body.size).toBe(0);
    expect((await get(resolvePath(`httpcg://${host}/`))).headers.get("x-enc-cache")).toBe("miss");
  });
});
