import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LruCache } from "../../../domain/resolver/lru-cache.ts";

function clock(start = 1_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe("LruCache", () => {
  it("defaults to capacity 10,000 and counts hits and misses", () => {
    const c = new LruCache<number>();
    expect(c.capacity).toBe(10_000);
    c.set("a", 1);
    expect(c.get("a")).toBe(1);
    expect(c.get("b")).toBeUndefined();
    expect(c.stats()).toEqual({ size: 1, capacity: 10_000, hits: 1, misses: 1, evictions: 0, expired: 0 });
  });
  it("evicts the least recently used entry", () => {
    const c = new LruCache<number>({ capacity: 3 });
    c.set("a", 1);
    c.set("b", 2);
    c.set("c", 3);
    c.get("a"); // a is now the most recent: b is the oldest
    c.set("d", 4);
    expect(c.has("b")).toBe(false);
    expect(["a", "c", "d"].map((k) => c.peek(k))).toEqual([1, 3, 4]);
    c.set("c", 33); // overwrite refreshes recency
    c.set("e", 5);
    expect(c.has("a")).toBe(false);
    expect(c.stats()).toMatchObject({ size: 3, evictions: 2 });
  });
  it("expires entries by TTL with the injected clock", () => {
    const t = clock();
    const c = new LruCache<string>({ now: t.now, defaultTtlMs: 1000 });
    c.set("short", "s", { ttlMs: 100 });
    c.set("default", "d");
    t.advance(99);
    expect(c.get("short")).toBe("s");
    t.advance(1);
    expect(c.get("short")).toBeUndefined();
    expect(c.get("default")).toBe("d");
    t.advance(900);
    expect(c.peek("default")).toBeUndefined();
    expect(c.stats()).toMatchObject({ hits: 2, misses: 1, expired: 1, size: 1 });
    expect(c.prune()).toBe(1);
    expect(c.stats()).toMatchObject({ size: 0, expired: 2 });
  });
  it("invalidates by key, prefix and tag", () => {
    const c = new LruCache<number>();
    c.set("httpcg://a.example.com/x", 1, { tags: ["host:a.example.com"] });
    c.set("httpcg://a.example.com/y", 2, { tags: ["host:a.example.com"] });
    c.set("rootzk://did:bpi:alice/api", 3, { tags: ["did:bpi:alice"] });
    c.set("rootzk://did:bpi:alice/files", 4, { tags: ["did:bpi:alice", "svc:files"] });
    c.set("httpcg://b.example.com/", 5);
    expect(c.invalidate("httpcg://b.example.com/")).toBe(true);
    expect(c.invalidate("httpcg://b.example.com/")).toBe(false);
    expect(c.invalidateTag("did:bpi:alice")).toBe(2);
    expect(c.invalidateTag("svc:files")).toBe(0);
    expect(c.invalidatePrefix("httpcg://a.example.com/")).toBe(2);
    expect(c.size).toBe(0);
  });
  it("keeps tags consistent when entries are overwritten or evicted", () => {
    const c = new LruCache<number>({ capacity: 2 });
    c.set("k", 1, { tags: ["t"] });
    c.set("k", 2, { tags: ["u"] });
    expect(c.invalidateTag("t")).toBe(0);
    c.set("x", 3, { tags: ["u"] });
    c.set("y", 4, { tags: ["u"] }); // evicts k
    expect(c.invalidateTag("u")).toBe(2);
  });
  it("clears everything", () => {
    const c = new LruCache<number>();
    c.set("a", 1, { tags: ["t"] });
    c.clear();
    expect(c.size).toBe(0);
    expect(c.invalidateTag("t")).toBe(0);
  });
  it("refuses bad capacities and TTLs", () => {
    expect(() => new LruCache({ capacity: 0 })).toThrow(RangeError);
    expect(() => new LruCache().set("a", 1, { ttlMs: 0 })).toThrow(RangeError);
  });
  it("matches a reference model under random operations", () => {
    const op = fc.oneof(
      fc.record({ k: fc.constant("set" as const), key: fc.integer({ min: 0, max: 9 }), v: fc.integer() }),
      fc.record({ k: fc.constant("get" as const), key: fc.integer({ min: 0, max: 9 }) }),
      fc.record({ k: fc.constant("del" as const), key: fc.integer({ min: 0, max: 9 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const c = new LruCache<number>({ capacity: 4 });
        const model: Array<[string, number]> = []; // oldest first
        for (const o of ops) {
          const key = String(o.key);
          const i = model.findIndex(([k]) => k === key);
          if (o.k === "set") {
            if (i >= 0) model.splice(i, 1);
            model.push([key, o.v]);
            if (model.length > 4) model.shift();
            c.set(key, o.v);
          } else if (o.k === "get") {
            const want = i >= 0 ? model[i][1] : undefined;
            if (i >= 0) model.push(model.splice(i, 1)[0]);
            expect(c.get(key)).toBe(want);
          } else {
            if (i >= 0) model.splice(i, 1);
            expect(c.invalidate(key)).toBe(i >= 0);
          }
          expect(c.size).toBe(model.length);
        }
      }),
      { numRuns: 500 },
    );
  });
});
