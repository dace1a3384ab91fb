// The web console in real Chromium (puppeteer-core), against the real Worker (wrangler dev), the
// real enc CLI and a real enc-agent running runc: sign in through `enc console`'s link, watch a
// workload deployed by the CLI appear and start without a reload, scale it from the page, verify
// a block, a receipt and the audit log in the browser (and see a tampered block fail), and have
// actions without a valid session or CSRF token refused; verify a C2SP checkpoint against its tiles
// (and see a tampered one fail); approve a pipeline promotion as a second person after the
// author's own approval is refused. With ENC_SCREENSHOTS=1 the tests rewrite the PNGs of
// docs/console/ (tracked, shown in the README); otherwise they write none.
import { existsSync } from "node:fs";
import path from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { cleanup, tempDir } from "../agent/helpers.ts";
import { ed25519 } from "@noble/curves/ed25519.js";
import { toHex } from "../../protocol/bytes.ts";
import { cosignLine, witnessVkey } from "../../protocol/c2sp/cosignature.ts";
import { generateSeed, signerFromSeed } from "../../protocol/ed25519.ts";
import { ROOT, encCli, notaryStats, runAgentOnce, spawnAgent, startCluster, waitFor, type AgentProcess, type TestCluster } from "./agent-harness.ts";
import type { AuditEntry } from "../../protocol/schemas.ts";

const CHROMIUM = ["/usr/bin/chromium-headless-shell", "/usr/bin/chromium"].find((p) => existsSync(p));
const SHOTS = path.join(ROOT, "docs/console");
/** Screenshots only on request: they are tracked files, and would otherwise change at every run. */
const SHOOT = process.env.ENC_SCREENSHOTS === "1";
const shot = async (p: Page, name: string, fullPage = true) => {
  if (SHOOT) await p.screenshot({ path: path.join(SHOTS, name), fullPage });
};

let work: string;
let home: string;
let dataDir: string;
let image: BuiltImage;
let cluster: TestCluster;
let agent: AgentProcess | undefined;
let browser: Browser;
let page: Page;

const enc = (args: string[]) => encCli(cluster, home, args);
const consolePath = (p = "") => `${cluster.url}/console/clusters/${cluster.name}${p}`;

beforeAll(async () => {
  const t0 = Date.now();
  expect(CHROMIUM, "install Debian's chromium or chromium-headless-shell").toBeTruthy();
  work = tempDir("e2e-console");
  home = path.join(work, "home");
  dataDir = path.join(work, "agent");
  image = buildBusyboxImage(path.join(work, "busybox"));
  cluster = await startCluster("console-e2e");
  const joined = await runAgentOnce(["join", "--url", cluster.url, "--cluster", cluster.name, "--token", await cluster.token(), "--data-dir", dataDir]);
  expect(joined.code, joined.output).toBe(0);
  agent = spawnAgent(["run", "--data-dir", dataDir, "--heartbeat-s", "1"]);
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  console.log(`console e2e setup (image, cluster, agent join, Chromium): ${Date.now() - t0} ms`);
});

afterAll(async () => {
  const t0 = Date.now();
  await browser?.close();
  await agent?.kill();
  await cluster?.stop();
  cleanup(dataDir, work);
  console.log(`console e2e teardown: ${Date.now() - t0} ms`);
});

// Functions run in the page are given as source text: this file compiles without the DOM types.
const LIVE = `document.getElementById("live-status")?.textContent === "live"`;
const textOf = (p: Page, sel: string) => p.$eval(sel, (e) => e.textContent ?? "");
const text = (sel: string) => textOf(page, sel);

describe("the web console in Chromium", () => {
  it("signs in through the link `enc console` prints: an HttpOnly, SameSite=Strict cookie for this wallet", async () => {
    const printed = await enc(["console", "--no-open"]);
    expect(printed.code, printed.stderr).toBe(0);
    const url = printed.stdout.trim();
    expect(url).toMatch(new RegExp(`^${cluster.url}/console/login\\?token=[A-Za-z0-9_-]+$`));
    expect(printed.stderr).toMatch(/works once/);
    await page.goto(url);
    expect(page.url()).toBe(consolePath());
    expect(await text("h1")).toBe(`Cluster ${cluster.name}`);
    expect(await text("#role")).toBe("owner");
    const [cookie] = await browser.cookies();
    expect(cookie).toMatchObject({ name: "enc_console", httpOnly: true, sameSite: "Strict", secure: false, path: "/console" });
    // The link was used up: opening it again signs no one in.
    const again = await fetch(url, { redirect: "manual" });
    expect(again.status).toBe(401);
    // Keyboard: the first Tab reaches the skip link.
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.textContent")).toBe("Skip to content");
  });

  it("shows a workload deployed by the CLI appear and start, live, without a reload", async () => {
    await page.goto(consolePath());
    await page.waitForFunction(LIVE, { timeout: 15_000 });
    await page.evaluate("window.sameDocument = true");
    expect(await page.$("tr[data-workload=web]")).toBeNull();
    const deployed = await enc(["deploy", "web", "--image", image.ref, "--", "sh", "-c", "echo hello from web; exec sleep 3600"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    await page.waitForSelector("tr[data-workload=web]", { timeout: 20_000 });
    expect(await page.evaluate("window.sameDocument")).toBe(true); // appeared without a reload
    await page.waitForSelector("tr[data-workload=web][data-running='1']", { timeout: 45_000 });
    expect(await page.evaluate("window.sameDocument")).toBe(true);
    await page.waitForSelector("#nodes tbody tr");
    // The gauges refresh with the rest, and the page draws their recent history.
    await page.waitForSelector("[data-metric=running_replicas][data-value='1']", { timeout: 15_000 });
    await page.waitForSelector("[data-metric=running_replicas] .spark-live svg polyline", { timeout: 15_000 });
    await shot(page, "overview.png");
    // Phone width: the same page, no horizontal scrolling of the page itself.
    await page.setViewport({ width: 390, height: 844 });
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")).toBe(true);
    await shot(page, "overview-phone.png", false);
    await page.setViewport({ width: 1280, height: 900 });
  }, 120_000);

  it("scales the workload from its page, after a confirmation; the replicas come up live", async () => {
    await page.goto(consolePath("/workloads/web"));
    await page.waitForFunction(LIVE, { timeout: 15_000 });
    const input = await page.$("#replicas");
    await input!.click({ clickCount: 3 });
    await input!.type("2");
    await page.click("#scale-form button[type=submit]");
    await page.waitForSelector("#confirm-dialog[open]");
    expect(await text("#confirm-dialog [data-confirm-text]")).toBe("Scale web from 1 to 2 primary replicas?");
    await Promise.all([page.waitForNavigation(), page.click("#confirm-yes")]);
    expect(await text("#flash")).toMatch(/Scaled web to 2 primary replicas/);
    await page.waitForFunction(LIVE, { timeout: 15_000 });
    await page.waitForFunction(`document.querySelectorAll("#live-replicas tr[data-status=running]").length === 2`, { timeout: 45_000 });
    const w = await cluster.api.get<{ replicas: unknown[] }>(`/v1/clusters/${cluster.name}/workloads/web`);
    expect(w.replicas).toHaveLength(2);
    const { entries } = await cluster.api.get<{ entries: AuditEntry[] }>(`/v1/clusters/${cluster.name}/audit?from_seq=1&limit=500`);
    const scaled = entries.filter((e) => e.event === "WorkloadScaled").at(-1)!;
    expect(scaled).toMatchObject({ actor: cluster.owner.address, details: { via: "console" } });
    await waitFor("the log tail", async () => {
      await page.reload();
      return (await page.content()).includes("hello from web");
    }, 20_000, 500);
    await shot(page, "workload.png");
  }, 120_000);

  it("verifies a block, a receipt's inclusion proof and the audit log in the browser; a tampered block fails", async () => {
    await waitFor("receipts from the agent", async () => (await notaryStats(cluster, "web")).pending_receipts > 0, 30_000, 250);
    const sealed = await cluster.api.post<{ block: { height: number } } | null>(`/v1/clusters/${cluster.name}/apps/web/seal`);
    expect(sealed?.block.height).toBe(1);
    const blockPage = consolePath("/apps/web/blocks/1");
    await page.goto(blockPage);
    await page.waitForSelector("[data-verify-out][data-verdict=verified], [data-verify-out][data-verdict=failed]", { timeout: 15_000 });
    expect(await text("#verdict")).toMatch(/^✓ Verified in this browser/);
    const checks = await page.$$eval("ol.checks li", (lis) => lis.map((li) => [li.getAttribute("data-check"), li.className]));
    for (const name of ["block notary key", "block hash", "block signature", "Merkle root", "receipts", "chain link"]) expect(checks).toContainEqual([name, "ok"]);
    await shot(page, "verify-block.png");

    // The same page served a block altered on the way (its time range): the signature no longer holds.
    await page.setRequestInterception(true);
    const cookies = (await browser.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const onRequest = (req: import("puppeteer-core").HTTPRequest) => {
      if (!req.url().endsWith("/apps/web/blocks/1/data")) return void req.continue();
      void (async () => {
        const real = (await (await fetch(req.url(), { headers: { cookie: cookies } })).json()) as { block: { range: { to_ts: string } } };
        real.block.range.to_ts = "2099-01-01T00:00:00.000Z";
        await req.respond({ status: 200, contentType: "application/json", body: JSON.stringify(real) });
      })();
    };
    page.on("request", onRequest);
    await page.goto(blockPage);
    await page.waitForSelector("[data-verify-out][data-verdict=failed]", { timeout: 15_000 });
    expect(await text("#verdict")).toMatch(/^✗ Verification FAILED/);
    const bad = await page.$$eval("ol.checks li.bad", (lis) => lis.map((li) => li.getAttribute("data-check")));
    expect(bad).toContain("block signature");
    await shot(page, "verify-tampered.png");
    page.off("request", onRequest);
    await page.setRequestInterception(false);

    // A receipt of that block, with its Merkle path.
    await page.goto(blockPage);
    // Followed by its address: a click could land elsewhere while the verifier's list grows.
    const receiptHref = await page.$eval("main ol:not(.checks) li a", (a) => a.getAttribute("href"));
    expect(receiptHref).toMatch(/^\/console\/receipts\/blake3:[0-9a-f]{64}$/);
    await page.goto(cluster.url + receiptHref);
    await page.waitForSelector("[data-verify-out][data-verdict=verified]", { timeout: 15_000 });
    const receiptChecks = await page.$$eval("ol.checks li.ok", (lis) => lis.map((li) => li.getAttribute("data-check")));
    expect(receiptChecks).toEqual(expect.arrayContaining(["receipt hash", "receipt signature", "Merkle path", "block signature"]));

    // The audit log's last entries: hashes, signatures and chain links.
    await page.goto(consolePath("/audit"));
    await page.waitForSelector("[data-verify-out][data-verdict=verified]", { timeout: 15_000 });
    expect(await page.$$eval("ol.checks li.ok", (lis) => lis.length)).toBeGreaterThan(3);
  }, 120_000);

  it("verifies the app log's C2SP checkpoint in the browser (log key, note signature, root from tiles, block binding); a tampered one fails", async () => {
    const checkpointPage = consolePath("/apps/web/checkpoint");
    await page.goto(checkpointPage);
    await page.waitForSelector("[data-verify-out][data-verdict=verified], [data-verify-out][data-verdict=failed]", { timeout: 15_000 });
    expect(await text("#verdict")).toMatch(/^✓ Verified in this browser: \d+ checks passed, 2 not checked/);
    const checks = await page.$$eval("ol.checks li", (lis) => lis.map((li) => [li.getAttribute("data-check"), li.className]));
    for (const name of ["key hash", "log key", "checkpoint origin", "note signature", "checkpoint size", "root from tiles", "entries", "block #1 signature", "block tlog binding", "block receipts in the log"]) expect(checks).toContainEqual([name, "ok"]);
    // No witness is configured, and this browser has seen no earlier checkpoint: said so, neither passed nor failed.
    expect(checks).toContainEqual(["witnesses", "unchecked"]);
    expect(checks).toContainEqual(["consistency", "unchecked"]);
    await shot(page, "verify-checkpoint.png");

    // The public checkpoint altered on the way (another root): its signature and the tiles disagree.
    await page.setRequestInterception(true);
    const onRequest = (req: import("puppeteer-core").HTTPRequest) => {
      if (!req.url().endsWith("/apps/web/log/checkpoint")) return void req.continue();
      void (async () => {
        const lines = (await (await fetch(req.url())).text()).split("\n");
        lines[2] = Buffer.alloc(32, 7).toString("base64");
        await req.respond({ status: 200, contentType: "text/plain; charset=utf-8", body: lines.join("\n") });
      })();
    };
    page.on("request", onRequest);
    await page.goto(checkpointPage);
    await page.waitForSelector("[data-verify-out][data-verdict=failed]", { timeout: 15_000 });
    expect(await text("#verdict")).toMatch(/^✗ Verification FAILED/);
    const bad = await page.$$eval("ol.checks li.bad", (lis) => lis.map((li) => li.getAttribute("data-check")));
    expect(bad).toEqual(expect.arrayContaining(["note signature", "root from tiles"]));
    expect(bad).not.toContain("log key");
    await shot(page, "verify-checkpoint-tampered.png");
    page.off("request", onRequest);
    await page.setRequestInterception(false);

    // A cosigned checkpoint, as a witness would return it: the log info lists two witnesses, the note
    // carries w1's cosignature/v1 line (checked by WebCrypto) and none of w2 (listed as not checked).
    // Then w1's line over another timestamp than it claims: that cosignature fails, and the note with it.
    const w1 = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    const w2 = Uint8Array.from({ length: 32 }, (_, i) => 200 - i);
    const witnesses = [witnessVkey("witness.test/w1", ed25519.getPublicKey(w1)), witnessVkey("witness.test/w2", ed25519.getPublicKey(w2))];
    const cosigned = async (forge: boolean) => {
      await page.setRequestInterception(true);
      const handler = (req: import("puppeteer-core").HTTPRequest) => {
        const url = req.url();
        if (!url.endsWith("/apps/web/log/") && !url.endsWith("/apps/web/log/checkpoint")) return void req.continue();
        void (async () => {
          const real = await (await fetch(url)).text();
          if (url.endsWith("/log/")) return req.respond({ status: 200, contentType: "application/json", body: JSON.stringify({ ...JSON.parse(real), witnesses }) });
          const body = real.slice(0, real.indexOf("\n\n") + 1);
          const line = cosignLine("witness.test/w1", w1, body, 1_800_000_000);
          // key id (4) ‖ timestamp (8, big-endian) ‖ signature (64): a forged line claims another time.
          const blob = Buffer.from(line.trim().split(" ").at(-1)!, "base64");
          if (forge) blob.writeBigUInt64BE(1_800_000_001n, 4);
          const sent = `${line.slice(0, line.lastIndexOf(" ") + 1)}${blob.toString("base64")}\n`;
          await req.respond({ status: 200, contentType: "text/plain; charset=utf-8", body: real + sent });
        })();
      };
      page.on("request", handler);
      await page.goto(checkpointPage);
      await page.waitForSelector("[data-verify-out][data-verdict=verified], [data-verify-out][data-verdict=failed]", { timeout: 15_000 });
      const seen = await page.$$eval("ol.checks li", (lis) => lis.map((li) => [li.getAttribute("data-check"), li.className]));
      page.off("request", handler);
      await page.setRequestInterception(false);
      return seen;
    };
    const good = await cosigned(false);
    expect(await page.$eval("[data-verify-out]", (e) => e.getAttribute("data-verdict"))).toBe("verified");
    expect(good).toContainEqual(["witness witness.test/w1", "ok"]);
    expect(good).toContainEqual(["witness witness.test/w2", "unchecked"]);
    expect(good).toContainEqual(["consistency", "ok"]); // extends the checkpoint verified above
    expect(await text("#verdict")).toMatch(/, 1 not checked \(listed\)$/);
    const forged = await cosigned(true);
    expect(await page.$eval("[data-verify-out]", (e) => e.getAttribute("data-verdict"))).toBe("failed");
    expect(forged).toContainEqual(["witness witness.test/w1", "bad"]);
    expect(forged).toContainEqual(["note signature", "ok"]);

    // A browser that remembers another history of this log (a root it verified for size 3): the
    // tiles' root at size 3 is not it, so the log was rewritten.
    const origin = (await text("#vkey")).split("+")[0]!;
    await page.evaluate(`localStorage.setItem(${JSON.stringify(`enc-checkpoint:${origin}`)}, JSON.stringify({ size: 3, root: "${Buffer.alloc(32, 9).toString("base64")}" }))`);
    await page.goto(checkpointPage);
    await page.waitForSelector("[data-verify-out][data-verdict=failed]", { timeout: 15_000 });
    expect(await page.$$eval("ol.checks li.bad", (lis) => lis.map((li) => li.getAttribute("data-check")))).toEqual(["consistency"]);

    // The audit log's checkpoint: the control-plane key, its entries in seq order.
    await page.goto(consolePath("/audit/checkpoint"));
    await page.waitForSelector("[data-verify-out][data-verdict=verified]", { timeout: 15_000 });
    const auditChecks = await page.$$eval("ol.checks li.ok", (lis) => lis.map((li) => li.getAttribute("data-check")));
    expect(auditChecks).toEqual(expect.arrayContaining(["key hash", "log key", "note signature", "root from tiles", "entries"]));

    // Phone width: the note and the long keys wrap or scroll in their own boxes, not the page.
    await page.setViewport({ width: 390, height: 844 });
    await page.goto(checkpointPage);
    expect(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")).toBe(true);
    await page.setViewport({ width: 1280, height: 900 });
  }, 60_000);

  it("generates a compliance report from its form and verifies the report's signature in the page", async () => {
    await page.goto(consolePath("/compliance"));
    await page.select("#framework", "HIPAA");
    await Promise.all([page.waitForNavigation(), page.click("#report-form button[type=submit]")]);
    expect(new URL(page.url()).searchParams.get("framework")).toBe("HIPAA");
    await page.waitForSelector("[data-verify-out][data-verdict=verified]", { timeout: 15_000 });
    const checks = await page.$$eval("ol.checks li", (lis) => lis.map((li) => [li.getAttribute("data-check"), li.className]));
    expect(checks).toEqual([["report signer", "ok"], ["report hash", "ok"], ["report signature", "ok"]]);
    expect(await page.$$eval("#controls tbody tr", (rows) => rows.length)).toBeGreaterThan(0);
    expect(await page.$$eval("main input:not([type=hidden]), main select", (els) => els.filter((e) => !(e as unknown as { labels: { length: number } }).labels.length).length)).toBe(0);
  }, 30_000);

  it("works without JavaScript: pages read in full, and an action confirms on a page of its own", async () => {
    const plain = await browser.newPage();
    await plain.setJavaScriptEnabled(false);
    await plain.goto(consolePath("/workloads/web"));
    expect(await plain.$$eval("#live-replicas tr[data-status=running]", (rows) => rows.length)).toBe(2);
    // Every visible form control has a label.
    expect(await plain.$$eval("main input:not([type=hidden]), main select", (els) => els.filter((e) => !(e as unknown as { labels: { length: number } }).labels.length).length)).toBe(0);
    await Promise.all([plain.waitForNavigation(), plain.click("#scale-form button[type=submit]")]);
    expect(await textOf(plain, "h1")).toBe("Please confirm");
    expect(await textOf(plain, "main p")).toBe("Scale web to 2 primary replicas?");
    await Promise.all([plain.waitForNavigation(), plain.click("main form button[type=submit]")]);
    expect(await textOf(plain, "#flash")).toMatch(/Scaled web to 2 primary replicas/);
    await plain.close();
  }, 60_000);

  it("approves a pipeline promotion from the UI as a second person; the author's own approval is refused", async () => {
    const base = `/v1/clusters/${cluster.name}`;
    await cluster.api.post(`${base}/workloads`, { name: "web-prod", image: image.ref, replicas: 0 });
    await cluster.api.post(`${base}/pipelines`, {
      name: "web",
      stages: [{ name: "staging", workloads: ["web"] }, { name: "production", workloads: ["web-prod"] }],
      gates: { healthy_for_s: 1, verify_timeout_s: 120, approvals: { count: 1, role: "admin" } },
    });
    const { promotion } = await cluster.api.post<{ promotion: { id: string; state: string } }>(`${base}/pipelines/web/promotions`, {});
    expect(promotion.state).toBe("awaiting_approval");

    // The author (the owner, signed in above) approves: the page says why it is refused.
    await page.goto(consolePath("/pipelines/web"));
    expect(await page.$(`[data-promotion=${promotion.id}] [data-own-promotion]`)).not.toBeNull();
    await page.click("form[data-decision=approve] button[type=submit]");
    await page.waitForSelector("#confirm-dialog[open]");
    await Promise.all([page.waitForNavigation(), page.click("#confirm-yes")]);
    expect(await text("#refused")).toMatch(/^Refused: dual control: .* cannot approve or reject it$/);
    expect(await page.$eval(`[data-promotion=${promotion.id}]`, (e) => e.getAttribute("data-state"))).toBe("awaiting_approval");
    await shot(page, "pipeline-refused.png");

    // A second person, an admin with a wallet of their own, signs in through their own `enc console`.
    const seed = generateSeed();
    const second = await signerFromSeed(seed);
    await cluster.api.post(`${base}/roles`, { address: second.address, role: "admin" });
    const printed = await encCli({ ...cluster, owner: second, ownerSeed: toHex(seed) }, path.join(work, "home2"), ["console", "--no-open"]);
    expect(printed.code, printed.stderr).toBe(0);
    const ctx = await browser.createBrowserContext();
    try {
      const p2 = await ctx.newPage();
      await p2.setViewport({ width: 1280, height: 900 });
      await p2.goto(printed.stdout.trim());
      await p2.goto(consolePath("/pipelines/web"));
      expect(await p2.$("[data-own-promotion]")).toBeNull();
      // Every form control labelled; at phone width the page itself does not scroll sideways.
      expect(await p2.$$eval("main input:not([type=hidden]), main select", (els) => els.filter((e) => !(e as unknown as { labels: { length: number } }).labels.length).length)).toBe(0);
      await p2.setViewport({ width: 390, height: 844 });
      expect(await p2.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")).toBe(true);
      await p2.setViewport({ width: 1280, height: 900 });
      await p2.type(`#comment-${promotion.id}-approve`, "checked in staging");
      await p2.click("form[data-decision=approve] button[type=submit]");
      await p2.waitForSelector("#confirm-dialog[open]");
      expect(await textOf(p2, "#confirm-dialog [data-confirm-text]")).toMatch(new RegExp(`^Approve promotion ${promotion.id} \\(staging → production\\) as `));
      await Promise.all([p2.waitForNavigation(), p2.click("#confirm-yes")]);
      expect(await textOf(p2, "#flash")).toBe(`Approved promotion ${promotion.id}: it is now verifying.`);
      await shot(p2, "pipeline.png");
    } finally {
      await ctx.close();
    }
    const { pipeline } = await cluster.api.get<{ pipeline: { promotions: { id: string; state: string; approvals: { approver: string }[] }[] } }>(`${base}/pipelines/web`);
    expect(pipeline.promotions.at(-1)).toMatchObject({ id: promotion.id, approvals: [{ approver: second.address }] });
    expect(["verifying", "promoted"]).toContain(pipeline.promotions.at(-1)!.state);
    const { entries } = await cluster.api.get<{ entries: AuditEntry[] }>(`${base}/audit?from_seq=1&limit=500`);
    const approval = entries.filter((e) => e.event === "PipelineApproval").at(-1)!;
    expect(approval).toMatchObject({ actor: second.address, details: { decision: "approve", comment: "checked in staging", via: "console" } });
  }, 60_000);

  it("refuses an action without a valid session or CSRF token, and after sign-out", async () => {
    await page.goto(consolePath("/workloads/web"));
    // A form whose CSRF token was tampered with, submitted by the signed-in browser.
    await page.evaluate(`(() => {
      const f = document.getElementById("scale-form");
      f.querySelector("input[name=csrf]").value = "${"0".repeat(64)}";
      f.querySelector("#replicas").value = "0";
      f.dataset.confirmed = "1";
      const c = document.createElement("input");
      c.type = "hidden";
      c.name = "confirm";
      c.value = "yes";
      f.append(c);
      f.submit();
    })()`);
    await page.waitForSelector("[data-problem-field]");
    expect(await page.$eval("[data-problem-field]", (e) => e.getAttribute("data-problem-field"))).toBe("csrf");
    expect(await text("h1")).toBe("403 Forbidden");
    // No session at all: refused before anything else.
    const csrfFromPage = async () => {
      await page.goto(consolePath("/workloads/web"));
      return page.$eval("#scale-form input[name=csrf]", (e) => (e as unknown as { value: string }).value);
    };
    const csrf = await csrfFromPage();
    const bare = await fetch(consolePath("/workloads/web/scale"), { method: "POST", headers: { origin: cluster.url }, body: new URLSearchParams({ csrf, replicas: "0", confirm: "yes" }) });
    expect(bare.status).toBe(401);
    expect((await cluster.api.get<{ replicas: unknown[] }>(`/v1/clusters/${cluster.name}/workloads/web`)).replicas).toHaveLength(2);
    // Sign out; the old cookie is then refused too.
    const old = (await browser.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    await Promise.all([page.waitForNavigation(), page.click("header form button")]);
    expect(await text("h1")).toBe("Sign in to the ENC console");
    const stale = await fetch(consolePath("/workloads/web/scale"), { method: "POST", headers: { origin: cluster.url, cookie: old }, body: new URLSearchParams({ csrf, replicas: "0", confirm: "yes" }) });
    expect(stale.status).toBe(401);
    expect((await cluster.api.get<{ replicas: unknown[] }>(`/v1/clusters/${cluster.name}/workloads/web`)).replicas).toHaveLength(2);
  }, 60_000);
});
