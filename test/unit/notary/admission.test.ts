import { describe, expect, it } from "vitest";
import { GENESIS } from "../../../protocol/hash.ts";
import type { StepReceipt } from "../../../protocol/schemas.ts";
import { checkBatch, foreignRefusal, planAdmission, receiptTimeRefusal, type ChainLookup } from "../../../domain/notary/admission.ts";

const owner = { cluster: "demo", app: "web" };

/** Only the fields the chain rules read; signatures are checked elsewhere. */
const NOW = Date.parse("2026-03-01T12:00:00.000Z");
const receipt = (hash: string, prev: string, container = "c1", node = "n1", app = "web", ts = "2026-03-01T11:59:00.000Z"): StepReceipt =>
  ({ hash, prev_hash: prev, node, container, cluster: "demo", app, ts }) as StepReceipt;

/** What a notary holds, as plain receipts. */
const holding = (...held: StepReceipt[]): ChainLookup => ({
  find: (hash) => held.find((r) => r.hash === hash),
  successor: (node, container, prev) => held.find((r) => r.node === node && r.container === container && r.prev_hash === prev)?.hash,
});

const idx = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("planAdmission", () => {
  it("admits a chain from genesis, each receipt following one earlier in the same batch", () => {
    const batch = [receipt("a", GENESIS), receipt("b", "a"), receipt("c", "b")];
    expect(planAdmission(batch, idx(3), holding())).toEqual({ ok: true, admit: batch, duplicates: 0 });
  });

  it("continues a chain the notary already holds, and counts re-sent receipts as duplicates", () => {
    const a = receipt("a", GENESIS);
    const b = receipt("b", "a");
    const plan = planAdmission([a, b, b], idx(3), holding(a));
    expect(plan).toEqual({ ok: true, admit: [b], duplicates: 2 });
  });

  it("refuses an unknown predecessor, naming the request index", () => {
    expect(planAdmission([receipt("x", "nowhere")], [7], holding())).toMatchObject({
      ok: false,
      status: 422,
      field: "receipts[7].prev_hash",
      index: 7,
      detail: expect.stringContaining("unknown predecessor nowhere"),
    });
  });

  it("refuses a predecessor from another container or node", () => {
    const held = holding(receipt("a", GENESIS, "c1", "n1"));
    expect(planAdmission([receipt("b", "a", "c2", "n1")], [0], held)).toMatchObject({ ok: false, index: 0 });
    expect(planAdmission([receipt("b", "a", "c1", "n2")], [0], held)).toMatchObject({ ok: false, index: 0 });
  });

  it("refuses a fork against a held successor and within the batch", () => {
    const a = receipt("a", GENESIS);
    expect(planAdmission([receipt("b2", "a")], [3], holding(a, receipt("b", "a")))).toMatchObject({
      ok: false,
      index: 3,
      detail: expect.stringContaining("fork: b already follows a"),
    });
    expect(planAdmission([receipt("g1", GENESIS), receipt("g2", GENESIS)], idx(2), holding())).toMatchObject({ ok: false, index: 1 });
  });

  it("lets two containers each start at genesis", () => {
    const plan = planAdmission([receipt("a", GENESIS, "c1"), receipt("b", GENESIS, "c2")], idx(2), holding());
    expect(plan).toMatchObject({ ok: true, duplicates: 0 });
  });
});

describe("checkBatch", () => {
  const ok = { ok: true } as const;

  it("passes receipts of this notary's app with good signatures", () => {
    expect(checkBatch(owner, [receipt("a", GENESIS)], [ok], [0], NOW)).toBeNull();
  });

  it("names the first bad signature by its request index", () => {
    expect(checkBatch(owner, [receipt("a", GENESIS), receipt("b", "a")], [ok, { ok: false, reason: "bad signature" }], [4, 9], NOW)).toEqual({
      status: 422,
      detail: "receipt 9: bad signature",
      field: "receipts[9]",
      index: 9,
    });
  });

  it("refuses a receipt of another app", () => {
    expect(checkBatch(owner, [receipt("a", GENESIS, "c1", "n1", "api")], [ok], [2], NOW)).toMatchObject({ field: "receipts[2].app", detail: "receipt 2: belongs to demo/api" });
  });

  it("the NotaryDO's own check (foreignRefusal) refuses another cluster as well as another app", () => {
    expect(foreignRefusal(owner, { cluster: "demo", app: "web" }, 0)).toBeNull();
    expect(foreignRefusal(owner, { cluster: "other", app: "web" }, 3)).toEqual({ status: 422, detail: "receipt 3: belongs to other/web", field: "receipts[3].app", index: 3 });
    expect(foreignRefusal(owner, { cluster: "demo", app: "api" }, 7)).toMatchObject({ field: "receipts[7].app", index: 7 });
  });

  it("refuses a time more than 10 minutes ahead of or 7 days behind the notary's clock, naming ts", () => {
    const at = (ts: string) => checkBatch(owner, [receipt("a", GENESIS, "c1", "n1", "web", ts)], [ok], [5], NOW);
    expect(at("2026-03-01T12:10:00.000Z")).toBeNull();
    expect(at("2026-03-01T12:10:00.001Z")).toMatchObject({ status: 422, field: "receipts[5].ts", detail: expect.stringContaining("10 minutes ahead") });
    expect(at("2026-02-22T12:00:00.000Z")).toBeNull();
    expect(at("2026-02-22T11:59:59.999Z")).toMatchObject({ status: 422, field: "receipts[5].ts", detail: expect.stringContaining("7 days behind") });
  });
});

describe("receiptTimeRefusal", () => {
  it("accepts the notary's own now and refuses what is not a time", () => {
    expect(receiptTimeRefusal(new Date(NOW).toISOString(), NOW)).toBeNull();
    expect(receiptTimeRefusal("not a time", NOW)).toMatch(/not a time/);
  });
});
