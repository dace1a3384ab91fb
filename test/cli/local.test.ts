// The CLI without a control plane: wallets, the default cluster, usage errors, unreachable URL.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/control-plane.ts";
import { isAddress } from "../../protocol/address.ts";
import { main } from "../../cli/main.ts";
import type { IO } from "../../cli/lib/io.ts";
import { enc, encEnv, json } from "./run-enc.ts";

let home: string;
let env: Record<string, string>;
let wallet: string;

beforeAll(() => {
  home = mkdtempSync(path.join(tmpdir(), "enc-cli-local-"));
  wallet = path.join(home, "keys", "wallet.json");
  env = encEnv(home, { ENC_WALLET: wallet });
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe("enc wallet", () => {
  it("creates a 0600 wallet file and refuses to overwrite it without --force", async () => {
    const r = await enc(["wallet", "new"], env);
    expect(r.code, r.stderr).toBe(0);
    const file = JSON.parse(readFileSync(wallet, "utf8"));
    expect(file).toMatchObject({ version: 1 });
    expect(file.seed).toMatch(/^[0-9a-f]{64}$/);
    expect(isAddress(file.address)).toBe(true);
    expect(statSync(wallet).mode & 0o777).toBe(0o600);
    expect(r.stdout).toContain(file.address);
    expect(r.stdout).not.toContain(file.seed);

    const again = await enc(["wallet", "new"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already have a wallet; keeping it/);
    expect(again.stdout).toMatch(/--force/);
    expect(again.stdout).toContain(file.address);
    expect(JSON.parse(readFileSync(wallet, "utf8")).seed).toBe(file.seed);

    const forced = json(await enc(["wallet", "new", "--force", "--json"], env));
    expect(forced.address).not.toBe(file.address);
    expect(statSync(wallet).mode & 0o777).toBe(0o600);
  });

  it("shows the address, human and --json, never the seed", async () => {
    const { address, seed } = JSON.parse(readFileSync(wallet, "utf8"));
    const human = await enc(["wallet", "show"], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`Address\\s+${address}`));
    expect(human.stdout).not.toContain(seed);
    const out = json(await enc(["wallet", "show", "--json"], env));
    expect(out).toEqual({ address, path: wallet, created: expect.any(String) });
  });

  it("defaults to $XDG_CONFIG_HOME/enc/wallet.json", async () => {
    const e = encEnv(home);
    const out = json(await enc(["wallet", "new", "--json"], e));
    expect(out.path).toBe(path.join(home, ".config", "enc", "wallet.json"));
    expect(statSync(out.path).mode & 0o777).toBe(0o600);
  });

  it("explains a missing wallet", async () => {
    const r = await enc(["wallet", "show"], encEnv(home, { ENC_WALLET: path.join(home, "none.json") }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no wallet at .*none\.json/);
    expect(r.stderr).toMatch(/enc wallet new/);
  });
});

describe("enc --version", () => {
  it("prints the package's version, also as `enc version` and --json", async () => {
    const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(await enc(["--version"], env)).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
    expect((await enc(["version"], env)).stdout).toBe(`${version}\n`);
    expect(json(await enc(["version", "--json"], env))).toEqual({ version });
    expect((await enc(["help"], env)).stdout).toMatch(/^ {2}version\s+Print the version of enc$/m);
  });
});

describe("usage errors (exit 2)", () => {
  it("help lists every command; --help lists a command's flags", async () => {
    const r = await enc(["help"], env);
    expect(r.code).toBe(0);
    for (const c of ["wallet new", "cluster create", "token create", "roles grant", "receipts show", "ledger verify", "ledger seal", "audit"]) {
      expect(r.stdout).toContain(c);
    }
    const h = await enc(["ledger", "verify", "--help"], env);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain("Usage: enc ledger verify <app> [flags]");
    expect(h.stdout).toMatch(/--cluster <name>/);
    expect(h.stdout).toMatch(/--verbose/);
    expect((await enc(["help", "audit"], env)).stdout).toMatch(/--from-seq <N>/);
    const group = await enc(["wallet", "--help"], env);
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/wallet new\s+Create a wallet/);
  });

  it("an unknown command gets a hint", async () => {
    const r = await enc(["frobnicate"], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command `frobnicate`");
    expect(r.stderr).toContain("enc help");
    const sub = await enc(["wallet", "burn"], env);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toMatch(/new, show/);
  });

  it("a missing argument, an unknown flag, a bad value", async () => {
    const missing = await enc(["roles", "grant", "bpi1qqq"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/needs the <role> argument/);
    const flag = await enc(["nodes", "--cluster", "demo", "--bogus"], env);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown flag --bogus/);
    const bad = await enc(["token", "create", "--cluster", "demo", "--ttl", "soon"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--ttl must be a whole number/);
    const addr = await enc(["roles", "revoke", "alice", "--cluster", "demo", "--json"], env);
    expect(addr.code).toBe(2);
    expect(JSON.parse(addr.stderr).error.code).toBe("bad_address");
  });

  it("no cluster anywhere, then the saved default", async () => {
    const e = encEnv(home, { ENC_WALLET: wallet, ENC_URL: `http://127.0.0.1:${await freePort()}` });
    const none = await enc(["nodes"], e);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/no cluster given/);
    expect((await enc(["cluster", "use", "staging"], e)).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(home, "keys", "config.json"), "utf8")).cluster).toBe("staging");
    // It got past the cluster lookup: now it fails on the network, not on usage.
    const r = await enc(["nodes"], e);
    expect(r.code).toBe(1);
  });
});

describe("an unreachable control plane", () => {
  it("fails with a friendly message and exit 1, no stack trace", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const r = await enc(["nodes", "--cluster", "demo"], { ...env, ENC_URL: url });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot reach the ENC control plane at ${url}`);
    expect(r.stderr).toContain("is `npm start` running?");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const j = await enc(["cluster", "show", "demo", "--json"], { ...env, ENC_URL: url });
    expect(j.stdout).toBe("");
    expect(JSON.parse(j.stderr).error.code).toBe("unreachable");
  });

  it("a corrupt wallet is refused", async () => {
    const bad = path.join(home, "bad.json");
    writeFileSync(bad, "{ not json", { mode: 0o600 });
    const r = await enc(["wallet", "show"], { ...env, ENC_WALLET: bad });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not valid JSON/);
  });
});

describe("main() in-process", () => {
  const capture = (isTTY: boolean, extraEnv: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: IO = {
      stdout: { isTTY, write: (t: string) => out.push(t) },
      stderr: { isTTY, write: (t: string) => err.push(t) },
      env: { ...env, ...extraEnv },
    };
    return { io, out: () => out.join(""), err: () => err.join("") };
  };

  it("returns exit codes instead of exiting, and colors only a terminal without NO_COLOR", async () => {
    const tty = capture(true);
    expect(await main(["wallet", "show"], tty.io)).toBe(0);
    expect(tty.out()).toContain("\x1b[");
    const noColor = capture(true, { NO_COLOR: "1" });
    expect(await main(["wallet", "show"], noColor.io)).toBe(0);
    expect(noColor.out()).not.toContain("\x1b[");
    const pipe = capture(false);
    expect(await main(["nope"], pipe.io)).toBe(2);
    expect(pipe.err()).toBe("error: unknown command `nope`\nRun `enc help` to see the commands.\n");
  });
});
