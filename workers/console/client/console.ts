// The console's one script (progressive enhancement; every page reads without it):
//  - live regions: an EventSource on the cluster's event stream refreshes server-rendered
//    fragments (no client-side templates, so there is one renderer: the server's);
//  - in-browser verification: blocks, receipts with inclusion proofs, audit ranges, C2SP
//    checkpoints (against their tiles) and compliance reports are checked here with WebCrypto Ed25519 and the project's own BLAKE3/JCS/Merkle code, against
//    the public keys of /v1/keys, so the user need not trust the server that serves the page.
// Bundled by scripts/build-console.ts into bundle.generated.ts (a test checks it is current).
import { decodeAddress } from "../../../protocol/address.ts";
import { bytesEqual, concatBytes, fromHex, toBase64, toHex, utf8 } from "../../../protocol/bytes.ts";
import { parseCheckpoint, textToRoot } from "../../../protocol/c2sp/checkpoint.ts";
import { ALG_ED25519, keyId, parseNote, parseVkey, type Vkey } from "../../../protocol/c2sp/note.ts";
import { decodeEntryBundle, tileHashReader, tilePath, tileWidth, TILE_WIDTH } from "../../../protocol/c2sp/tiles.ts";
import { tlogLeafHash, treeRoot } from "../../../protocol/c2sp/tlog.ts";
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
  /** null: not checked (said so in the list; it neither passes nor fails the verdict). */
  ok: boolean | null;
  detail: string;
}

type Obj = Record<string, unknown>;

const DOMAINS = { receipt: "enc/step-receipt/v1", block: "enc/log-block/v1", audit: "enc/audit-entry/v1", report: "enc/compliance-report/v1" } as const;

/** BLAKE3(JCS(every field but `omit`)), as the protocol's computeHash. */
function bodyHash(obj: Obj, omit: string[]): string {
  const body: Obj = Object.create(null) as Obj;
  for (const k of Object.keys(obj)) if (!omit.includes(k)) body[k] = obj[k];
  return hashCanonical(body);
}

const keyCache = new Map<string, Promise<CryptoKey>>();

/** Plain Ed25519 by the browser's WebCrypto over `msg` with a raw 32-byte public key. */
async function ed25519Verify(publicKey: Uint8Array, sig: Uint8Array, msg: Uint8Array): Promise<boolean> {
  if (sig.length !== 64 || publicKey.length !== 32) return false;
  const key = await crypto.subtle.importKey("raw", publicKey as BufferSource, { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, sig as BufferSource, msg as BufferSource);
}

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

// ---- C2SP checkpoints ---------------------------------------------------------------------

interface CheckpointData {
  /** which key of /v1/keys signs this log */
  signer: "notary" | "control_plane";
  /** what the log's entries are: the app's StepReceipts or the cluster's AuditEntries */
  entries: "receipt" | "audit";
  /** the public C2SP endpoints any tlog client reads: `…/log/` and `…/log/checkpoint` */
  info_url: string;
  checkpoint_url: string;
  /** where this session reads tiles (the console's viewer-checked copy of `…/log/tile/`) */
  tile_base: string;
  /** the app's newest block, with its leaves, for the block ↔ log binding */
  block: { block: Obj; leaves: string[] } | null;
}

async function getOk(url: string): Promise<Response> {
  const r = await fetch(url, { credentials: "same-origin" });
  if (!r.ok) throw new Error(`${url} answered ${r.status}`);
  return r;
}

const u64be = (b: Uint8Array) => Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0));

/**
 * A checkpoint (C2SP signed note) checked here: the log key against /v1/keys and its key hash,
 * the note's Ed25519 signature, the root recomputed from the tiles, the newest entries against
 * their leaf hashes, the newest block's signed `tlog` binding, and every cosignature line.
 */
async function verifyCheckpoint(data: CheckpointData, checks: Check[]): Promise<void> {
  const published = await keys();
  const address = published[data.signer];
  const keyName = data.signer === "notary" ? "notary" : "control-plane";
  const info = (await (await getOk(data.info_url)).json()) as { origin: string; vkey: string; size: number; witnesses: string[] };
  const noteText = await (await getOk(data.checkpoint_url)).text();

  let vkey: Vkey | undefined;
  try {
    vkey = parseVkey(info.vkey);
  } catch (e) {
    checks.push({ name: "key hash", ok: false, detail: `the log's vkey ${info.vkey}: ${(e as Error).message}` });
  }
  if (vkey) {
    const id = keyId(vkey.name, vkey.alg, vkey.publicKey);
    checks.push({ name: "key hash", ok: bytesEqual(id, vkey.keyId), detail: `key id ${toHex(vkey.keyId)} = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[0:4], computed here` });
    const same = vkey.alg === ALG_ED25519 && bytesEqual(vkey.publicKey, decodeAddress(address)) && vkey.name === info.origin;
    checks.push({
      name: "log key",
      ok: same,
      detail: same ? `Ed25519 key named ${info.origin}: the ${keyName} key ${short(address)} of /v1/keys` : `the log's vkey ${info.vkey} is not the ${keyName} key ${address} of /v1/keys under the origin ${info.origin}`,
    });
  }

  const note = parseNote(noteText);
  const cp = parseCheckpoint(note.body);
  checks.push({ name: "checkpoint origin", ok: cp.origin === info.origin, detail: cp.origin === info.origin ? cp.origin : `the note says ${cp.origin}, the log is ${info.origin}` });
  const body = utf8(note.body);
  const mine = vkey ? note.signatures.filter((l) => l.name === vkey.name && bytesEqual(l.keyId, vkey.keyId)) : [];
  let signed = false;
  for (const l of mine) if (vkey && (await ed25519Verify(vkey.publicKey, l.sig, body))) signed = true;
  checks.push({
    name: "note signature",
    ok: signed,
    detail: signed ? `Ed25519 (WebCrypto) over the checkpoint body by the log key` : mine.length ? "the log key's signature line does not verify over this body" : "no signature line of the log key",
  });

  const bindingSize = typeof data.block?.block.tlog === "object" && data.block.block.tlog ? Number((data.block.block.tlog as Obj).size) : 0;
  const sizeOk = cp.size >= 1 && cp.size >= bindingSize;
  checks.push({ name: "checkpoint size", ok: sizeOk, detail: `${cp.size} entries${bindingSize ? `; the newest block is bound to size ${bindingSize}` : ""}; the log now reports ${info.size}` });
  if (cp.size === 0) return;

  const tileFetch = async (p: string) => new Uint8Array(await (await getOk(data.tile_base + p)).arrayBuffer());
  const read = tileHashReader(cp.size, tileFetch);
  const root = await treeRoot(cp.size, read);
  const rootOk = bytesEqual(root, cp.root);
  checks.push({
    name: "root from tiles",
    ok: rootOk,
    detail: rootOk ? `SHA-256 tree of ${cp.size} leaves from ${read.tilesFetched().length} tile(s) → ${toBase64(root)}` : `the tiles give ${toBase64(root)}, the checkpoint says ${toBase64(cp.root)}`,
  });

  // The checkpoint this browser verified before for this log (localStorage): the log must extend
  // it. The tiles' root at that size is the old signed root, or the log was rewritten.
  const seenKey = `enc-checkpoint:${cp.origin}`;
  let seen: { size: number; root: string } | null = null;
  try {
    seen = JSON.parse(localStorage.getItem(seenKey) ?? "null") as { size: number; root: string } | null;
  } catch {
    seen = null;
  }
  if (!seen) checks.push({ name: "consistency", ok: null, detail: "the first checkpoint of this log this browser has verified: nothing earlier to compare (kept for next time)" });
  else if (seen.size > cp.size) checks.push({ name: "consistency", ok: false, detail: `this browser verified size ${seen.size} before: the log shrank to ${cp.size}` });
  else {
    const then = toBase64(await treeRoot(seen.size, read));
    checks.push({ name: "consistency", ok: then === seen.root, detail: then === seen.root ? `extends the checkpoint of size ${seen.size} this browser verified before` : `the tiles' root at size ${seen.size} is ${then}, but this browser verified ${seen.root} for that size: the log was rewritten` });
  }
  const remember = () => localStorage.setItem(seenKey, JSON.stringify({ size: cp.size, root: toBase64(cp.root) }));

  // Entries [lo, hi): bundles decoded, each entry's leaf hash against the hash tiles.
  const entries = async (lo: number, hi: number): Promise<Uint8Array[]> => {
    const out: Uint8Array[] = [];
    for (let b = Math.floor(lo / TILE_WIDTH); b * TILE_WIDTH < hi; b++) {
      const bundle = decodeEntryBundle(await tileFetch(tilePath({ level: -1, index: b, width: tileWidth(-1, b, cp.size) })));
      for (const [j, e] of bundle.entries()) {
        const i = b * TILE_WIDTH + j;
        if (i < lo || i >= hi) continue;
        if (!bytesEqual(tlogLeafHash(e), await read(0, i))) throw new Error(`entry ${i}'s leaf hash is not the tiles' hash ${i}`);
        out.push(e);
      }
    }
    return out;
  };
  const lo = Math.max(0, cp.size - TILE_WIDTH);
  try {
    const last = (await entries(lo, cp.size)).map((e) => JSON.parse(new TextDecoder().decode(e)) as Obj);
    const bad = last.findIndex((e, k) => bodyHash(e, ["hash", "sig"]) !== e.hash || (data.entries === "audit" && e.seq !== lo + k + 1));
    checks.push({
      name: "entries",
      ok: bad < 0,
      detail: bad < 0 ? `entries ${lo}–${cp.size - 1}: SHA-256(0x00 ‖ entry) equals each leaf of the tiles; each is a ${data.entries === "audit" ? "audit entry (in seq order)" : "receipt"} whose BLAKE3 hash recomputes` : `entry ${lo + bad} is not a ${data.entries} whose hash recomputes`,
    });
  } catch (e) {
    checks.push({ name: "entries", ok: false, detail: (e as Error).message });
  }

  if (data.block) {
    const block = data.block.block;
    await checkBlockItself(block, published.notary, checks, `block #${String(block.height)}`);
    const t = block.tlog as { size: number; root: string } | undefined;
    if (!t) {
      checks.push({ name: "block tlog binding", ok: null, detail: `block #${String(block.height)} carries no tlog binding: not checked` });
    } else {
      const at = await treeRoot(t.size, read);
      const ok = bytesEqual(at, textToRoot(t.root));
      checks.push({ name: "block tlog binding", ok, detail: ok ? `the block's signed tlog {size ${t.size}, root ${short(t.root)}} is the tiles' root at size ${t.size}` : `the tiles' root at size ${t.size} is sha256:${toHex(at)}, the block says ${t.root}` });
      try {
        const count = Number(block.count);
        const mineEntries = (await entries(t.size - count, t.size)).map((e) => String((JSON.parse(new TextDecoder().decode(e)) as Obj).hash));
        const same = mineEntries.length === data.block.leaves.length && mineEntries.every((h, i) => h === data.block!.leaves[i]);
        checks.push({ name: "block receipts in the log", ok: same, detail: same ? `log entries ${t.size - count}–${t.size - 1} are the block's ${count} receipts, in leaf order` : "the log's entries are not the block's receipts" });
      } catch (e) {
        checks.push({ name: "block receipts in the log", ok: false, detail: (e as Error).message });
      }
    }
  }

  // Witness cosignatures (cosignature/v1): each configured witness's line verified, or said missing.
  const cosigners = new Set<string>();
  if (info.witnesses.length === 0) checks.push({ name: "witnesses", ok: null, detail: "no witness is configured for this log: not witnessed, nothing to check" });
  for (const w of info.witnesses) {
    let wk: Vkey;
    try {
      wk = parseVkey(w);
      if (wk.alg !== 0x04) throw new Error("not a cosignature/v1 (0x04) key");
    } catch (e) {
      checks.push({ name: `witness ${w.split("+")[0]}`, ok: false, detail: `its vkey: ${(e as Error).message}` });
      continue;
    }
    const lines = note.signatures.filter((l) => l.name === wk.name && bytesEqual(l.keyId, wk.keyId));
    lines.forEach((l) => cosigners.add(l.line));
    if (!lines.length) {
      checks.push({ name: `witness ${wk.name}`, ok: null, detail: "no cosignature of this witness on this checkpoint (yet): not checked" });
      continue;
    }
    for (const l of lines) {
      const ts = l.sig.length === 72 ? u64be(l.sig.subarray(0, 8)) : -1;
      const ok = ts >= 0 && (await ed25519Verify(wk.publicKey, l.sig.subarray(8), utf8(`cosignature/v1\ntime ${ts}\n${note.body}`)));
      checks.push({ name: `witness ${wk.name}`, ok, detail: ok ? `cosignature/v1 (WebCrypto Ed25519) at ${new Date(ts * 1000).toISOString()}` : "its cosignature line does not verify: the note is invalid" });
    }
  }
  for (const l of note.signatures) {
    if (!cosigners.has(l.line) && !mine.includes(l)) checks.push({ name: `signature line ${l.name}`, ok: null, detail: "a key this log does not publish: not checked" });
  }
  if (!checks.some((c) => c.ok === false)) remember();
}

/** A compliance report embedded in the page: its BLAKE3/JCS hash and control-plane signature. */
async function verifyReport(report: Obj, checks: Check[]): Promise<void> {
  const { control_plane } = await keys();
  checks.push({ name: "report signer", ok: report.signer === control_plane, detail: report.signer === control_plane ? `the control-plane key ${short(control_plane)} of /v1/keys` : `${String(report.signer)} is not the control plane ${control_plane}` });
  const hash = bodyHash(report, ["sig"]);
  checks.push({ name: "report hash", ok: true, detail: `computed here: ${hash}` });
  checks.push({ name: "report signature", ...(await verifySig(DOMAINS.report, hash, report.sig, control_plane)) });
}

function render(out: HTMLElement, checks: Check[], error?: string): void {
  const list = document.createElement("ol");
  list.className = "checks";
  for (const c of checks) {
    const li = document.createElement("li");
    li.className = c.ok === null ? "unchecked" : c.ok ? "ok" : "bad";
    li.dataset.check = c.name;
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.textContent = c.ok === null ? "– not checked" : c.ok ? "✓ pass" : "✗ FAIL";
    const name = document.createElement("strong");
    name.textContent = ` ${c.name}: `;
    const detail = document.createElement("span");
    detail.textContent = c.detail;
    li.append(mark, name, detail);
    list.append(li);
  }
  const failed = error !== undefined || checks.length === 0 || checks.some((c) => c.ok === false);
  const skipped = checks.filter((c) => c.ok === null).length;
  const summary = document.createElement("p");
  summary.className = failed ? "verdict bad" : "verdict ok";
  summary.setAttribute("role", "status");
  summary.id = "verdict";
  summary.textContent = failed
    ? `✗ Verification FAILED${error ? `: ${error}` : `: ${checks.filter((c) => c.ok === false).length} check(s) failed`}`
    : `✓ Verified in this browser: ${checks.length - skipped} checks passed${skipped ? `, ${skipped} not checked (listed)` : ""}`;
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
    const inline = box.dataset.verifyInline ? document.getElementById(box.dataset.verifyInline) : null;
    let data: never;
    if (inline) data = JSON.parse(inline.textContent ?? "null") as never;
    else {
      const r = await fetch(box.dataset.verify!, { credentials: "same-origin", headers: { accept: "application/json" } });
      if (!r.ok) throw new Error(`the data request answered ${r.status}`);
      data = (await r.json()) as never;
    }
    const kind = box.dataset.verifyKind;
    if (kind === "block") await verifyBlock(data, checks);
    else if (kind === "receipt") await verifyReceiptProof(data, checks);
    else if (kind === "audit") await verifyAudit(data, checks);
    else if (kind === "checkpoint") await verifyCheckpoint(data, checks);
    else if (kind === "report") await verifyReport(data, checks);
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
