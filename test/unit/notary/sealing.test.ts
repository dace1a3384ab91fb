import { describe, expect, it } from "vitest";
import { afterDelivery, sealedDelivery } from "../../../domain/notary/delivery.ts";
import { notaryName, parseNotaryName } from "../../../domain/notary/identity.ts";
import { fullBlocks, stats, windowDue } from "../../../domain/notary/sealing.ts";

const limits = { max_receipts_per_block: 5, max_block_window_s: 60 };

describe("sealing decisions", () => {
  it("seals every full block and leaves the remainder pending", () => {
    expect([0, 4, 5, 12, 15].map((n) => fullBlocks(n, limits))).toEqual([0, 0, 1, 2, 3]);
  });

  it("arms the window on the oldest pending receipt, and not at all when none is pending", () => {
    expect(windowDue(1_000, limits)).toBe(61_000);
    expect(windowDue(null, limits)).toBeNull();
  });

  it("reports stats with the cluster's current limits", () => {
    expect(stats(2, 7, limits)).toEqual({ pending_receipts: 2, current_height: 7, max_receipts_per_block: 5, max_block_window_s: 60 });
  });
});

describe("delivery decisions", () => {
  it("keys a sealed event by its block hash, so a redelivery is idempotent", () => {
    const e = { cluster: "demo", app: "web", height: 3, hash: "h3", count: 5, merkle_root: "m" };
    expect(sealedDelivery(e)).toEqual({ key: "sealed:h3", payload: JSON.stringify(e) });
  });

  it("drops delivered and refused events, retries on a server error", () => {
    expect(afterDelivery({ ok: true })).toBe("drop");
    expect(afterDelivery({ ok: false, problem: { status: 409, detail: "x" } })).toBe("drop");
    expect(afterDelivery({ ok: false, problem: { status: 503, detail: "x" } })).toBe("retry");
  });
});

describe("notary identity", () => {
  it("round-trips cluster and app through the DO name", () => {
    expect(parseNotaryName(notaryName("demo", "web"))).toEqual({ cluster: "demo", app: "web" });
  });

  it("has no identity without a name of exactly one cluster and one app", () => {
    for (const bad of [undefined, "", "demo", "/web", "demo/", "a/b/c"]) expect(parseNotaryName(bad)).toBeNull();
  });
});
