import { readFileSync } from "node:fs";
import type { ApiClient } from "../../protocol/api-client.ts";
import { routes } from "../../protocol/routes.ts";
import type { Replica, Workload } from "../lib/api-types.ts";
import { CLUSTER_FLAG, defineCommand } from "../lib/command.ts";
import type { Context } from "../lib/context.ts";
import { CLIError, usageError } from "../lib/errors.ts";
import { intFlag, requireOneOf } from "../lib/values.ts";
import { backoffText, interruptSignal, replicaTable, sleep, statusCounts, workloadPairs } from "../lib/workload-view.ts";
import { applyUpdate, mergeSpec, waitRollout } from "../lib/rollout-view.ts";
import { ApiError } from "../../protocol/api-client.ts";
import { printWarnings } from "../lib/warnings.ts";

const RESTART = ["never", "on-failure", "always"] as const;
const NETWORK = ["none", "host"] as const;
const LB = ["round_robin", "consistent_hashing", "least_connections", "weighted_round_robin", "resource_based"] as const;
/** Replica states --wait stops at: the container runs, or it has run to its end. */
const SETTLED = new Set(["running", "exited", "failed"]);

export default defineCommand({
  description:
    "Everything after `--` is the container's command. Flags override the values of --file (a\n" +
    "WorkloadSpec JSON document); omitted settings take the server's defaults.\n" +
    "--constraint node_type=T picks a node type; any other key=value is a required node capability\n" +
    "(true/false a feature, a number a minimum, text an exact value). --zone takes a comma list.\n" +
    "--wait polls until every replica is running (on two polls a second apart) or has exited\n" +
    "(progress on stderr) and exits 1 when one failed or exited non-zero, or at once when one is\n" +
    "in CrashLoopBackOff or ImagePullBackOff (with the reason: the exit code, the pull's error).\n" +
    "On an existing workload, deploy updates it: the flags given change those settings (env and\n" +
    "resources merge), the rest stay; --file replaces the whole spec. Replicas whose container\n" +
    "changes are replaced one at a time (see `enc rollout`); --wait then waits for the rollout.",
  args: { name: { description: "workload name: 1-63 of a-z, 0-9 and '-' (default: the name in --file)" } },
  rest: { name: "command", description: "the container's command and its arguments (default: the image's)" },
  flags: {
    ...CLUSTER_FLAG,
    image: { type: "string", placeholder: "ref", description: "oci:<dir>[:tag], oci-archive:<file>[:tag] or <registry>/<repo>[:tag|@sha256:…]" },
    replicas: { type: "string", placeholder: "N", description: "primary replicas (default 1)" },
    secondaries: { type: "string", placeholder: "N", description: "hot standbys promoted when a primary's node is lost (default 0)" },
    env: { type: "string", placeholder: "K=V", multiple: true, description: "an environment variable (repeatable)" },
    cpu: { type: "string", placeholder: "millis", description: "CPU per replica in millicores, 10-256000 (default 100)" },
    memory: { type: "string", placeholder: "MB", description: "memory per replica in MB (default 64)" },
    port: { type: "string", placeholder: "N", multiple: true, description: "a container port the gateway routes to (repeatable)" },
    restart: { type: "string", placeholder: "policy", description: `${RESTART.join(", ")} (default never)` },
    determinism: { type: "boolean", description: "run in the determinism cage: seeded /dev/urandom, no getrandom(2), fixed address layout; the clock is real (time is not virtualized)" },
    seed: { type: "string", placeholder: "S", description: "the cage's randomness seed" },
    network: { type: "string", placeholder: "mode", description: `${NETWORK.join(", ")} (default none)` },
    "output-dir": { type: "string", placeholder: "/out", description: "the cage's output directory, an absolute path in the container" },
    constraint: { type: "string", placeholder: "key=value", multiple: true, description: "a placement constraint (repeatable; see above)" },
    label: { type: "string", placeholder: "k=v", multiple: true, description: "a node label the replicas require (repeatable)" },
    zone: { type: "string", placeholder: "z[,z…]", description: "the zone(s) the replicas may run in" },
    nodes: { type: "string", placeholder: "bpi1…[,…]", description: "the only nodes (addresses) the replicas may run on" },
    autoscale: { type: "string", placeholder: "min:max[:cpu%]", description: "autoscale primaries on average CPU (target default 70)" },
    algorithm: { type: "string", placeholder: "algo", description: `gateway load balancing: ${LB.join(", ")}` },
    "wallet-auth": { type: "boolean", description: "gateway callers must sign their requests with a wallet" },
    "no-init": { type: "boolean", description: "no init as PID 1 (by default tini runs first, so SIGTERM reaches the command)" },
    "health-http": { type: "string", placeholder: "/path", description: "HTTP health check path; failing replicas get no traffic" },
    file: { type: "string", short: "f", placeholder: "spec.json", description: "a WorkloadSpec JSON document" },
    wait: { type: "boolean", short: "w", description: "wait until every replica is running or has exited" },
    timeout: { type: "string", placeholder: "seconds", default: "300", description: "with --wait: give up after this long (default 300)" },
  },
  examples: [
    "enc deploy web --image registry.example.com/web:1.2 --replicas 3 --port 8080 --health-http /healthz",
    "enc deploy job --image oci:./images/job --determinism --seed 42 --wait -- python run.py --fast",
    "enc deploy -f web.json --replicas 5",
  ],
  async run(ctx, { args, flags, rest }) {
    const spec: Record<string, unknown> = flags.file ? readSpecFile(flags.file) : {};
    const set = (key: string, v: unknown) => v !== undefined && (spec[key] = v);
    set("name", args.name);
    if (typeof spec.name !== "string") throw usageError("missing_argument", "`enc deploy` needs the workload <name> (or a --file with a name)", "Run `enc deploy --help` for its usage.");
    set("image", flags.image);
    if (rest.length) spec.command = rest;
    set("replicas", intFlag(flags.replicas, "replicas", 0, 1000));
    set("secondaries", intFlag(flags.secondaries, "secondaries", 0, 1000));
    if (flags.env.length) spec.env = { ...(spec.env as object | undefined), ...pairs(flags.env, "env") };
    const resources: Record<string, unknown> = { ...(spec.resources as object | undefined) };
    if (flags.cpu !== undefined) resources.cpu_millis = intFlag(flags.cpu, "cpu", 10, 256_000);
    if (flags.memory !== undefined) resources.memory_mb = intFlag(flags.memory, "memory", 4, 1_048_576);
    if (Object.keys(resources).length) spec.resources = resources;
    if (flags.port.length) spec.ports = flags.port.map((p) => ({ container_port: intFlag(p, "port", 1, 65_535)! }));
    set("restart", flags.restart && requireOneOf(flags.restart, RESTART, "--restart"));
    const cage: Record<string, unknown> = { ...(spec.cage as object | undefined) };
    if (flags.determinism) cage.determinism = true;
    if (flags.seed !== undefined) cage.seed = flags.seed;
    if (flags.network !== undefined) cage.network = requireOneOf(flags.network, NETWORK, "--network");
    if (flags["output-dir"] !== undefined) cage.output_dir = flags["output-dir"];
    if (Object.keys(cage).length) spec.cage = cage;
    const constraints = buildConstraints(spec.constraints as Record<string, unknown> | undefined, flags.constraint, flags.label, flags.zone, flags.nodes);
    if (constraints) spec.constraints = constraints;
    if (flags.autoscale !== undefined) spec.autoScaling = parseAutoscale(flags.autoscale);
    set("load_balancing_algorithm", flags.algorithm && requireOneOf(flags.algorithm, LB, "--algorithm"));
    if (flags["wallet-auth"]) spec.wallet_authentication = true;
    if (flags["no-init"]) spec.init = false;
    if (flags["health-http"] !== undefined) spec.health_check = { ...(spec.health_check as object | undefined), http_path: flags["health-http"], command: undefined };
    const timeout = intFlag(flags.timeout, "timeout", 1, 86_400)!;

    const cluster = ctx.cluster(flags.cluster);
    const api = await ctx.client();
    const exists = async () => api.get<Workload>(routes.workload(cluster, String(spec.name))).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 404 && err.problem.field === "name") return null;
      throw err;
    });
    // An update may leave the image as it is; a new workload needs one.
    if (typeof spec.image !== "string" && !(await exists())) {
      throw usageError("missing_flag", "`enc deploy` needs --image <ref> (or a --file with an image)", "Run `enc deploy --help` for its usage.");
    }
    const created = typeof spec.image !== "string" ? null : await api.post<Workload>(routes.workloads(cluster), spec).catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 409 && err.problem.field === "name") return null;
      throw err;
    });
    let res: Workload;
    if (created) {
      res = created;
      printWarnings(ctx, created);
      if (!ctx.json) ctx.out(`${ctx.style.ok} Deployed ${ctx.style.bold(res.workload.spec.name)} to cluster ${cluster} (version ${res.workload.version}).\n`);
    } else {
      // It exists: an update. What the flags name changes; everything else stays as it is.
      const current = await api.get<Workload>(routes.workload(cluster, String(spec.name)));
      res = await applyUpdate(ctx, api, cluster, flags.file ? { image: current.workload.spec.image, ...spec } : mergeSpec(current.workload.spec, spec), "deploy");
      if (!ctx.json) ctx.out("");
      if (flags.wait) await waitRollout(ctx, api, cluster, String(spec.name), timeout);
    }
    if (flags.wait) res = await waitSettled(ctx, api, cluster, res, timeout);
    if (ctx.json) {
      ctx.emit({ cluster, workload: res.workload, replicas: res.replicas });
    } else {
      ctx.out(workloadPairs(res, ctx.style));
      if (res.replicas.length) ctx.out("\n" + replicaTable(res.replicas, ctx.style));
      if (!flags.wait && res.replicas.some((r) => !r.node)) {
        ctx.out(ctx.style.dim(`Some replicas are not placed yet; see \`enc ps ${res.workload.spec.name}\` and \`enc nodes\`.`));
      }
    }
    if (!flags.wait) return;
    const bad = res.replicas.filter((r) => r.status === "failed" || (r.status === "exited" && r.exit_code));
    if (bad.length && !ctx.json) ctx.note(ctx.errStyle.red(`${bad.length} replica${bad.length === 1 ? "" : "s"} failed: ${bad.map((r) => r.id).join(", ")}; see \`enc logs ${res.workload.spec.name}\`.`));
    return bad.length ? 1 : 0;
  },
});

/** Polls the workload every second until each replica is running, exited or failed. */
async function waitSettled(ctx: Context, api: ApiClient, cluster: string, first: Workload, timeoutS: number): Promise<Workload> {
  const name = first.workload.spec.name;
  const deadline = Date.now() + timeoutS * 1000;
  // Running counts once seen on two polls in a row: a container that crashes at once is seen
  // "running" for a moment between back-offs, and that is not a deploy that worked.
  let wasRunning = new Set<string>();
  const done = (rs: Replica[]) => {
    const ok = rs.every((r) => SETTLED.has(r.status) && (r.status !== "running" || wasRunning.has(r.id)));
    wasRunning = new Set(rs.filter((r) => r.status === "running").map((r) => r.id));
    return ok;
  };
  const interrupt = interruptSignal();
  let current = first;
  let last = "";
  try {
    for (;;) {
      const line = `${name}: ${statusCounts(current.replicas)}`;
      if (line !== last && !ctx.json) ctx.note(ctx.errStyle.dim(`waiting… ${line}${waitingReason(current.replicas)}`));
      last = line;
      // A crash loop or an image that cannot be pulled will not settle by waiting: say why now.
      const stuck = current.replicas.find((r) => r.backoff);
      if (stuck?.backoff) {
        throw new CLIError("replica_backoff", `${stuck.id} is in ${stuck.backoff.state}: ${backoffText(stuck.backoff)}`, 1, `See \`enc events --workload ${name}\` and \`enc logs ${name}\`.`);
      }
      if (done(current.replicas)) return current;
      if (interrupt.signal.aborted) throw new CLIError("interrupted", `stopped waiting for ${name}; it keeps deploying (see \`enc ps ${name}\`)`);
      if (Date.now() >= deadline) {
        throw new CLIError("wait_timeout", `${name} did not settle within ${timeoutS} s: ${statusCounts(current.replicas)}${waitingReason(current.replicas)}`, 1, `See \`enc ps ${name}\` and \`enc nodes\`.`);
      }
      await sleep(1000, interrupt.signal);
      if (interrupt.signal.aborted) continue;
      current = await api.get<Workload>(routes.workload(cluster, name));
    }
  } finally {
    interrupt.dispose();
  }
}

/** Why the first still-unplaced replica waits, e.g. " (web-2: no node fits)". */
function waitingReason(replicas: Replica[]): string {
  const r = replicas.find((x) => !x.node && x.reason);
  return r ? ` (${r.id}: ${r.reason})` : "";
}

/** K=V words into an object; the value may contain '='. */
function pairs(words: string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of words) {
    const i = w.indexOf("=");
    if (i <= 0) throw usageError("bad_flag_value", `--${flag} takes key=value, got ${JSON.stringify(w)}`);
    out[w.slice(0, i)] = w.slice(i + 1);
  }
  return out;
}

/** "true"/"false" a feature, a number a minimum, anything else an exact value. */
function capabilityValue(v: string): boolean | number | string {
  if (v === "true" || v === "false") return v === "true";
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
}

function buildConstraints(base: Record<string, unknown> | undefined, constraint: string[], label: string[], zone: string | undefined, nodes: string | undefined) {
  if (!constraint.length && !label.length && zone === undefined && nodes === undefined) return base;
  const c: Record<string, unknown> = { ...base };
  const caps: Record<string, unknown> = { ...(c.capabilities as object | undefined) };
  for (const [k, v] of Object.entries(pairs(constraint, "constraint"))) {
    if (k === "node_type") c.node_type = v;
    else if (k === "zone") c.zone = v;
    else caps[k] = capabilityValue(v);
  }
  if (Object.keys(caps).length) c.capabilities = caps;
  if (label.length) c.labels = { ...(c.labels as object | undefined), ...pairs(label, "label") };
  if (zone !== undefined) {
    const zones = zone.split(",").map((z) => z.trim()).filter(Boolean);
    c.zone = zones.length === 1 ? zones[0] : zones;
  }
  if (nodes !== undefined) c.nodes = nodes.split(",").map((n) => n.trim()).filter(Boolean);
  return c;
}

function parseAutoscale(v: string) {
  const m = /^(\d+):(\d+)(?::(\d+(?:\.\d+)?))?$/.exec(v.trim());
  if (!m) throw usageError("bad_flag_value", `--autoscale takes min:max or min:max:targetCPU, got ${JSON.stringify(v)}`);
  const [minReplicas, maxReplicas] = [Number(m[1]), Number(m[2])];
  if (minReplicas > maxReplicas || maxReplicas < 1) throw usageError("bad_flag_value", `--autoscale needs 0 ≤ min ≤ max and max ≥ 1, got ${JSON.stringify(v)}`);
  return { enabled: true, minReplicas, maxReplicas, targetCPU: m[3] === undefined ? 70 : Number(m[3]) };
}

function readSpecFile(file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw new CLIError("bad_spec_file", `cannot read ${file} as JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new CLIError("bad_spec_file", `${file} must hold a JSON object (a WorkloadSpec)`);
  }
  return parsed as Record<string, unknown>;
}
