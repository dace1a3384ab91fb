// `enc apply|diff|agreement validate|…` against the real control plane (wrangler dev), no agent:
// dry runs, validation verdicts and exit codes, stdin, usage errors. Running containers from
// agreements is test/e2e/agreements.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedControlPlane } from "../harness/control-plane.ts";
import { enc, encEnv, json } from "./run-enc.ts";
import { execFile } from "node:child_process";

let cp: Awaited<ReturnType<typeof sharedControlPlane>>;
let home: string;
let env: Record<string, string>;
const CLUSTER = "agr-cli";

const doc = (replicas: number) => `name: cli-web\nimage: oci:/x:v1\nreplicas: ${replicas}\nresources: {cpu_millis: 500, memory_mb: 64}\n`;

function withStdin(args: string[], input: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [path.resolve("bin/enc.mjs"), ...args], { env, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
    child.stdin!.end(input);
  });
}

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), "enc-cli-agreements-"));
  cp = await sharedControlPlane();
  env = encEnv(home, { ENC_URL: cp.url, ENC_WALLET: path.join(home, "wallet.json"), ENC_CLUSTER: CLUSTER, NO_COLOR: "1" });
  expect((await enc(["wallet", "new"], env)).code).toBe(0);
  expect((await enc(["cluster", "create", CLUSTER], env)).code).toBe(0);
});
afterAll(async () => {
  await cp?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe("enc apply / agreement", () => {
  it("--dry-run says what would happen and changes nothing; validate --resource-check fails (exit 1) without nodes", async () => {
    const f = path.join(home, "web.yaml");
    writeFileSync(f, doc(2));
    const dry = await enc(["apply", "-f", f, "--dry-run"], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/^agreement\/cli-web created \(dry run\) \(docklock v1\)\n {2}workload\/cli-web create/m);
    expect(json(await enc(["agreement", "list", "--json"], env)).agreements).toEqual([]);

    const v = await enc(["agreement", "validate", "--file", f, "--security-check", "--resource-check"], env);
    expect(v.code).toBe(1);
    expect(v.stdout).toContain("✓ schema");
    expect(v.stdout).toContain("✓ security");
    expect(v.stdout).toContain("✗ resources: the cluster has no ready node");

    // --target-nodes: a node the cluster does not have is refused, naming it; nothing is created
    const stranger = "bpi1" + "q".repeat(58);
    const pinned = await enc(["agreement", "deploy", "--file", f, "--target-nodes", stranger], env);
    expect(pinned.code).toBe(1);
    expect(pinned.stderr).toContain(`target_nodes: ${stranger} is not a node of cluster ${CLUSTER}`);
    const vp = await enc(["agreement", "validate", "--file", f, "--target-nodes", stranger], env);
    expect(vp.code).toBe(1);
    expect(vp.stdout).toContain(`✗ schema: target_nodes.0: ${stranger} is not a node of cluster ${CLUSTER}`);
    expect(json(await enc(["agreement", "list", "--json"], env)).agreements).toEqual([]);
  });

  it("applies from stdin, is idempotent, keeps history, and rolls back", async () => {
    const a = await withStdin(["apply", "-f", "-"], doc(1));
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/agreement\/cli-web created/);
    expect((await withStdin(["apply", "-f", "-"], doc(1))).stdout).toMatch(/cli-web unchanged/);
    expect((await withStdin(["apply", "-f", "-"], doc(3))).stdout).toMatch(/cli-web configured \(docklock v2\)/);
    const h = json<{ versions: { version: number; hash: string; current: boolean }[] }>(await enc(["agreement", "history", "cli-web", "--json"], env));
    expect(h.versions.map((v) => [v.version, v.current])).toEqual([[1, false], [2, true]]);
    const back = await enc(["agreement", "rollback", "cli-web", "--version", "1"], env);
    expect(back.stdout).toMatch(/rolled back to v1/);
    const shown = await enc(["get", "agreement", "cli-web", "-o", "json"], env);
    expect(json(shown)).toMatchObject({ name: "cli-web", replicas: 1 });
    expect((await enc(["agreement", "rm", "cli-web"], env)).stdout).toMatch(/agreement\/cli-web removing: cli-web/);
  });

  it("usage and document errors: bad --type (exit 2), a malformed file with line and column (exit 1)", async () => {
    const t = await enc(["apply", "-f", "x.yaml", "--type", "helm"], env);
    expect(t.code).toBe(2);
    const f = path.join(home, "bad.yaml");
    writeFileSync(f, "name: cli-bad\nimage: oci:/x:v1\nreplicas: {\n");
    const bad = await enc(["apply", "-f", f], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/bad\.yaml:\d+:\d+: /);
    expect((await enc(["agreement", "rollback", "cli-web", "--version", "latest"], env)).code).toBe(2);
  });
});
