import { describe, expect, it } from "vitest";
import { decideCageVerdict, type TerminalReceipt } from "../../../domain/agreements/cage-verdict.ts";
import { compileBody } from "../../../domain/agreements/compile.ts";

const R1 = "blake3:" + "1".repeat(64);
const R2 = "blake3:" + "2".repeat(64);
const replicas = [{ id: "job-1", node: "nodeA", status: "exited" }, { id: "job-2", node: "nodeB", status: "exited" }];
const exit = (container: string, node: string, root: string | undefined, code = 0, ts = "2026-01-01T00:00:01.000Z"): TerminalReceipt =>
  ({ hash: `h-${container}`, node, container, op: "exit", ts, ...(root ? { witness_root: root } : {}), exit_code: code });

describe("CueCage verdict", () => {
  it("is pending until N runs have ended, accepted when their roots match on distinct nodes", () => {
    expect(decideCageVerdict(2, replicas, [exit("job-1.1", "nodeA", R1)]).status).toBe("pending");
    const v = decideCageVerdict(2, replicas, [exit("job-1.1", "nodeA", R1), exit("job-2.1", "nodeB", R1)]);
    expect(v).toMatchObject({ status: "accepted", nodes_required: 2, runs: [{ node: "nodeA", witness_root: R1, receipt: "h-job-1.1" }, { node: "nodeB", witness_root: R1 }] });
  });

  it("rejects differing roots naming both, a failed run, and too few distinct nodes", () => {
    const diff = decideCageVerdict(2, replicas, [exit("job-1.1", "nodeA", R1), exit("job-2.1", "nodeB", R2)]);
    expect(diff.status).toBe("rejected");
    expect(diff.reason).toContain(R1);
    expect(diff.reason).toContain(R2);
    expect(decideCageVerdict(2, replicas, [exit("job-1.1", "nodeA", R1), exit("job-2.1", "nodeB", R1, 3)]).reason).toMatch(/nodeB exited 3/);
    const same = [{ id: "job-1", node: "nodeA", status: "exited" }, { id: "job-2", node: "nodeA", status: "exited" }];
    expect(decideCageVerdict(2, same, [exit("job-1.1", "nodeA", R1), exit("job-2.1", "nodeA", R1)]).reason).toMatch(/1 distinct node/);
    expect(decideCageVerdict(2, [...replicas.slice(0, 1), { id: "job-2", node: "nodeB", status: "failed", reason: "pull failed" }], [exit("job-1.1", "nodeA", R1)]).status).toBe("rejected");
  });

  it("counts only a replica's own containers on its own node", () => {
    const v = decideCageVerdict(2, replicas, [exit("job-1.1", "nodeA", R1), exit("job-2.1", "nodeA", R1), exit("job-10.1", "nodeB", R1)]);
    expect(v.status).toBe("pending");
  });

  it("compiles a CageAgreement to a determinism-caged job on N nodes, refusing unknown fields by path", () => {
    const doc = (extra = "") => `apiVersion: cue.bpi.dev/v1
kind: CageAgreement
metadata:
  name: digest
spec:
  image: oci:/images/tools:1
  command: ["sh", "-c", "sha256sum /etc/hostname"]
  seed: s-1
  output_dir: /out
  resources: { cpu: 250m, memory: 64Mi }
  verification:
    nodes: 3${extra}
`;
    const r = compileBody(doc(), { cluster: "c" });
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.units[0]!.agreement).toMatchObject({
      type: "cue-cage", name: "digest", job: { workload: "digest", nodes: 3 },
      workloads: [{ name: "digest", replicas: 3, restart: "never", cage: { determinism: true, seed: "s-1", network: "none", output_dir: "/out" }, resources: { cpu_millis: 250, memory_mb: 64 } }],
    });
    const bad = compileBody(doc("\n    quorum: 2"), { cluster: "c" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]).toMatchObject({ path: "spec.verification.quorum", line: 13 });
  });
});
