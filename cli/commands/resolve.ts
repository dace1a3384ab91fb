import { routes } from "../../protocol/routes.ts";
import type { ResolvedDomain } from "../lib/api-types.ts";
import { defineCommand } from "../lib/command.ts";
import type { Context } from "../lib/context.ts";
import { CLIError } from "../lib/errors.ts";
import { formatPairs } from "../lib/table.ts";
import { requireAddress } from "../lib/values.ts";
import { proveWithWallet, publicApi, requireDid } from "./registry-client.ts";

export default defineCommand({
  description:
    "httpcg://host/path gives the registered HTTPS endpoint with the path, the wallet binding and a\n" +
    "QLOCK session token; rootzk://<did>/<service>/<path> the DID's service endpoint. A bare DID\n" +
    "prints its W3C DID Resolution result. --privacy resolves with a zero-knowledge proof of your\n" +
    "wallet's key for --did instead of any identity; the resolver keeps no record of who asked.",
  args: { name: { description: "httpcg://…, rootzk://… or did:…", required: true } },
  flags: {
    wallet: { type: "string", placeholder: "bpi1…", description: "the wallet you will use with the endpoint (bound into the QLOCK token)" },
    privacy: { type: "boolean", description: "privacy mode: authenticate with a rootzk proof (needs --did)" },
    did: { type: "string", placeholder: "did", description: "with --privacy: the DID whose key your wallet holds" },
    kid: { type: "string", placeholder: "id", description: "with --privacy: the verification method (default: the one holding your key)" },
  },
  examples: ["enc resolve httpcg://app.example.com/api", "enc resolve rootzk://did:bpi:alice/api/v1 --json", "enc resolve did:bpi:alice", "enc resolve httpcg://app.example.com/ --privacy --did did:bpi:alice"],
  async run(ctx, { args, flags }) {
    if (args.name.startsWith("did:")) {
      requireDid(args.name.split(/[/?#]/)[0]);
      return showDid(ctx, args.name);
    }
    const api = publicApi(ctx);
    let r: ResolvedDomain;
    if (flags.privacy) {
      const proof = await proveWithWallet(ctx, requireDid(flags.did ?? ""), flags.kid);
      r = await api.post<ResolvedDomain>(routes.resolve(), { name: args.name, proof });
    } else {
      const wallet = flags.wallet ? `&wallet=${requireAddress(flags.wallet, "--wallet")}` : "";
      r = await api.get<ResolvedDomain>(`${routes.resolve()}?name=${encodeURIComponent(args.name)}${wallet}`);
    }
    if (ctx.json) return ctx.emit(r);
    const s = ctx.style;
    const req = r.security_requirements as Record<string, any>;
    const pairs: Array<[string, string]> = [
      ["Name", r.domain],
      ["Endpoint", s.bold(r.endpoint)],
      ["Protocol", r.protocol],
      ["TLS", req.tlsls_required ? `required (TLS ${req.min_tls_version}+)` : s.yellow("not required (http endpoint)")],
      ["Wallet binding", r.wallet_binding ?? s.dim("none")],
    ];
    if (req.qlock_binding) pairs.push(["QLOCK token", `${req.qlock_binding.token} ${s.dim(`(${req.qlock_binding.window_start} – ${req.qlock_binding.window_end})`)}`]);
    if (req.zk_proof) pairs.push(["ZK keys", (req.zk_proof.verification_methods as string[]).join(", ") || s.dim("none")]);
    pairs.push(["Cache TTL", `${r.cache_ttl} s`], ["Resolved at", r.resolution_time]);
    ctx.out(formatPairs(pairs, s));
  },
});

async function showDid(ctx: Context, didUrl: string): Promise<void> {
  const res = await publicApi(ctx).raw("GET", `/1.0/identifiers/${encodeURIComponent(didUrl)}`);
  const body = (await res.json().catch(() => ({}))) as Record<string, any>;
  if (ctx.json) return ctx.emit(body);
  const err = body.didResolutionMetadata?.error;
  if (err) throw new CLIError(err, `${didUrl}: ${err} (${res.status})${body.didResolutionMetadata.errorMessage ? `: ${body.didResolutionMetadata.errorMessage}` : ""}`);
  // A ?service= DID URL dereferences to a URL (303): print just that.
  if (res.status === 303) return ctx.out(res.headers.get("location") ?? "");
  if (body.didDocumentMetadata?.deactivated) ctx.note(ctx.errStyle.yellow(`${didUrl} is deactivated`));
  ctx.out(JSON.stringify(body.didDocument ?? body, null, 2));
}
