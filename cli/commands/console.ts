import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { CONSOLE_LOGIN_PATH, CONSOLE_LOGIN_TTL_MS, encodeConsoleLogin, signConsoleLogin } from "../../protocol/api/console.ts";
import { toHex } from "../../protocol/bytes.ts";
import { toIso } from "../../protocol/time.ts";
import { defineCommand } from "../lib/command.ts";
import { loadSigner } from "../lib/wallet.ts";

/** xdg-open on the PATH, if any: the console opens there; without it the link is only printed. */
function opener(env: NodeJS.ProcessEnv | Record<string, string | undefined>): string | undefined {
  for (const dir of (env.PATH ?? "").split(path.delimiter).filter(Boolean)) {
    const file = path.join(dir, "xdg-open");
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

export default defineCommand({
  description:
    "The link holds a one-time login token signed by your wallet: it works once, within 60 seconds,\nfor this control plane only, and starts a browser session bound to your wallet (8 hours, or until\nyou sign out). Your role in each cluster is checked at every page and action.",
  flags: {
    cluster: { type: "string", short: "c", placeholder: "name", description: "the cluster to open (default: $ENC_CLUSTER or the saved default, if any)" },
    "no-open": { type: "boolean", description: "only print the link, do not start a browser" },
  },
  examples: ["enc console", "enc console --no-open -c demo"],
  async run(ctx, { flags }) {
    const signer = await loadSigner(ctx.walletPath());
    let cluster: string | undefined;
    try {
      cluster = ctx.cluster(flags.cluster);
    } catch {
      cluster = undefined; // no default cluster: the console lists none first
    }
    const origin = new URL(ctx.url).origin;
    const now = Date.now();
    const token = await signConsoleLogin(
      {
        v: 1,
        purpose: "console-login",
        origin,
        nonce: toHex(crypto.getRandomValues(new Uint8Array(16))),
        issued_at: toIso(now),
        expires_at: toIso(now + CONSOLE_LOGIN_TTL_MS),
        clusters: cluster ? [cluster] : [],
      },
      signer,
    );
    const url = `${origin}${CONSOLE_LOGIN_PATH}?token=${encodeConsoleLogin(token)}`;
    const xdg = flags["no-open"] ? undefined : opener(ctx.env);
    let opened = false;
    if (xdg) {
      try {
        const child = spawn(xdg, [url], { stdio: "ignore", detached: true });
        child.on("error", () => {}); // a failed opener must not fail the command: the link is printed
        child.unref();
        opened = true;
      } catch {
        opened = false;
      }
    }
    if (ctx.json) return ctx.emit({ url, address: signer.address, expires_at: token.expires_at, opened });
    ctx.out(url);
    ctx.note(`${opened ? "Opening the console in your browser. " : ""}This sign-in link works once, until ${token.expires_at} (60 s).`);
  },
});
