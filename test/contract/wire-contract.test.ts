// Each wire object is defined once, in protocol/: the agent, the CLI and the Worker (with its
// DOs) resolve every wire name to the same protocol module, nobody else declares one, and the
// paths the clients build are the paths the Worker serves. The Worker cannot load under Node,
// so its view is taken from the TypeScript program (the names its files import resolve to).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { paths, routes } from "../../protocol/routes.ts";
import { AUDIT_EVENTS } from "../../protocol/schemas.ts";
import type { AuditLog } from "../../durable-objects/shared/audit-log.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const rel = (f: string) => path.relative(ROOT, f).split(path.sep).join("/");

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts") && !e.name.endsWith(".d.ts"))
    .map((e) => path.join(e.parentPath, e.name));
}

/** The wire objects and the protocol module that owns each. */
const WIRE: Record<string, string> = {
  HeartbeatBody: "protocol/api/agent.ts",
  HeartbeatBodyInput: "protocol/api/agent.ts",
  ContainerReport: "protocol/api/agent.ts",
  ContainerReportInput: "protocol/api/agent.ts",
  LogBatch: "protocol/api/agent.ts",
  LogEntry: "protocol/api/agent.ts",
  AgentEvent: "protocol/api/agent.ts",
  ReplicaBackOff: "protocol/api/workload.ts",
  ClusterEvent: "protocol/api/events.ts",
  EventsPage: "protocol/api/events.ts",
  EventCursor: "protocol/api/events.ts",
  Role: "protocol/api/common.ts",
  PublicKeys: "protocol/api/common.ts",
  GrantableRole: "protocol/api/common.ts",
  ClusterConfig: "protocol/api/cluster.ts",
  Cluster: "protocol/api/cluster.ts",
  RoleBinding: "protocol/api/cluster.ts",
  NodeCapabilities: "protocol/api/node.ts",
  JoinNodeBody: "protocol/api/node.ts",
  Node: "protocol/api/node.ts",
  WorkloadSpec: "protocol/api/workload.ts",
  WorkloadView: "protocol/api/workload.ts",
  WorkloadWithReplicas: "protocol/api/workload.ts",
  Replica: "protocol/api/workload.ts",
  ReplicaStatus: "protocol/api/workload.ts",
  RolloutState: "protocol/api/workload.ts",
  RolloutView: "protocol/api/workload.ts",
  WorkloadVersion: "protocol/api/workload.ts",
  CageCheck: "protocol/api/cage.ts",
  CageVerdict: "protocol/api/cage.ts",
  CageRun: "protocol/api/cage.ts",
  NotaryStats: "protocol/api/notary.ts",
  TlogBinding: "protocol/api/tlog.ts",
  LogInfo: "protocol/api/tlog.ts",
  TlogInclusion: "protocol/api/tlog.ts",
  ChainHead: "protocol/head.ts",
  ChainHeadSchema: "protocol/head.ts",
  NotaryLimits: "protocol/api/cluster.ts",
  PlacementConfig: "protocol/api/placement.ts",
  PlacementApproval: "protocol/api/placement.ts",
  PlacementRefusal: "protocol/api/placement.ts",
  PlacementAnswer: "protocol/api/placement.ts",
  PlacementProposal: "protocol/api/placement.ts",
  PlacementView: "protocol/api/placement.ts",
  SignedRequest: "protocol/api/placement.ts",
  ValidatorSet: "protocol/api/placement.ts",
  ValidatorSetChange: "protocol/api/placement.ts",
  WitnessEndpoint: "protocol/api/witness.ts",
  ClusterHealth: "protocol/api/observe.ts",
  ClusterMetrics: "protocol/api/observe.ts",
  WorkloadLogs: "protocol/api/observe.ts",
  LogText: "protocol/api/observe.ts",
  HostRecord: "protocol/api/registry.ts",
  HostRecordSchema: "protocol/api/registry.ts",
  HostView: "protocol/api/registry.ts",
  DidView: "protocol/api/registry.ts",
  DesiredState: "protocol/desired-state.ts",
  DesiredStateFields: "protocol/desired-state.ts",
  DesiredReplica: "protocol/desired-state.ts",
  ReplicaSpec: "protocol/desired-state.ts",
  ReplayOrder: "protocol/desired-state.ts",
  ExecOrder: "protocol/desired-state.ts",
  ExecRequest: "protocol/api/exec.ts",
  ExecOutcome: "protocol/api/exec.ts",
  ExecOutcomeInput: "protocol/api/exec.ts",
  ExecView: "protocol/api/exec.ts",
  CheckedDesiredState: "protocol/desired-state.ts",
  DESIRED_STATE_DOMAIN: "protocol/desired-state.ts",
  StepReceipt: "protocol/schemas.ts",
  LogBlock: "protocol/schemas.ts",
  AuditEntry: "protocol/schemas.ts",
  AuditEvent: "protocol/schemas.ts",
  InclusionProof: "protocol/schemas.ts",
  SyncSigner: "protocol/sync-signer.ts",
  ConsoleLoginToken: "protocol/api/console.ts",
  CONSOLE_LOGIN_DOMAIN: "protocol/api/console.ts",
  CreatePipelineBody: "protocol/api/pipeline.ts",
  Pipeline: "protocol/api/pipeline.ts",
  Promotion: "protocol/api/pipeline.ts",
  PromoteBody: "protocol/api/pipeline.ts",
  ApprovalBody: "protocol/api/pipeline.ts",
  ComplianceReport: "protocol/api/compliance.ts",
  RateCard: "protocol/api/cluster.ts",
  COMPLIANCE_REPORT_DOMAIN: "protocol/api/compliance.ts",
  SecurityLevel: "protocol/api/cluster.ts",
  SecurityLevelBody: "protocol/api/cluster.ts",
  ComplianceFramework: "protocol/api/cluster.ts",
  Policy: "protocol/api/policy.ts",
  PolicyBody: "protocol/api/policy.ts",
  PolicyInput: "protocol/api/policy.ts",
  PolicyDecision: "protocol/api/policy.ts",
  PolicyTestBody: "protocol/api/policy.ts",
  PolicyTestResult: "protocol/api/policy.ts",
  AgreementType: "protocol/api/agreement.ts",
  AgreementFieldChange: "protocol/api/agreement.ts",
  AgreementWorkloadChange: "protocol/api/agreement.ts",
  AgreementApplyResult: "protocol/api/agreement.ts",
  AgreementApplyResponse: "protocol/api/agreement.ts",
  AgreementSummary: "protocol/api/agreement.ts",
  AgreementView: "protocol/api/agreement.ts",
  AgreementVersion: "protocol/api/agreement.ts",
  AgreementRollbackBody: "protocol/api/agreement.ts",
  AgreementCheck: "protocol/api/agreement.ts",
  AgreementValidation: "protocol/api/agreement.ts",
};

/** Same name, different thing: the scheduler's capacity view (cpu_millis, memory_mb), not the node's wire capabilities. */
const NOT_WIRE = new Set(["domain/scheduler/types.ts NodeCapabilities"]);

/** Files that speak for each side; every wire name they import must resolve into protocol/. */
const SIDES = {
  agent: ["node-agent/daemon/control-plane.ts", "node-agent/daemon/heartbeat.ts", "node-agent/daemon/replica-report.ts", "node-agent/daemon/log-shipper.ts", "node-agent/daemon/desired-poller.ts", "node-agent/daemon/records.ts", "node-agent/daemon/replay-orders.ts", "node-agent/daemon/exec-orders.ts"],
  cli: ["cli/lib/api-types.ts", "cli/lib/ledger-source.ts", "cli/commands/registry-show.ts"],
  worker: ["workers/routes/agent.ts", "workers/routes/clusters.ts", "workers/routes/policies.ts", "workers/routes/nodes.ts", "workers/routes/workloads.ts", "workers/routes/notary.ts", "workers/routes/resolver.ts", "workers/routes/registry.ts", "workers/routes/dids.ts"],
  durableObjects: ["durable-objects/cluster/cluster-do.ts", "durable-objects/cluster/workload-service.ts", "durable-objects/cluster/roles.ts", "durable-objects/notary/notary-do.ts", "durable-objects/notary/seal.ts", "durable-objects/shared/audit-log.ts", "durable-objects/registry/registry-do.ts"],
};

/** For each file: imported name (as exported) → the file that declares it, aliases followed. */
function importedDeclarations(files: string[]): Map<string, Map<string, string>> {
  const program = ts.createProgram(
    files.map((f) => path.join(ROOT, f)),
    { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, allowImportingTsExtensions: true, noEmit: true, skipLibCheck: true, types: [] },
  );
  const checker = program.getTypeChecker();
  const out = new Map<string, Map<string, string>>();
  for (const f of files) {
    const sf = program.getSourceFile(path.join(ROOT, f))!;
    const found = new Map<string, string>();
    const visit = (spec: ts.ImportSpecifier | ts.ExportSpecifier) => {
      const name = (spec.propertyName ?? spec.name).text;
      let sym = checker.getSymbolAtLocation(spec.name);
      if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      const decl = sym?.declarations?.[0];
      if (decl) found.set(name, rel(decl.getSourceFile().fileName));
    };
    sf.forEachChild((node) => {
      if (ts.isImportDeclaration(node) && node.importClause?.namedBindings && ts.isNamedImports(node.importClause.namedBindings)) {
        node.importClause.namedBindings.elements.forEach(visit);
      }
      if (ts.isExportDeclaration(node) && node.exportClause && ts.isNamedExports(node.exportClause)) node.exportClause.elements.forEach(visit);
    });
    out.set(f, found);
  }
  return out;
}

describe("each wire object is defined once, in protocol/", () => {
  it("the agent, the CLI, the Worker and the DOs import the same protocol module for each wire name", () => {
    const all = Object.values(SIDES).flat();
    const resolved = importedDeclarations(all);
    const seen = new Map<string, Set<string>>(); // wire name → sides that import it
    for (const [side, files] of Object.entries(SIDES)) {
      for (const f of files) {
        for (const [name, declaredIn] of resolved.get(f)!) {
          if (!(name in WIRE)) continue;
          expect(`${f}: ${name} from ${declaredIn}`).toBe(`${f}: ${name} from ${WIRE[name]}`);
          (seen.get(name) ?? seen.set(name, new Set()).get(name)!).add(side);
        }
      }
    }
    // The shared objects really are shared: each side imports its part of them.
    expect([...(seen.get("HeartbeatBody") ?? [])].sort()).toEqual(["durableObjects", "worker"]);
    expect([...(seen.get("HeartbeatBodyInput") ?? [])]).toEqual(["agent"]);
    expect([...(seen.get("NotaryStats") ?? [])].sort()).toEqual(["cli", "durableObjects", "worker"]);
    expect([...(seen.get("ClusterConfig") ?? [])].sort()).toEqual(["cli", "durableObjects", "worker"]);
    expect([...(seen.get("DesiredState") ?? [])]).toEqual(["durableObjects"]);
    expect([...(seen.get("HostView") ?? [])].sort()).toEqual(["cli", "durableObjects", "worker"]);
    expect([...(seen.get("CheckedDesiredState") ?? [])]).toEqual(["agent"]);
  }, 60_000);

  it("no file outside protocol/ declares a wire name", () => {
    const decl = (name: string) => new RegExp(`^\\s*(?:export\\s+)?(?:declare\\s+)?(?:interface|type|const|let|var|class|enum|function)\\s+${name}\\b`, "m");
    const offenders: string[] = [];
    for (const dir of ["workers", "durable-objects", "domain", "node-agent", "cli", "cli-kit", "scripts"]) {
      for (const f of sources(dir)) {
        const text = readFileSync(f, "utf8");
        for (const name of Object.keys(WIRE)) if (decl(name).test(text) && !NOT_WIRE.has(`${rel(f)} ${name}`)) offenders.push(`${rel(f)} declares ${name}`);
      }
    }
    expect(offenders).toEqual([]);
    // And the owner really declares it (the list above is not stale).
    for (const [name, owner] of Object.entries(WIRE)) expect(decl(name).test(readFileSync(path.join(ROOT, owner), "utf8")), `${owner} declares ${name}`).toBe(true);
  });

  it("protocol/ imports nothing else from the project, and not the OpenAPI extension", () => {
    for (const f of sources("protocol")) {
      const text = readFileSync(f, "utf8");
      for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        if (spec.startsWith(".")) expect(rel(path.resolve(path.dirname(f), spec)).startsWith("protocol/"), `${rel(f)} imports ${spec}`).toBe(true);
        else expect(spec, `${rel(f)} imports ${spec}`).not.toMatch(/^(@hono\/|hono\b)/);
      }
      expect(text, rel(f)).not.toMatch(/\.openapi\(/);
    }
  });
});

describe("the API's paths are spelled once, in protocol/routes.ts", () => {
  const served = new Set<string>();
  const servedPatterns: RegExp[] = [];
  for (const f of sources("workers/routes")) {
    for (const [, quote, p] of readFileSync(f, "utf8").matchAll(/\bpath:\s*(["`])(\/[^"`]*)\1/g)) {
      if (quote === "`" && p.includes("${")) servedPatterns.push(new RegExp(`^${p.replace(/\$\{[^}]+\}/g, "[a-z-]+").replace(/[{}]/g, "\\$&")}$`));
      else served.add(p);
    }
  }

  it("the Worker serves exactly the paths protocol names", () => {
    const named = new Set<string>(Object.values(paths));
    for (const p of served) expect(named.has(p), `${p} is served but not in protocol/routes.ts`).toBe(true);
    for (const p of named) expect(served.has(p) || servedPatterns.some((re) => re.test(p)), `${p} is in protocol/routes.ts but not served`).toBe(true);
  });

  it("the agent and the CLI build no /v1 path by hand", () => {
    const offenders: string[] = [];
    for (const dir of ["node-agent", "cli"]) {
      for (const f of sources(dir)) {
        readFileSync(f, "utf8").split("\n").forEach((line, i) => {
          if (/["'`]\/v1\//.test(line)) offenders.push(`${rel(f)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(offenders).toEqual([]);
  });

  it("builders fill the templates in order and keep each value one segment", () => {
    expect(routes.heartbeat("demo", "bpi1abc")).toBe("/v1/clusters/demo/nodes/bpi1abc/heartbeat");
    expect(routes.block("demo", "web", 7)).toBe("/v1/clusters/demo/apps/web/blocks/7");
    expect(routes.did("did:bpi:alice")).toBe("/v1/dids/did:bpi:alice");
    expect(routes.workload("demo", "a/b?c")).toBe("/v1/clusters/demo/workloads/a%2Fb%3Fc");
    expect(() => (routes.cluster as (...v: string[]) => string)()).toThrow(/missing a parameter/);
  });
});

describe("audit events", () => {
  it("AuditLog.append takes only the listed events (a typecheck test: tsc fails otherwise)", () => {
    const append = (log: AuditLog) => {
      log.append("c", "WorkloadDeployed", "system", "s", {});
      // @ts-expect-error an event AUDIT_EVENTS does not list
      log.append("c", "SomethingHappened", "system", "s", {});
    };
    expect(typeof append).toBe("function");
    expect(new Set(AUDIT_EVENTS).size).toBe(AUDIT_EVENTS.length);
  });

  it("every event the code emits is listed", () => {
    const emitted = new Set<string>();
    for (const dir of ["durable-objects", "workers", "domain"]) {
      for (const f of sources(dir)) {
        const text = readFileSync(f, "utf8");
        for (const [, call] of text.matchAll(/\b(?:append|recordEvent)\(([^;]*)/g)) for (const [, ev] of call.matchAll(/"([A-Z][A-Za-z]+)"/g)) emitted.add(ev);
      }
    }
    expect(emitted.size).toBeGreaterThan(10);
    for (const ev of emitted) expect(AUDIT_EVENTS as readonly string[], ev).toContain(ev);
  });
});
