// The CLI without a control plane: wallets, the default cluster, usage errors, unreachable URL.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/control-plane.ts";
import { isAddress } from "../../protocol/address.ts";
import { main } from "../../cli/main.ts";
import type { IO } from "../../cli/lib/io.ts";
import { encBinary as enc, encEnv, json } from "./run-enc.ts";

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
    // `enc version` also asks the server; here none answers, which it reports (exit 0).
    const url = `http://127.0.0.1:${await freePort()}`;
    const v = await enc(["version"], { ...env, ENC_URL: url });
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(new RegExp(`^Client: ${version.replace(/\./g, "\\.")}\nServer: cannot reach ${url}`));
    expect(json(await enc(["version", "--json"], { ...env, ENC_URL: url }))).toMatchObject({ version, client: version, server: null, url });
    expect((await enc(["help"], env)).stdout).toMatch(/^ {2}version\s+Print the versions of enc and of the control plane$/m);
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
    // Without --offline it asks the control plane first (none answers here).
    expect((await enc(["cluster", "use", "staging"], e)).code).toBe(1);
    expect((await enc(["cluster", "use", "staging", "--offline"], e)).code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(home, "keys", "config.json"), "utf8")).cluster).toBe("staging");
    // It got past the cluster lookup: now it fails on the network, not on usage.
    const r = await enc(["nodes"], e);
    expect(r.code).toBe(1);
  });
});

describe("CLI habits (issue 11)", () => {
  it("suggests the command or flag that was meant", async () => {
    const cmd = await enc(["deplyo"], env);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain("unknown command `deplyo`; did you mean `enc deploy`?");
    const sub = await enc(["wallet", "shwo"], env);
    expect(sub.stderr).toContain("did you mean `enc wallet show`?");
    const flag = await enc(["nodes", "--clustr", "demo"], env);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toContain("unknown flag --clustr; did you mean --cluster?");
    expect((await enc(["frobnicate"], env)).stderr).not.toContain("did you mean");
  });

  it("prints completion scripts generated from the command table", async () => {
    const bash = await enc(["completion", "bash"], env);
    expect(bash.code, bash.stderr).toBe(0);
    for (const word of ["deploy", "exec", "context", "--image", "--cluster", "complete -F"]) expect(bash.stdout).toContain(word);
    const file = path.join(home, "enc.bash");
    writeFileSync(file, bash.stdout);
    // The script parses, and completes as bash would.
    const probe = execFileSync("bash", ["-c", `source ${file}; COMP_WORDS=(enc depl); COMP_CWORD=1; _enc_complete; echo "\${COMPREPLY[*]}"; COMP_WORDS=(enc deploy --ima); COMP_CWORD=2; _enc_complete; echo "\${COMPREPLY[*]}"; COMP_WORDS=(enc wallet s); COMP_CWORD=2; _enc_complete; echo "\${COMPREPLY[*]}"`], { encoding: "utf8" });
    expect(probe.split("\n").slice(0, 3)).toEqual(["deploy", "--image", "show"]);
    expect((await enc(["completion", "zsh"], env)).stdout).toContain("bashcompinit");
    const fish = await enc(["completion", "fish"], env);
    expect(fish.stdout).toContain("complete -c enc -n '__fish_seen_subcommand_from deploy' -l image");
    const bad = await enc(["completion", "tcsh"], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("choose one of: bash, zsh, fish");
  });

  it("accepts ENC_URL without a scheme, and refuses what is not http(s) by name", async () => {
    const port = await freePort();
    const local = await enc(["nodes", "-c", "demo"], { ...env, ENC_URL: `127.0.0.1:${port}` });
    expect(local.code).toBe(1);
    expect(local.stderr).toContain(`cannot reach the ENC control plane at http://127.0.0.1:${port}`);
    const remote = await enc(["nodes", "-c", "demo", "--json"], { ...env, ENC_URL: "enc.invalid" });
    expect(JSON.parse(remote.stderr).error.message).toContain("https://enc.invalid");
    const ftp = await enc(["nodes", "-c", "demo"], { ...env, ENC_URL: "ftp://enc.example.com" });
    expect(ftp.code).toBe(2);
    expect(ftp.stderr).toContain('ENC_URL "ftp://enc.example.com" uses ftp; the control plane speaks http or https');
  });

  it("keeps named contexts: URL, wallet and default cluster", async () => {
    const h = mkdtempSync(path.join(tmpdir(), "enc-cli-ctx-"));
    const e = encEnv(h);
    expect((await enc(["context", "list"], e)).stdout).toMatch(/No contexts/);
    const port = await freePort();
    const add = await enc(["context", "add", "lab", "--url", `localhost:${port}`, "--wallet", path.join(h, "lab.json"), "--cluster", "blue"], e);
    expect(add.code, add.stderr).toBe(0);
    expect((await enc(["context", "add", "prod", "--url", "enc.example.com", "--use"], e)).code).toBe(0);
    expect(json(await enc(["context", "list", "--json"], e))).toEqual({
      current: "prod",
      contexts: { lab: { url: `http://localhost:${port}`, wallet: path.join(h, "lab.json"), cluster: "blue" }, prod: { url: "https://enc.example.com" } },
    });
    const missing = await enc(["context", "use", "nope"], e);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no context nope");
    expect((await enc(["context", "use", "lab"], e)).code).toBe(0);
    // The context's wallet and URL are used; its cluster is the default.
    expect((await enc(["wallet", "new"], e)).code).toBe(0);
    expect(json(await enc(["wallet", "show", "--json"], e)).path).toBe(path.join(h, "lab.json"));
    const nodes = await enc(["nodes"], e);
    expect(nodes.code).toBe(1);
    expect(nodes.stderr).toContain(`cannot reach the ENC control plane at http://localhost:${port}`);
    const list = await enc(["context", "list"], e);
    expect(list.stdout).toMatch(/^\*\s+lab\s+http:\/\/localhost:\d+\s+\S+lab\.json\s+blue$/m);
    // ENC_URL still wins over the context.
    const other = await enc(["nodes"], { ...e, ENC_URL: `http://127.0.0.1:${port}` });
    expect(other.stderr).toContain(`at http://127.0.0.1:${port}`);
    expect((await enc(["nodes"], { ...e, ENC_CONTEXT: "gone" })).stderr).toContain("no context gone (from ENC_CONTEXT)");
    rmSync(h, { recursive: true, force: true });
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
