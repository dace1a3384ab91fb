// The console's one script (progressive enhancement; every page reads without it):
//  - live regions: an EventSource on the cluster's event stream refreshes server-rendered
//    fragments (no client-side templates, so there is one renderer: the server's);
//  - in-browser verification: blocks, receipts with inclusion proofs and audit ranges are
//    checked here with WebCrypto Ed25519 and the project's own BLAKE3/JCS/Merkle code, against
//    the public keys of /v1/keys, so the user need not trust the server that serves the page.
// Bundled by scripts/build-console.ts into bundle.generated.ts (a test checks it is current).
import { decodeAddress } from "../../../protocol/address.ts";
import { concatBytes, fromHex, utf8 } from "../../../protocol/bytes.ts";
import { GENESIS, hashCanonical, textToHash } from "../../../protocol/hash.ts";
import { merkleRootText, verifyInclusionText } from "../../../protocol/merkle.ts";

// ---- live regions -------------------------------------------------------------------------

function live(): void {
  for (const region of document.querySelectorAll<HTMLElement>("[data-live-src]")) {
    const stream = region.dataset.liveStream;
    if (!stream || typeof EventSource === "undefined") continue;
    let busy = false;
    let again = false;
    const refresh = async (): Promise<void> => {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        const r = await fetch(region.dataset.liveSrc!, { headers: { accept: "text/html" }, credentials: "same-origin" });
        if (r.ok) {
          region.innerHTML = await r.text();
          region.dataset.liveUpdated = String(Date.now());
          sparklines(region);
        }
      } finally {
        busy = false;
        if (again) {
          again = false;
          void refresh();
        }
      }
    };
    sparklines(region);
    const es = new EventSource(stream);
    const status = document.getElementById("live-status");
    es.addEventListener("open", () => status && (status.textContent = "live"));
    es.addEventListener("change", () => void refresh());
    es.addEventListener("denied", () => {
      es.close();
      if (status) status.textContent = "stopped: session or role no longer valid";
    });
    es.addEventListener("error", () => status && (status.textContent = "reconnecting…"));
  }
}

/**
 * Metric sparklines: the gauges are current values, so the page keeps each one's recent history
 * (sessionStorage, 60 samples, one per refresh) and draws it as an inline SVG next to the number.
 */
function sparklines(region: HTMLElement): void {
  const key = region.dataset.sparkKey;
  if (!key) return;
  for (const card of region.querySelectorAll<HTMLElement>("[data-metric]")) {
    const store = `enc-spark:${key}:${card.dataset.metric}`;
    let hist: number[] = [];
    try {
      hist = JSON.parse(sessionStorage.getItem(store) ?? "[]") as number[];
    } catch {
      hist = [];
    }
    hist = [...hist, Number(card.dataset.value)].slice(-60);
    sessionStorage.setItem(store, JSON.stringify(hist));
    const slot = card.querySelector(".spark-live");
    if (!slot || hist.length < 2) continue;
    const w = 120;
    const h = 28;
    const max = Math.max(1, ...hist);
    const pts = hist.map((v, i) => `${((i * w) / (hist.length - 1)).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`).join(" ");
    slot.innerHTML = `<svg class="spark" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"><polyline points="${pts}"/></svg>`;
  }
}

// ---- verification -------------------------------------------------------------------------

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

type Obj = Record<string, unknown>;

const DOMAINS = { receipt: "enc/step-receipt/v1", block: "enc/log-block/v1", audit: "enc/audit-entry/v1" } as const;

/** BLAKE3(JCS(every field but `omit`)), as the protocol's computeHash. */
function bodyHash(obj: Obj, omit: string[]): string {
  const body: Obj = Object.create(null) as Obj;
  for (const k of Object.keys(obj)) if (!omit.includes(k)) body[k] = obj[k];
  return hashCanonical(body);
}

const keyCache = new Map<string, Promise<CryptoKey>>();

/** Ed25519 over UTF8(domain) || 0x0A || raw hash, checked by the browser's WebCrypto. */
async function verifySig(domain: string, hashText: string, sig: unknown, addr: unknown): Promise<{ ok: boolean; detail: string }> {
  if (typeof sig !== "string" || !/^ed25519:[0-9a-f]{128}$/.test(sig)) return { ok: false, detail: "signature is not ed25519:<128 hex>" };
  if (typeof addr !== "string") return { ok: false, detail: "no signer address" };
  let key = keyCache.get(addr);
  if (!key) {
    key = crypto.subtle.importKey("raw", decodeAddress(addr) as BufferSource, { name: "Ed25519" }, false, ["verify"]);
    keyCache.set(addr, key);
  }
  const input = concatBytes(utf8(domain), Uint8Array.of(0x0a), textToHash(hashText));
  const ok = await crypto.subtle.verify({ name: "Ed25519" }, await key, fromHex(sig.slice(8)) as BufferSource, input as BufferSource);
  return { ok, detail: ok ? `Ed25519 (WebCrypto) by ${short(addr)}` : `does not verify for ${short(addr)}` };
}

const short = (s: string) => (s.length > 20 ? `${s.slice(0, 12)}…${s.slice(-6)}` : s);

async function keys(): Promise<{ control_plane: string; notary: string }> {
  const r = await fetch("/v1/keys");
  if (!r.ok) throw new Error(`/v1/keys answered ${r.status}`);
  return (await r.json()) as { control_plane: string; notary: string };
}

async function checkReceipt(receipt: Obj, checks: Check[], label: string): Promise<string> {
  const hash = bodyHash(receipt, ["hash", "sig"]);
  checks.push({ name: `${label} hash`, ok: hash === receipt.hash, detail: hash === receipt.hash ? hash : `body hashes to ${hash}, receipt says ${String(receipt.hash)}` });
  const sig = await verifySig(DOMAINS.receipt, hash, receipt.sig, receipt.node);
  checks.push({ name: `${label} signature`, ...sig });
  return hash;
}

async function checkBlockItself(block: Obj, notary: string, checks: Check[], label = "block"): Promise<string> {
  checks.push({ name: `${label} notary key`, ok: block.notary === notary, detail: block.notary === notary ? `the published notary ${short(notary)}` : `${String(block.notary)} is not the published notary ${notary}` });
  const hash = bodyHash(block, ["sig_notary"]);
  checks.push({ name: `${label} hash`, ok: true, detail: `computed here: ${hash}` });
  checks.push({ name: `${label} signature`, ...(await verifySig(DOMAINS.block, hash, block.sig_notary, notary)) });
  return hash;
}

async function verifyBlock(data: { block: Obj; leaves: string[]; receipts: Obj[]; prev: Obj | null }, checks: Check[]): Promise<void> {
  const { notary } = await keys();
  const block = data.block;
  await checkBlockItself(block, notary, checks);
  const root = data.leaves.length ? merkleRootText(data.leaves) : "(no leaves)";
  checks.push({ name: "Merkle root", ok: root === block.merkle_root && data.leaves.length === block.count, detail: root === block.merkle_root ? `${data.leaves.length} leaves → ${root}` : `${data.leaves.length} leaves give ${root}, block says ${String(block.merkle_root)} (count ${String(block.count)})` });
  let leavesOk = data.receipts.length === data.leaves.length;
  for (const [i, r] of data.receipts.entries()) {
    const sub: Check[] = [];
    const h = await checkReceipt(r, sub, `receipt ${i}`);
    if (h !== data.leaves[i] || sub.some((c) => !c.ok)) {
      leavesOk = false;
      checks.push(...sub.filter((c) => !c.ok), { name: `leaf ${i}`, ok: h === data.leaves[i], detail: `receipt hashes to ${h}, leaf is ${data.leaves[i]}` });
    }
  }
  checks.push({ name: "receipts", ok: leavesOk, detail: leavesOk ? `${data.receipts.length} receipts: hashes, node signatures and leaf order check` : "a receipt does not match its leaf or signature" });
  if (data.prev) {
    const prevHash = await checkBlockItself(data.prev, notary, [], "previous block");
    checks.push({ name: "chain link", ok: block.prev === prevHash, detail: block.prev === prevHash ? `prev = hash of block ${String(data.prev.height)}` : `prev ${String(block.prev)} is not block ${String(data.prev.height)}'s hash ${prevHash}` });
  } else {
    checks.push({ name: "chain link", ok: block.prev === GENESIS && block.height === 1, detail: block.prev === GENESIS ? "first block: prev is genesis" : `prev ${String(block.prev)} but no previous block was served` });
  }
}

async function verifyReceiptProof(data: { receipt: Obj; inclusion: Obj | null; block: Obj | null }, checks: Check[]): Promise<void> {
  const { notary } = await keys();
  const hash = await checkReceipt(data.receipt, checks, "receipt");
  if (!data.inclusion || !data.block) {
    checks.push({ name: "inclusion", ok: false, detail: "not sealed into a block yet: no inclusion proof" });
    return;
  }
  const p = data.inclusion;
  const path = Array.isArray(p.path) ? (p.path as string[]) : [];
  const ok = p.height === data.block.height && p.tree_size === data.block.count && verifyInclusionText(hash, Number(p.leaf_index), Number(p.tree_size), path, String(data.block.merkle_root));
  checks.push({ name: "Merkle path", ok, detail: ok ? `leaf ${String(p.leaf_index)} of ${String(p.tree_size)}, ${path.length} steps to ${String(data.block.merkle_root)}` : "the path does not lead to the block's merkle_root" });
  await checkBlockItself(data.block, notary, checks);
}

async function verifyAudit(data: { entries: Obj[]; prev: Obj | null }, checks: Check[]): Promise<void> {
  const { control_plane } = await keys();
  let prev = data.prev ? bodyHash(data.prev, ["hash", "sig"]) : GENESIS;
  if (data.prev) {
    const s = await verifySig(DOMAINS.audit, prev, data.prev.sig, control_plane);
    checks.push({ name: `entry ${String(data.prev.seq)} (before the range)`, ok: s.ok && prev === data.prev.hash, detail: s.detail });
  }
  for (const e of data.entries) {
    const hash = bodyHash(e, ["hash", "sig"]);
    const s = await verifySig(DOMAINS.audit, hash, e.sig, control_plane);
    const hashOk = hash === e.hash;
    const link = e.prev_hash === prev;
    checks.push({
      name: `entry ${String(e.seq)} ${String(e.event)}`,
      ok: hashOk && s.ok && link,
      detail: [hashOk ? "hash ✓" : `hash ✗ (body hashes to ${hash})`, s.ok ? "signature ✓" : `signature ✗ ${s.detail}`, link ? "chain link ✓" : `chain link ✗ (prev_hash ${String(e.prev_hash)} ≠ ${prev})`].join(" · "),
    });
    prev = String(e.hash);
  }
}

function render(out: HTMLElement, checks: Check[], error?: string): void {
  const list = document.createElement("ol");
  list.className = "checks";
  for (const c of checks) {
    const li = document.createElement("li");
    li.className = c.ok ? "ok" : "bad";
    li.dataset.check = c.name;
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.textContent = c.ok ? "✓ pass" : "✗ FAIL";
    const name = document.createElement("strong");
    name.textContent = ` ${c.name}: `;
    const detail = document.createElement("span");
    detail.textContent = c.detail;
    li.append(mark, name, detail);
    list.append(li);
  }
  const failed = error !== undefined || checks.length === 0 || checks.some((c) => !c.ok);
  const summary = document.createElement("p");
  summary.className = failed ? "verdict bad" : "verdict ok";
  summary.setAttribute("role", "status");
  summary.id = "verdict";
  summary.textContent = failed
    ? `✗ Verification FAILED${error ? `: ${error}` : `: ${checks.filter((c) => !c.ok).length} check(s) failed`}`
    : `✓ Verified in this browser: ${checks.length} checks passed`;
  out.replaceChildren(summary, list);
  out.dataset.verdict = failed ? "failed" : "verified";
}

async function runVerify(box: HTMLElement): Promise<void> {
  const out = box.querySelector<HTMLElement>("[data-verify-out]")!;
  out.textContent = "Verifying…";
  out.dataset.verdict = "running";
  const checks: Check[] = [];
  try {
    if (!crypto.subtle) throw new Error("this browser has no WebCrypto (a secure context is needed)");
    const r = await fetch(box.dataset.verify!, { credentials: "same-origin", headers: { accept: "application/json" } });
    if (!r.ok) throw new Error(`the data request answered ${r.status}`);
    const data = (await r.json()) as never;
    const kind = box.dataset.verifyKind;
    if (kind === "block") await verifyBlock(data, checks);
    else if (kind === "receipt") await verifyReceiptProof(data, checks);
    else if (kind === "audit") await verifyAudit(data, checks);
    // Checkpoints (C2SP) are served by another part of ENC: their check will go here.
    else throw new Error(`unknown kind ${String(kind)}`);
    render(out, checks);
  } catch (e) {
    render(out, checks, (e as Error).message);
  }
}

function verifiers(): void {
  for (const box of document.querySelectorAll<HTMLElement>("[data-verify]")) {
    const button = box.querySelector<HTMLButtonElement>("button[data-verify-run]");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", () => void runVerify(box));
    }
    if (box.dataset.verifyAuto !== undefined) void runVerify(box);
  }
}

// ---- confirmations --------------------------------------------------------------------------

/** Native <dialog> for confirmations where supported; the server's confirmation page otherwise. */
function confirmations(): void {
  for (const form of document.querySelectorAll<HTMLFormElement>("form[data-confirm]")) {
    form.addEventListener("submit", (ev) => {
      if (form.dataset.confirmed === "1") return;
      ev.preventDefault();
      const text = form.dataset.confirm!.replace("{n}", (form.querySelector<HTMLInputElement>("input[name=replicas]")?.value ?? ""));
      const dialog = document.getElementById("confirm-dialog") as HTMLDialogElement | null;
      if (!dialog || typeof dialog.showModal !== "function") return form.submit();
      dialog.querySelector("[data-confirm-text]")!.textContent = text;
      dialog.returnValue = "";
      dialog.addEventListener("close", () => {
        if (dialog.returnValue === "yes") {
          const confirm = document.createElement("input");
          confirm.type = "hidden";
          confirm.name = "confirm";
          confirm.value = "yes";
          form.append(confirm);
          form.dataset.confirmed = "1";
          form.submit();
        }
      }, { once: true });
      dialog.showModal();
    });
  }
}

live();
verifiers();
confirmations();
