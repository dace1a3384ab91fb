// `enc ps` shows each replica's network: a host-network workload is visible at a glance.
import { describe, expect, it } from "vitest";
import { replicaTable, workloadPairs } from "../../cli/lib/workload-view.ts";
import { styleFor } from "../../cli/lib/style.ts";
import { WorkloadSpec, type Replica, type WorkloadWithReplicas } from "../../protocol/api/workload.ts";

const s = styleFor({ isTTY: false } as never, {});
const replica = (id: string): Replica =>
  ({ id, replica_type: "primary", node: null, status: "running", restarts: 0, spec_version: 1 }) as unknown as Replica;

describe("enc ps network column", () => {
  it("marks host-network replicas in the table and the workload detail", () => {
    const table = replicaTable([replica("web-1"), replica("db-1")], s, (r) => (r.id.startsWith("web") ? "host" : "none"));
    const [header, web, db] = table.split("\n");
    expect(header).toMatch(/REPLICA\s+TYPE\s+NODE\s+STATUS\s+RESTARTS\s+ENDPOINT\s+EXIT\s+NET/);
    expect(web).toMatch(/web-1.*\shost-net\s*$/);
    expect(db).toMatch(/db-1.*\snone\s*$/);
    const spec = WorkloadSpec.parse({ name: "web", image: "oci:/x:latest", cage: { network: "host" } });
    const w = { workload: { spec, version: 1, updated_at: "2026-01-01T00:00:00Z" }, replicas: [] } as unknown as WorkloadWithReplicas;
    expect(workloadPairs(w, s)).toMatch(/Network\s+host-net/);
  });
});
