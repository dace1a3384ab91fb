// The agent's own check of consensus placement, against a test-only fake control plane at the
// outer edge (an HTTP server holding the control-plane key, so it can sign any desired state): a
// replica runs only with approvals from a quorum of distinct validators of the set pinned at join,
// each for exactly (workload, replica, node, spec_hash, round) and each signature valid. Forged,
// duplicate, outsider and too few approvals are refused: not run, reported pending with why, and
// an event. A real Agent with real runc (root).
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSeed, signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { signDesiredState } from "../../protocol/desired-state.ts";
import { genesisValidatorSet, signPlacementApproval, specHash } from "../../protocol/placement-approval.ts";
import { toHex } from "../../protocol/bytes.ts";
import { isoNow } from "../../protocol/time.ts";
import { Agent } from "../../node-agent/daemon/agent.ts";
import { dataDir as layout, ensureLayout } from "../../node-agent/daemon/data-dir.ts";
import { writeNodeConfig } from "../../node-agent/daemon/node-identity.ts";
import { silentLogger } from "../../node-agent/daemon/logger.ts";
import { buildBusyboxImage, type BuiltImage } from "../fixtures/image-builder.ts";
import { waitFor } from "../e2e/agent-harness.ts";
import { cleanup, runcIds, tempDir } from "./helpers.ts";

let work: string;
let dir: string;
let image: BuiltImage;
let server: http.Server;
let agent: Agent;
let cp: Signer, node: Signer, v1: Signer, v2: Signer, v3: Signer, outsider: Signer;
let desired: unknown = null;
const beats: { containers: { replica: string; status: string; reason?: string }[]; events?: { replica: string; kind: string; reason?: string }[] }[] = [];

beforeAll(async () => {
  work = tempDir("consensus-desired");
  dir = path.join(work, "agent");
  image = buildBusyboxImage(path.join(work, "img"));
  const seed = generateSeed();
  [cp, node, v1, v2, v3, outsider] = await Promise.all([generateSeed(), seed, generateSeed(), generateSeed(), generateSeed(), generateSeed()].map((s) => signerFromSeed(s)));
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const url = req.url ?? "";
      const send = (o: unknown) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(o));
      };
      if (url.includes("/desired")) return send(desired);
      if (url.endsWith("/heartbeat")) {
        beats.push(JSON.parse(body));
        return send({ desired_version: 1 });
      }
      if (url.endsWith("/receipts")) return send({ accepted: JSON.parse(body).receipts.length, duplicates: 0 });
      if (url.endsWith("/logs")) return send({ stored: 0 });
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const d = layout(dir);
  ensureLayout(d);
  fs.writeFileSync(d.key, toHex(seed) + "\n", { mode: 0o600 });
  writeNodeConfig(d, {
    v: 1, url, cluster: "cons", address: node.address, control_plane: cp.address, notary: cp.address, node_type: "compute",
    endpoint: "http://127.0.0.1", joined_at: isoNow(), validator_set: genesisValidatorSet("cons", 2, [v1.address, v2.address, v3.address]),
  });
});

afterAll(async () => {
  await agent?.stop(1000);
  await new Promise<void>((r) => server.close(() => r()));
  cleanup(dir, work);
});

describe("an agent with a pinned validator set", () => {
  it("runs only the replica with a valid quorum; refuses forged, duplicate, outsider and too few approvals", async () => {
    const spec = (name: string) => ({ name, image: image.ref, command: ["sleep", "300"], replicas: 1, resources: { cpu_millis: 100, memory_mb: 32, storage_gb: 0 }, restart: "never" });
    const placed = async (name: string, approvers: Signer[], tamper?: (a: Record<string, unknown>) => Record<string, unknown>, other?: Record<string, unknown>) => {
      const s = spec(name);
      const key = { cluster: "cons", workload: name, replica: `${name}-1`, node: node.address, spec_hash: specHash(s), round: 1 };
      const approvals = await Promise.all(approvers.map(async (v, i) => {
        const last = i === approvers.length - 1;
        const a = (await signPlacementApproval(last && other ? { ...key, ...other } : key, v)) as unknown as Record<string, unknown>;
        return tamper && last ? tamper(a) : a;
      }));
      return { id: `${name}-1`, workload: name, replica_type: "primary", spec: s, placement: { round: 1, spec_hash: key.spec_hash, approvals } };
    };
    const replicas = [
      await placed("good", [v1, v3]),
      await placed("forged", [v1, v2], (a) => ({ ...a, node: node.address, round: 1 }), { node: v2.address }), // signed for another node, then edited
      await placed("reused", [v1, v2], undefined, { round: 2 }), // a valid approval of another round
      await placed("resigned", [v1, v2], (a) => ({ ...a, sig: (a.sig as string).replace(/.$/, (c) => (c === "0" ? "1" : "0")) })),
      await placed("dup", [v1, v1]),
      await placed("few", [v2]),
      await placed("outsider", [v1, outsider]),
      await placed("wrongspec", [v1, v2], (a) => a),
    ];
    // A spec changed after approval: the approvals name the old spec's hash.
    (replicas[7].spec as { command: string[] }).command = ["sh", "-c", "echo not what was approved"];
    desired = await signDesiredState({ v: 1, cluster: "cons", node: node.address, version: 1, issued_at: isoNow(), replicas: replicas as never, replays: [] }, cp);

    agent = new Agent({ dataDir: dir, heartbeatS: 0.5, receiptLingerMs: 100, log: silentLogger });
    await agent.start();
    const refused = ["forged", "reused", "resigned", "dup", "few", "outsider", "wrongspec"].map((n) => `${n}-1`);
    const last = await waitFor("good running and the others reported refused", () => {
      const b = beats.at(-1);
      const st = new Map(b?.containers.map((c) => [c.replica, c]) ?? []);
      return st.get("good-1")?.status === "running" && refused.every((id) => st.get(id)?.status === "pending") && b;
    }, 60_000);
    const reasons = new Map(last.containers.map((c) => [c.replica, c.reason ?? ""]));
    for (const id of refused) expect(reasons.get(id)).toMatch(/^refused by this node: no validator quorum: [01] of 2 valid approvals/);
    expect(reasons.get("forged-1")).toMatch(/approval 1: placement approval hash does not match its body/);
    expect(reasons.get("reused-1")).toMatch(/approval 1: round is 2, not 1/);
    expect(reasons.get("resigned-1")).toMatch(/signature does not verify/);
    expect(reasons.get("dup-1")).toMatch(/a second approval by/);
    expect(reasons.get("few-1")).toBe("refused by this node: no validator quorum: 1 of 2 valid approvals");
    expect(reasons.get("outsider-1")).toMatch(/is not in the validator set/);
    expect(reasons.get("wrongspec-1")).toMatch(/spec_hash is/);
    // Only the approved replica has a container.
    expect(runcIds(dir).filter((id) => !id.startsWith("good-1."))).toEqual([]);
    expect(runcIds(dir).some((id) => id.startsWith("good-1."))).toBe(true);
    const events = beats.flatMap((b) => b.events ?? []);
    for (const id of refused) expect(events.some((e) => e.replica === id && e.kind === "refused")).toBe(true);
  });
});
