import { verifyInclusionProof } from "../../protocol/inclusion.ts";
import { routes } from "../../protocol/routes.ts";
import type { InclusionProof, LogBlock, StepReceipt } from "../../protocol/schemas.ts";
import { textToMldsaPublicKey } from "../../protocol/mldsa.ts";
import { verifyLogBlock, verifyLogBlockMldsa, verifyReceipt } from "../../protocol/signed.ts";
import { printChecks, type Check } from "../lib/checks.ts";
import { defineCommand } from "../lib/command.ts";
import { notaryStats } from "../lib/ledger-source.ts";
import { formatPairs } from "../lib/table.ts";
import { requireHash } from "../lib/values.ts";
import type { TlogInclusion } from "../../protocol/api/tlog.ts";
import { canonicalize } from "../../protocol/jcs.ts";
import { fromBase64, utf8 } from "../../protocol/bytes.ts";
import { checkCheckpoint } from "../../protocol/tlog-verify.ts";
import { tlogLeafHash, verifyTlogInclusion } from "../../protocol/c2sp/tlog.ts";

export default defineCommand({
  description:
    "Checks the receipt's hash and node signature; once sealed, also the LogBlock's notary signature\n" +
    "(against GET /v1/keys) and the Merkle inclusion proof against the block's merkle_root, and its\n" +
    "inclusion in the app's transparency log: the proof against the newest checkpoint, whose\n" +
    "signature by the notary is checked (PROTOCOL.md §6).\n" +
    "Exits 1 if any check fails.",
  args: { hash: { description: "the receipt hash, blake3:…", required: true } },
  async run(ctx, { args }) {
    const hash = requireHash(args.hash);
    const api = await ctx.client();
    const { receipt, inclusion, tlog_inclusion: tlog } = await api.get<{ receipt: StepReceipt; inclusion: InclusionProof | null; tlog_inclusion?: TlogInclusion | null }>(routes.receipt(hash));
    const checks: Check[] = [];
    const add = (check: string, r: { ok: true } | { ok: false; reason: string }, okDetail?: string) =>
      checks.push({ check, ok: r.ok, detail: r.ok ? okDetail : r.reason });
    add("receipt is the one asked for", receipt.hash === hash ? { ok: true } : { ok: false, reason: `the server answered with ${receipt.hash}` });
    add("receipt hash and node signature", await verifyReceipt(receipt), `signed by ${receipt.node}`);
    let block: LogBlock | null = null;
    if (inclusion) {
      const { notary, notary_mldsa } = await ctx.keys();
      ({ block } = await api.get<{ block: LogBlock }>(routes.block(inclusion.cluster, inclusion.app, inclusion.height)));
      add(`block ${block.height} signed by the published notary`, await verifyLogBlock(block, notary), notary);
      // The ML-DSA-65 co-signature (PROTOCOL.md §15) of a quantum-safe cluster's block; required
      // from the notary's first co-signed block on (it reports that height from its own storage).
      const pqFrom = block.sig_notary_mldsa === undefined ? (await notaryStats(api, block.cluster, block.app).catch(() => undefined))?.mldsa_from_height : undefined;
      if (block.sig_notary_mldsa !== undefined) {
        const pq = notary_mldsa ? await verifyLogBlockMldsa(block, textToMldsaPublicKey(notary_mldsa)) : { ok: false as const, reason: "the server publishes no notary_mldsa key to check it with" };
        add(`block ${block.height} co-signed (ML-DSA-65) by the published notary_mldsa key`, pq, "ed25519 + ml-dsa-65");
      } else if (pqFrom !== undefined && block.height >= pqFrom) {
        add(`block ${block.height} co-signed (ML-DSA-65)`, { ok: false, reason: `no sig_notary_mldsa, but the notary co-signs every block from ${pqFrom} on` });
      }
      // A valid proof into another app's block would still be a lie about this receipt.
      const sameApp = receipt.cluster === block.cluster && receipt.app === block.app;
      const included = sameApp ? verifyInclusionProof(hash, inclusion, block) : { ok: false as const, reason: `the block is ${block.cluster}/${block.app}, the receipt ${receipt.cluster}/${receipt.app}` };
      add(`included in block ${block.height}`, included, `leaf ${inclusion.leaf_index} of ${inclusion.tree_size} under ${block.merkle_root}`);
    }
    if (tlog) {
      const { notary } = await ctx.keys();
      let r: { ok: true } | { ok: false; reason: string };
      try {
        const cp = await checkCheckpoint(tlog.checkpoint, notary, `/${receipt.cluster}/${receipt.app}`);
        const leaf = tlogLeafHash(utf8(canonicalize(receipt)));
        r = cp.size === tlog.size && verifyTlogInclusion(leaf, tlog.index, cp.size, tlog.proof.map(fromBase64), cp.root)
          ? { ok: true }
          : { ok: false, reason: `the proof of entry ${tlog.index} does not verify against the checkpoint of ${cp.size}` };
      } catch (e) {
        r = { ok: false, reason: (e as Error).message };
      }
      add(`included in the app log (entry ${tlog.index})`, r, `proof against the notary's signed checkpoint of ${tlog.size} entries`);
    }
    const ok = checks.every((c) => c.ok);
    if (ctx.json) {
      ctx.emit({ ok, sealed: inclusion !== null, receipt, inclusion, tlog_inclusion: tlog ?? null, block, checks });
      return ok ? 0 : 1;
    }
    const s = ctx.style;
    const res = Object.entries(receipt.resource).map(([k, v]) => `${k} ${v}`).join(", ");
    ctx.out(
      formatPairs(
        [
          ["Receipt", hash],
          ["App", `${receipt.cluster}/${receipt.app}`],
          ["Container", `${receipt.container} on ${receipt.node}`],
          ["Op", `${receipt.op}${receipt.exit_code !== undefined ? ` (exit ${receipt.exit_code})` : ""} at ${receipt.ts}`],
          ["Resources", res],
          ["Prev", receipt.prev_hash],
          ["Sealed", inclusion ? `block ${inclusion.height}, leaf ${inclusion.leaf_index}` : s.yellow("not yet (pending in the notary)")],
          ...(tlog ? [["App log", `entry ${tlog.index} of ${tlog.size}`] as [string, string]] : []),
        ],
        s,
      ),
    );
    ctx.out("");
    printChecks(ctx, checks);
    if (!inclusion) ctx.out(s.dim("Seal the app's pending receipts (`enc ledger seal`) or wait for the notary to check inclusion."));
    return ok ? 0 : 1;
  },
});
