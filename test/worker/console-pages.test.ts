// The console's checkpoint, agreements, policies, pipelines and compliance pages in workerd,
// against real DO SQLite and D1: what each page shows, the data the in-browser checkpoint check
// reads (public C2SP endpoints plus the viewer-checked tile copy), and promotion decisions from
// the console through the ClusterDO's dual-control check, with session, Origin and CSRF.
import { describe, expect, it } from "vitest";
import { CONSOLE_LOGIN_PATH, encodeConsoleLogin, signConsoleLogin } from "../../protocol/api/console.ts";
import { bytesEqual, toHex } from "../../protocol/bytes.ts";
import { parseCheckpoint, textToRoot } from "../../protocol/c2sp/checkpoint.ts";
import { openNoteEd25519 } from "../../protocol/c2sp/note.ts";
import { tileHashReader } from "../../protocol/c2sp/tiles.ts";
import { treeRoot } from "../../protocol/c2sp/tlog.ts";
import { verifyComplianceReport } from "../../protocol/api/compliance.ts";
import type { Signer } from "../../protocol/ed25519.ts";
import type { AuditEntry, LogBlock } from "../../protocol/schemas.ts";
import { toIso } from "../../protocol/time.ts";
import { BASE, deployApp, joinNode, newCluster, receiptChain, twoStageCluster, wallet, workerFetch } from "./helpers.ts";

const HTML = { accept: "text/html" };

/** Signs `signer` in with a fresh one-time token; the session cookie and the page's CSRF token. */
async function signIn(signer: Signer, clusters: string[]): Promise<{ cookie: string; csrf: string }> {
  const now = Date.now();
  const token = await signConsoleLogin(
    { v: 1, purpose: "console-login", origin: BASE, nonce: toHex(crypto.getRandomValues(new Uint8Array(16))), issued_at: toIso(now), expires_at: toIso(now + 60_000), clusters },
    signer,
  );
  const res = await workerFetch(new Request(`${BASE}${CONSOLE_LOGIN_PATH}?token=${encodeConsoleLogin(token)}`, { headers: HTML, redirect: "manual" }));
  expect(res.status).toBe(303);
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  const page = await (await workerFetch(new Request(`${BASE}/console/`, { headers: { ...HTML, cookie } }))).text();
  return { cookie, csrf: /name="csrf" value="([0-9a-f]{64})"/.exec(page)![1]! };
}

const get = (path: string, cookie?: string, headers: Record<string, string> = HTML) => workerFetch(new Request(BASE + path, { headers: { ...headers, ...(cookie ? { cookie } : {}) }, redirect: "manual" }));
const page = async (path: string, cookie: string) => {
  const res = await get(path, cookie);
  expect(res.status, path).toBe(200);
  return res.text();
};
const post = (path: string, fields: Record<string, string>, headers: Record<string, string>) =>
  workerFetch(new Request(BASE + path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(fields), redirect: "manual" }));

interface CheckpointData {
  signer: "notary" | "control_plane";
  entries: string;
  info_url: string;
  checkpoint_url: string;
  tile_base: string;
  block: { block: LogBlock; leaves: string[] } | null;
}

describe("console checkpoint pages", () => {
  it("show the app log's signed note and serve what the page checks: public log info and note, tiles through the session, the newest block with its tlog binding", async () => {
    const { name, owner } = await newCluster({ notary: { max_receipts_per_block: 3, max_block_window_s: 300 } }, "cp");
    const node = await joinNode(owner.api, name);
    const { container } = await deployApp(owner.api, name, "web");
    const chain = await receiptChain(node.signer, name, "web", container, 8);
    await node.api.post(`/v1/clusters/${name}/receipts`, { receipts: chain });
    await owner.api.raw("POST", `/v1/clusters/${name}/apps/web/seal`);
    const s = await signIn(owner.signer, [name]);

    const html = await page(`/console/clusters/${name}/apps/web/checkpoint`, s.cookie);
    expect(html).toContain(`enc.localhost/${name}/web`);
    expect(html).toContain('data-verify-kind="checkpoint"');
    expect(html).toMatch(/<pre class="logs" id="note"[^>]*>enc\.localhost\/[^\n]+\n8\n/);

    const data = await (await get(`/console/clusters/${name}/apps/web/checkpoint/data`, s.cookie, {})).json<CheckpointData>();
    expect(data).toMatchObject({ signer: "notary", entries: "receipt", info_url: `/v1/clusters/${name}/apps/web/log/`, checkpoint_url: `/v1/clusters/${name}/apps/web/log/checkpoint`, tile_base: `/console/clusters/${name}/apps/web/log/` });
    expect(data.block?.block.height).toBe(3);
    expect(data.block?.leaves).toEqual(chain.slice(6).map((r) => r.hash));

    // The page's own steps: the public note under the vkey of …/log/, the root from the tiles it reads through the console.
    const info = await (await get(data.info_url)).json<{ vkey: string; size: number }>();
    const note = await openNoteEd25519(await (await get(data.checkpoint_url)).text(), info.vkey);
    const cp = parseCheckpoint(note.body);
    expect(cp.size).toBe(8);
    const read = tileHashReader(cp.size, async (p) => {
      const res = await get(data.tile_base + p, s.cookie, {});
      expect(res.status, p).toBe(200);
      return new Uint8Array(await res.arrayBuffer());
    });
    expect(bytesEqual(await treeRoot(cp.size, read), cp.root)).toBe(true);
    expect(bytesEqual(await treeRoot(8, read), textToRoot(data.block!.block.tlog!.root))).toBe(true);
    expect(read.tilesFetched()).toEqual(["tile/0/000.p/8"]);

    // Tiles need a session and the viewer role; a bad tile path is a problem, not a crash.
    expect((await get(`${data.tile_base}tile/0/000.p/8`, undefined, {})).status).toBe(401);
    const stranger = await wallet();
    const other = await signIn(stranger.signer, [name]);
    expect((await get(`${data.tile_base}tile/0/000.p/8`, other.cookie, {})).status).toBe(404);
    expect((await get(`/console/clusters/${name}/apps/web/checkpoint/data`, other.cookie, {})).status).toBe(404);
    expect((await get(`${data.tile_base}tile/0/x000/000`, s.cookie, {})).status).toBe(404);
  });

  it("the audit log's checkpoint page: control-plane key, no block, a note an outside client can open", async () => {
    const { name, owner } = await newCluster({}, "cpa");
    const s = await signIn(owner.signer, [name]);
    const html = await page(`/console/clusters/${name}/audit/checkpoint`, s.cookie);
    expect(html).toContain(`enc.localhost/${name}/audit`);
    const data = await (await get(`/console/clusters/${name}/audit/checkpoint/data`, s.cookie, {})).json<CheckpointData>();
    expect(data).toMatchObject({ signer: "control_plane", entries: "audit", block: null, tile_base: `/console/clusters/${name}/audit/log/` });
    const info = await (await get(data.info_url)).json<{ vkey: string }>();
    const cp = parseCheckpoint((await openNoteEd25519(await (await get(data.checkpoint_url)).text(), info.vkey)).body);
    expect(cp.size).toBeGreaterThanOrEqual(1);
    const read = tileHashReader(cp.size, async (p) => new Uint8Array(await (await get(data.tile_base + p, s.cookie, {})).arrayBuffer()));
    expect(bytesEqual(await treeRoot(cp.size, read), cp.root)).toBe(true);
    // The audit page links to it.
    expect(await page(`/console/clusters/${name}/audit`, s.cookie)).toContain(`href="/console/clusters/${name}/audit/checkpoint"`);
  });
});

describe("console agreements and policies pages", () => {
  it("agreements: the list, and a detail with versions and the current document, escaped; a CueCage agreement's verdict", async () => {
    const { name, owner } = await newCluster({}, "cag");
    await Promise.all([1, 2].map(() => joinNode(owner.api, name)));
    // A DockLock document is a bare WorkloadSpec; the env value shows the page escapes what it prints.
    const sent = await owner.api.sendText<{ results: { version: number }[] }>("POST", `/v1/clusters/${name}/agreements`, `name: shop\nimage: oci:/shop:v1\nenv:\n  NOTE: "<script>x</script>"\n`, "application/yaml");
    expect(sent.results[0]!.version).toBe(1);
    const s = await signIn(owner.signer, [name]);
    const list = await page(`/console/clusters/${name}/agreements`, s.cookie);
    expect(list).toContain('<tr data-agreement="shop">');
    const detail = await page(`/console/clusters/${name}/agreements/shop`, s.cookie);
    expect(detail).toContain("v1 (current)");
    expect(detail).toContain('id="agreement-document"');
    expect(detail).toContain("&lt;script&gt;x&lt;/script&gt;");
    expect(detail).not.toContain("<script>x</script>");
    expect(detail).not.toContain('id="cage-verdict"');
    // A CueCage agreement: its verdict, pending until its run has ended and been receipted.
    const cage = `apiVersion: cue.bpi.dev/v1\nkind: CageAgreement\nmetadata:\n  name: digest\nspec:\n  image: oci:/busybox:latest\n  command: ["sh", "-c", "echo hi"]\n  seed: s1\n  output_dir: /out\n  verification:\n    nodes: 2\n`;
    await owner.api.sendText("POST", `/v1/clusters/${name}/agreements`, cage, "application/yaml");
    const cageDetail = await page(`/console/clusters/${name}/agreements/digest`, s.cookie);
    expect(cageDetail).toMatch(/<p id="cage-verdict"><span class="pill warn"[^>]*>pending<\/span> 0 of 2 runs have ended · 2 node\(s\), workload digest v1<\/p>/);
    expect((await get(`/console/clusters/${name}/agreements/nope`, s.cookie)).status).toBe(404);
    expect((await get(`/console/clusters/${name}/agreements/NOT_A_NAME`, s.cookie)).status).toBe(400);
  });

  it("policies: the list, and a detail with the expression and its recent decisions from the audit chain", async () => {
    const { name, owner } = await newCluster({}, "cpo");
    await joinNode(owner.api, name);
    await owner.api.post(`/v1/clusters/${name}/policies`, { name: "no-latest", expr: "object.image.endsWith(':latest')", action: "audit", message: "pin a tag" });
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "api", image: "oci:/api:latest" });
    const s = await signIn(owner.signer, [name]);
    expect(await page(`/console/clusters/${name}/policies`, s.cookie)).toContain('<tr data-policy="no-latest">');
    const detail = await page(`/console/clusters/${name}/policies/no-latest`, s.cookie);
    expect(detail).toContain("object.image.endsWith(&#39;:latest&#39;)");
    expect(detail).toMatch(/<tr data-seq="\d+" data-result="audit">/);
    expect((await get(`/console/clusters/${name}/policies/other`, s.cookie)).status).toBe(404);
  });
});

describe("console pipelines", () => {
  async function setup() {
    const { name, owner, node, approver } = await twoStageCluster({}, "cpl");
    const { replicas } = await owner.api.get<{ replicas: { id: string }[] }>(`/v1/clusters/${name}/workloads/web-staging`);
    await node.api.post(`/v1/clusters/${name}/nodes/${node.signer.address}/heartbeat`, { usage: { cpu_millis: 0, memory_mb: 0 }, containers: replicas.map((r) => ({ replica: r.id, status: "running" })) });
    await owner.api.post(`/v1/clusters/${name}/pipelines`, {
      name: "web",
      stages: [{ name: "staging", workloads: ["web-staging"] }, { name: "production", workloads: ["web-prod"] }],
      gates: { healthy_for_s: 1, verify_timeout_s: 120, approvals: { count: 1, role: "admin" } },
    });
    const { promotion } = await owner.api.post<{ promotion: { id: string; state: string } }>(`/v1/clusters/${name}/pipelines/web/promotions`, {});
    return { name, owner, approver, id: promotion.id };
  }

  it("lists pipelines and shows a promotion awaiting approval with approve / reject forms; the author is told plainly that theirs is refused", async () => {
    const { name, owner, id } = await setup();
    const s = await signIn(owner.signer, [name]);
    const list = await page(`/console/clusters/${name}/pipelines`, s.cookie);
    expect(list).toContain('<tr data-pipeline="web">');
    expect(list).toContain("staging → production");
    const detail = await page(`/console/clusters/${name}/pipelines/web`, s.cookie);
    expect(detail).toContain(`data-promotion="${id}" data-state="awaiting_approval"`);
    expect(detail).toContain(`action="/console/clusters/${name}/pipelines/web/promotions/${id}/approve"`);
    expect(detail).toContain(`action="/console/clusters/${name}/pipelines/web/promotions/${id}/reject"`);
    expect(detail).toContain("data-own-promotion");

    // The author's approval through the console: refused by the DO's dual-control check, shown on the page.
    const path = `/console/clusters/${name}/pipelines/web/promotions/${id}/approve`;
    const mine = await post(path, { csrf: s.csrf, confirm: "yes" }, { origin: BASE, cookie: s.cookie, ...HTML });
    expect(mine.status).toBe(303);
    const back = mine.headers.get("location")!;
    expect(back).toMatch(/\?refused=.*dual%20control/);
    expect(await page(back, s.cookie)).toMatch(/<p class="flash problem" role="alert" id="refused">Refused: dual control: /);
    // As problem+json for a non-browser client.
    const json = await post(path, { csrf: s.csrf, confirm: "yes" }, { origin: BASE, cookie: s.cookie });
    expect(json.status).toBe(403);
    expect(await json.json()).toMatchObject({ field: "id", detail: expect.stringContaining("dual control") });
    const { pipeline } = await owner.api.get<{ pipeline: { promotions: { state: string; approvals: unknown[] }[] } }>(`/v1/clusters/${name}/pipelines/web`);
    expect(pipeline.promotions[0]).toMatchObject({ state: "awaiting_approval", approvals: [] });
  });

  it("a second admin approves from the console (session, Origin, CSRF, confirmation); the decision is the wallet's, audited via console", async () => {
    const { name, owner, approver, id } = await setup();
    const s = await signIn(approver.signer, [name]);
    const path = `/console/clusters/${name}/pipelines/web/promotions/${id}/approve`;
    const fields = { confirm: "yes", comment: "looks good" };
    for (const [body, headers, status, field] of [
      [{ ...fields, csrf: s.csrf }, { origin: BASE }, 401, "cookie"],
      [fields, { origin: BASE, cookie: s.cookie }, 403, "csrf"],
      [{ ...fields, csrf: s.csrf }, { origin: "https://evil.test", cookie: s.cookie }, 403, "origin"],
    ] as const) {
      const res = await post(path, body, headers);
      expect(res.status, field).toBe(status);
      expect(((await res.json()) as { field: string }).field).toBe(field);
    }
    // Bad input names its field; without confirm, a confirmation page; nothing decided yet.
    const long = await post(path, { csrf: s.csrf, confirm: "yes", comment: "x".repeat(1001) }, { origin: BASE, cookie: s.cookie });
    expect(long.status).toBe(422);
    expect(((await long.json()) as { field: string }).field).toBe("form.comment");
    expect((await post(`/console/clusters/${name}/pipelines/web/promotions/pr-zz/approve`, { csrf: s.csrf, confirm: "yes" }, { origin: BASE, cookie: s.cookie })).status).toBe(400);
    const ask = await post(path, { csrf: s.csrf, comment: "looks good" }, { origin: BASE, cookie: s.cookie, ...HTML });
    expect(ask.status).toBe(200);
    const askText = await ask.text();
    expect(askText).toContain(`Approve promotion ${id} of web?`);
    expect(askText).toContain('name="comment" value="looks good"');
    const before = await owner.api.get<{ pipeline: { promotions: { state: string }[] } }>(`/v1/clusters/${name}/pipelines/web`);
    expect(before.pipeline.promotions[0]!.state).toBe("awaiting_approval");

    const ok = await post(path, { ...fields, csrf: s.csrf }, { origin: BASE, cookie: s.cookie, ...HTML });
    expect(ok.status).toBe(303);
    expect(decodeURIComponent(ok.headers.get("location")!)).toContain(`Approved promotion ${id}: it is now verifying.`);
    const after = await owner.api.get<{ pipeline: { promotions: { state: string; approvals: { approver: string }[] }[] } }>(`/v1/clusters/${name}/pipelines/web`);
    expect(after.pipeline.promotions[0]).toMatchObject({ state: "verifying", approvals: [{ approver: approver.signer.address }] });
    const { entries } = await owner.api.get<{ entries: AuditEntry[] }>(`/v1/clusters/${name}/audit?limit=1000`);
    const approval = entries.filter((e) => e.event === "PipelineApproval").at(-1)!;
    expect(approval.actor).toBe(approver.signer.address);
    expect(approval.details).toMatchObject({ decision: "approve", comment: "looks good", via: "console", signed: { keyid: approver.signer.address, signature: "" } });
    // Decided once: a second decision is refused and shown.
    const again = await post(path, { ...fields, csrf: s.csrf }, { origin: BASE, cookie: s.cookie, ...HTML });
    expect(decodeURIComponent(again.headers.get("location")!)).toMatch(/refused=promotion pr-[0-9a-f]{12} is verifying/);
  });
});

describe("console pipelines: reject", () => {
  it("a second admin's rejection from the console ends the promotion, red, and changes no workload", async () => {
    const { name, owner } = await newCluster({}, "cpr");
    const node = await joinNode(owner.api, name);
    const approver = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: approver.signer.address, role: "admin" });
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "a", image: "oci:/a:v2" });
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "b", image: "oci:/a:v1" });
    const { replicas } = await owner.api.get<{ replicas: { id: string }[] }>(`/v1/clusters/${name}/workloads/a`);
    await node.api.post(`/v1/clusters/${name}/nodes/${node.signer.address}/heartbeat`, { usage: { cpu_millis: 0, memory_mb: 0 }, containers: replicas.map((r) => ({ replica: r.id, status: "running" })) });
    await owner.api.post(`/v1/clusters/${name}/pipelines`, { name: "ab", stages: [{ name: "one", workloads: ["a"] }, { name: "two", workloads: ["b"] }] });
    const { promotion } = await owner.api.post<{ promotion: { id: string } }>(`/v1/clusters/${name}/pipelines/ab/promotions`, {});
    const s = await signIn(approver.signer, [name]);
    const res = await post(`/console/clusters/${name}/pipelines/ab/promotions/${promotion.id}/reject`, { csrf: s.csrf, confirm: "yes", comment: "not today" }, { origin: BASE, cookie: s.cookie, ...HTML });
    expect(res.status).toBe(303);
    expect(decodeURIComponent(res.headers.get("location")!)).toContain(`Rejected promotion ${promotion.id}: it is now rejected.`);
    const detail = await page(`/console/clusters/${name}/pipelines/ab`, s.cookie);
    expect(detail).toContain(`data-promotion="${promotion.id}" data-state="rejected"`);
    expect(detail).not.toContain(`/promotions/${promotion.id}/approve"`); // decided: no more buttons
    const b = await owner.api.get<{ workload: { spec: { image: string }; version: number } }>(`/v1/clusters/${name}/workloads/b`);
    expect(b.workload).toMatchObject({ spec: { image: "oci:/a:v1" }, version: 1 });
    const { entries } = await owner.api.get<{ entries: AuditEntry[] }>(`/v1/clusters/${name}/audit?limit=1000`);
    expect(entries.filter((e) => e.event === "PipelineApproval").at(-1)).toMatchObject({ actor: approver.signer.address, details: { decision: "reject", comment: "not today", via: "console" } });
  });
});

describe("console compliance page", () => {
  it("generates a report for a framework and period, embeds it for the page's signature check, and refuses bad input naming the field", async () => {
    const { name, owner } = await newCluster({}, "ccm");
    const s = await signIn(owner.signer, [name]);
    const form = await page(`/console/clusters/${name}/compliance`, s.cookie);
    expect(form).toContain('<select id="framework" name="framework" required="">');
    expect(form).not.toContain("report-json");
    const today = new Date().toISOString().slice(0, 10);
    const html = await page(`/console/clusters/${name}/compliance?framework=SOC2&from=2020-01-01&to=${today}`, s.cookie);
    expect(html).toContain('data-verify-kind="report"');
    expect(html).toContain('<tr data-control="CC6.1">');
    const report = JSON.parse(/<script type="application\/json" id="report-json">(.*?)<\/script>/s.exec(html)![1]!) as Record<string, unknown>;
    expect(report).toMatchObject({ framework: "SOC2", cluster: name, period: { from: "2020-01-01T00:00:00.000Z", to: `${today}T23:59:59.999Z` } });
    const { control_plane } = await (await get("/v1/keys")).json<{ control_plane: string }>();
    expect(await verifyComplianceReport(report, control_plane)).toEqual({ ok: true });
    for (const [q, field] of [["framework=ISO", "query.framework"], ["framework=SOC2&from=yesterday", "query.from"], ["framework=SOC2&from=2026-02-02&to=2026-01-01", "query.to"]]) {
      const res = await get(`/console/clusters/${name}/compliance?${q}`, s.cookie, {});
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { field: string }).field).toBe(field);
    }
  });
});
