// `enc console` without a control plane: it only signs, so the link can be checked here in full,
// and a browser opener is used when one is on the PATH and never needed.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConsoleLoginToken, decodeConsoleLogin, verifyConsoleLogin } from "../../protocol/api/console.ts";
import { waitFor } from "../e2e/agent-harness.ts";
import { enc, encEnv, json } from "./run-enc.ts";

let home: string;
let env: Record<string, string>;
let address: string;

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), "enc-cli-console-"));
  env = encEnv(home, { ENC_WALLET: path.join(home, "wallet.json"), ENC_URL: "http://127.0.0.1:8787/" });
  const r = await enc(["wallet", "new", "--json"], env);
  expect(r.code, r.stderr).toBe(0);
  address = json(r).address as string;
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

const tokenOf = (url: string) => ConsoleLoginToken.parse(decodeConsoleLogin(new URL(url).searchParams.get("token")!));

describe("enc console", () => {
  it("prints a link with a one-time token signed by the wallet, for this control plane, valid 60 s", async () => {
    const r = await enc(["console", "--no-open", "-c", "demo"], env);
    expect(r.code, r.stderr).toBe(0);
    const url = r.stdout.trim();
    expect(url.startsWith("http://127.0.0.1:8787/console/login?token=")).toBe(true);
    const t = tokenOf(url);
    expect(t).toMatchObject({ v: 1, purpose: "console-login", origin: "http://127.0.0.1:8787", address, clusters: ["demo"] });
    expect(Date.parse(t.expires_at) - Date.parse(t.issued_at)).toBe(60_000);
    expect(await verifyConsoleLogin(t)).toEqual({ ok: true });
    expect(await verifyConsoleLogin({ ...t, clusters: ["other"] })).toMatchObject({ ok: false });
    // Each run is a new token.
    const again = tokenOf((await enc(["console", "--no-open"], env)).stdout.trim());
    expect(again.nonce).not.toBe(t.nonce);
    expect(again.clusters).toEqual([]); // no default cluster saved
  });

  it("opens the link with xdg-open when it is on the PATH, and works without one", async () => {
    const bin = path.join(home, "bin");
    mkdirSync(bin, { recursive: true });
    const seen = path.join(home, "opened.txt");
    writeFileSync(path.join(bin, "xdg-open"), `#!/bin/sh\nprintf '%s' "$1" > ${seen}\n`);
    chmodSync(path.join(bin, "xdg-open"), 0o755);
    const r = await enc(["console", "--json"], { ...env, PATH: `${bin}:${env.PATH}` });
    expect(r.code, r.stderr).toBe(0);
    const out = json(r) as { url: string; opened: boolean };
    expect(out.opened).toBe(true);
    await waitFor("xdg-open to run", () => existsSync(seen) && readFileSync(seen, "utf8") === out.url, 10_000, 50);
    // No opener anywhere on the PATH: the link is printed, and that is success.
    const none = await enc(["console", "--json"], { ...env, PATH: path.join(home, "empty") });
    expect(none.code, none.stderr).toBe(0);
    expect(json(none)).toMatchObject({ opened: false });
  });
});
