import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { it } from "vitest";
import type { ClusterDO } from "../../durable-objects/cluster/cluster-do.ts";
import { ClusterConfig } from "../../protocol/api/cluster.ts";
import { WorkloadSpec } from "../../protocol/api/workload.ts";
import { canonicalize } from "../../protocol/jcs.ts";
import { hashAuditEntry } from "../../protocol/signed.ts";
import { signHashSync, DOMAINS } from "../../protocol/signing.ts";
import { syncSigner } from "../../durable-objects/shared/sync-signer.ts";
import type { AuditEntry } from "../../protocol/schemas.ts";
import type { Result } from "../../domain/result.ts";
import { report } from "./stats.ts";
import { benchPlacements } from "../scheduler-support.ts";

const NODES = 1000;
const DEPLOYS = 10;
const PER_WORKLOAD = 1000;

/*
 * Where the time of a ClusterDO deploy of 1,000 replicas onto 1,000 nodes goes, phase by phase:
 * the DO's stores are wrapped with timers (workerd's clock has 1 ms resolution, so each phase is
 * summed over all deploys), the deploys go through RPCs as in scheduler.bench.ts, and hashing
 * and signing are re-timed on the entries the deploys stored. ms per deploy.
 */
for (const algorithm of ["resource_based", "consistent_hashing"]) {
  it(`ClusterDO deploy phases (${algorithm})`, async () => {
    const name = `phases-${algorithm.replace("_", "-")}`;
    const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
    const owner = "bpi1" + "q".repeat(58);
    const created = (await stub.create(owner, name, ClusterConfig.parse({ max_replicas_per_node: 1000, load_balancing_algorithm: algorithm }))) as unknown as Result<unknown>;
    if (!created.ok) throw new Error(created.problem.detail);
    const spent = new Map<string, number>();
    await runInDurableObject(stub, (inst: ClusterDO, state) => {
      const sql = state.storage.sql;
      for (let i = 0; i < NODES; i++) {
        const caps = { cpu_cores: 8 + (i % 4) * 8, memory_gb: 32 + (i % 3) * 32, storage_gb: 500, supports_determinism_cage: i % 2 === 0 };
        sql.exec(
          "INSERT INTO nodes (address, node_type, endpoint, capabilities, labels, zone, status, joined_at, last_heartbeat) VALUES (?, 'compute', 'http://sim', ?, '{}', ?, 'ready', ?, ?)",
          `sim-node-${String(i).padStart(4, "0")}`, JSON.stringify(caps), `zone-${i % 3}`, new Date().toISOString(), Date.now(),
        );
      }
      const self = inst as any;
      const wrap = (label: string, obj: Record<string, unknown>, method: string) => {
        const f = obj[method] as (...a: unknown[]) => unknown;
        obj[method] = function (this: unknown, ...a: unknown[]) {
          const t = performance.now();
          const out = f.apply(this, a);
          if (out instanceof Promise) return out.finally(() => spent.set(label, (spent.get(label) ?? 0) + performance.now() - t));
          spent.set(label, (spent.get(label) ?? 0) + performance.now() - t);
          return out;
        };
      };
      wrap("deploy (inside the DO: governed)", self, "governed");
      wrap("transaction", state.storage as unknown as Record<string, unknown>, "transactionSync");
      wrap("audit append (all)", self.audit, "append");
      wrap("audit: C2SP leaf append", self.auditTlog, "appendLeaves");
      wrap("checkpoint", self.auditTlog, "checkpoint");
      wrap("audit: outbox row", self.outbox, "push");
      wrap("D1 flush", self.outbox, "flush");
      for (const m of ["reserveReplicaIds", "insertReplicas", "placeReplicas", "unplacedReplicas"]) wrap(`replica rows: ${m}`, self.workloads, m);
      for (const m of ["pendingRows", "placedOf"]) wrap(`placement reads: ${m}`, self.workloads, m);
      wrap("placement reads: nodes.list", self.nodes, "list");
      wrap("placement reads: nodes.forPlacementAllocated", self.nodes, "forPlacementAllocated");
      wrap("answer: replicaViewsOf", self.workloads, "replicaViewsOf");
    });
    const t0 = performance.now();
    for (let w = 0; w < DEPLOYS; w++) {
      const spec = WorkloadSpec.parse({ name: `w${w}`, image: "oci:/x:latest", replicas: PER_WORKLOAD, resources: { cpu_millis: 250, memory_mb: 256 } });
      const res = (await stub.deployWorkload(owner, spec)) as unknown as Result<{ json: string }>;
      if (!res.ok) throw new Error(res.problem.detail);
    }
    const rpc = performance.now() - t0;
    const per = (ms: number) => Math.round((ms / DEPLOYS) * 100) / 100;
    report(`phase.${algorithm}.deploy_rpc_ms`, per(rpc), "ms");
    for (const [label, ms] of spent) report(`phase.${algorithm}.${label}`, per(ms), "ms");
    // What the deploys owe D1, written now (timed) rather than by the alarm during the next
    // algorithm's deploys, where it showed as RPC time of the wrong cluster.
    const f0 = performance.now();
    await stub.flushLedger();
    report(`phase.${algorithm}.D1 flush after the deploys (outside the deploys' time)`, per(performance.now() - f0), "ms");
    // Hashing and signing of the same entries, re-timed outside the transaction.
    await runInDurableObject(stub, (_inst: ClusterDO, state) => {
      const entries = state.storage.sql.exec<{ body: string }>("SELECT body FROM audit").toArray().map((r) => JSON.parse(r.body) as AuditEntry);
      const signer = syncSigner(env.CONTROL_PLANE_KEY, "CONTROL_PLANE_KEY");
      let t = performance.now();
      for (const e of entries) JSON.stringify(e);
      report(`phase.${algorithm}.audit: JSON.stringify`, per(performance.now() - t), "ms");
      t = performance.now();
      for (const e of entries) canonicalize(e);
      report(`phase.${algorithm}.audit: JCS`, per(performance.now() - t), "ms");
      t = performance.now();
      for (const e of entries) {
        const { hash: _h, sig: _s, ...full } = e;
        hashAuditEntry(full);
      }
      report(`phase.${algorithm}.audit: hash (JCS + BLAKE3)`, per(performance.now() - t), "ms");
      t = performance.now();
      for (const e of entries) signHashSync(DOMAINS.auditEntry, e.hash, signer);
      report(`phase.${algorithm}.audit: Ed25519 sign`, per(performance.now() - t), "ms");
      report(`phase.${algorithm}.audit entries per deploy`, entries.length / DEPLOYS, "entries");
    });
  });
}

/*
 * CPU time, which a loaded host does not inflate as it does wall time: run each of these alone
 * under /usr/bin/time (`-t "cpu: setup only"`, `-t "cpu: setup and deploys"`, `-t "cpu: engine"`)
 * and subtract the first's user+sys seconds from the others': 40 deploys of 1,000 replicas onto
 * 1,000 nodes (their flush alarms included), and 4 × 10,000 placements of the pure engine.
 */
const CPU_DEPLOYS = 40;
for (const variant of ["setup only", "setup and deploys", "engine"] as const) {
  it(`cpu: ${variant}`, async () => {
    const name = `cpu-${variant.replaceAll(" ", "-")}`;
    const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
    const owner = "bpi1" + "q".repeat(58);
    const created = (await stub.create(owner, name, ClusterConfig.parse({ max_replicas_per_node: 1000 }))) as unknown as Result<unknown>;
    if (!created.ok) throw new Error(created.problem.detail);
    await runInDurableObject(stub, (_inst: ClusterDO, state) => {
      for (let i = 0; i < NODES; i++) {
        const caps = { cpu_cores: 8 + (i % 4) * 8, memory_gb: 32 + (i % 3) * 32, storage_gb: 500, supports_determinism_cage: i % 2 === 0 };
        state.storage.sql.exec(
          "INSERT INTO nodes (address, node_type, endpoint, capabilities, labels, zone, status, joined_at, last_heartbeat) VALUES (?, 'compute', 'http://sim', ?, '{}', ?, 'ready', ?, ?)",
          `sim-node-${String(i).padStart(4, "0")}`, JSON.stringify(caps), `zone-${i % 3}`, new Date().toISOString(), Date.now(),
        );
      }
    });
    if (variant === "engine") for (let i = 0; i < 4; i++) benchPlacements("resource_based", 10_000, NODES);
    if (variant !== "setup and deploys") return;
    for (let w = 0; w < CPU_DEPLOYS; w++) {
      const spec = WorkloadSpec.parse({ name: `w${w}`, image: "oci:/x:latest", replicas: PER_WORKLOAD, resources: { cpu_millis: 250, memory_mb: 256 } });
      const res = (await stub.deployWorkload(owner, spec)) as unknown as Result<{ json: string }>;
      if (!res.ok) throw new Error(res.problem.detail);
    }
    // Everything owed to D1 is written before the run ends, so main (whose deploys flushed before
    // answering, and which has no flushLedger) and this branch did the same work.
    await stub.flushLedger().catch(() => {});
  });
}
