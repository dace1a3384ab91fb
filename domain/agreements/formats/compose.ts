// ComposeCue: a Compose file as `docker-compose config` normalizes it (compose-spec). Each service
// becomes the workload `<agreement>-<service>`; depends_on orders them in waves (a service starts
// once what it depends on is ready: running, and healthy where it has a health check). A key ENC
// cannot honour (volumes, host ports, build, privileged, ...) is refused by its path.
import { z } from "zod";
import { AppName } from "../../../protocol/api/common.ts";
import { WorkloadSpec } from "../../../protocol/api/workload.ts";
import { dependencyWaves } from "../order.ts";
import { schemaIssues } from "../parse.ts";
import { cpuMillis, memoryMb, seconds } from "../quantities.ts";
import { compiled, refused, type AgreementFormat, type FieldIssue } from "../types.ts";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const StrOrList = z.union([z.string().max(32_768), z.array(z.string().max(4096)).max(256)]);
const Resources = z.object({ cpus: z.union([z.string(), z.number()]).optional(), memory: z.union([z.string(), z.number()]).optional() }).strict();

const Service = z
  .object({
    image: z.string().max(1024),
    command: StrOrList.optional(),
    entrypoint: StrOrList.optional(),
    environment: z.union([z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])), z.array(z.string())]).optional(),
    ports: z
      .array(
        z.union([
          z.object({ target: z.number().int().min(1).max(65_535), protocol: z.string().optional(), mode: z.string().optional(), published: z.unknown().optional() }).strict(),
          z.string(),
          z.number(),
        ]),
      )
      .max(16)
      .optional(),
    expose: z.array(z.union([z.string(), z.number()])).optional(),
    deploy: z
      .object({
        replicas: z.number().int().min(0).max(1000).optional(),
        resources: z.object({ limits: Resources.optional(), reservations: Resources.optional() }).strict().optional(),
        restart_policy: z.object({ condition: z.enum(["none", "on-failure", "any"]).optional() }).strict().optional(),
        labels: z.record(z.string(), z.string()).optional(),
      })
      .strict()
      .optional(),
    healthcheck: z
      .object({
        test: StrOrList.optional(),
        interval: z.union([z.string(), z.number()]).optional(),
        retries: z.number().int().min(1).max(100).optional(),
        disable: z.boolean().optional(),
      })
      .strict()
      .optional(),
    depends_on: z
      .union([z.array(z.string()), z.record(z.string(), z.object({ condition: z.enum(["service_started", "service_healthy"]).default("service_started") }).strict())])
      .optional(),
    labels: z.union([z.record(z.string(), z.string()), z.array(z.string())]).optional(),
    restart: z.enum(["no", "always", "on-failure", "unless-stopped"]).optional(),
    init: z.boolean().optional(),
    networks: z.union([z.array(z.literal("default")), z.object({ default: z.null().optional() }).strict()]).optional(),
  })
  .strict();

const Compose = z
  .object({
    version: z.string().optional(),
    name: AppName.optional(),
    services: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "service names are a-z, 0-9 and '-' (they become workload names)"), Service),
    networks: z.object({ default: z.unknown().optional() }).strict().optional(),
  })
  .strict();

/** "a 'b c' d" -> ["a", "b c", "d"]: Compose splits string commands like a shell would (no expansion). */
export function shellWords(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3]));
  return out;
}
/** Compose's escape for a literal `$` (kept by `docker-compose config`): `$$` -> `$`. */
const literal = (s: string) => s.replace(/\$\$/g, "$");
const argv = (v: string | string[] | undefined) => (v === undefined ? undefined : typeof v === "string" ? shellWords(v) : v)?.map(literal);

export const compose: AgreementFormat = {
  type: "compose",
  detect: (doc) => isObject(doc) && isObject(doc.services) && !("kind" in doc) && !("apiVersion" in doc),
  name: (doc) => (isObject(doc) && typeof doc.name === "string" ? doc.name : undefined),
  compile(doc, ctx) {
    const parsed = Compose.safeParse(doc.value);
    if (!parsed.success) return refused(schemaIssues(parsed.error.issues as never));
    const project = parsed.data.name ?? ctx.name;
    if (!project) return refused([{ path: "name", message: "a Compose agreement needs a name: a top-level `name:` or the request's ?name= (the CLI sends the file's base name)" }]);
    const issues: FieldIssue[] = [];
    const workloads: WorkloadSpec[] = [];
    const labels: Record<string, Record<string, string>> = {};
    const deps: Record<string, string[]> = {};
    const wl = (service: string) => `${project}-${service}`;
    for (const [svc, s] of Object.entries(parsed.data.services)) {
      const at = (p: string) => `services.${svc}.${p}`;
      const bad = (p: string, message: string) => issues.push({ path: at(p), message });
      const env: Record<string, string> = {};
      if (Array.isArray(s.environment)) {
        s.environment.forEach((e, i) => {
          const eq = e.indexOf("=");
          if (eq < 0) bad(`environment.${i}`, "a variable without a value is taken from the client's environment by Compose; run `docker-compose config` first");
          else env[e.slice(0, eq)] = literal(e.slice(eq + 1));
        });
      } else {
        for (const [k, v] of Object.entries(s.environment ?? {})) {
          if (v === null) bad(`environment.${k}`, "a variable without a value is taken from the client's environment by Compose; run `docker-compose config` first");
          else env[k] = literal(String(v));
        }
      }
      const ports: { container_port: number }[] = [];
      (s.ports ?? []).forEach((p, i) => {
        if (typeof p === "object") {
          if (p.published !== undefined) bad(`ports.${i}.published`, "ENC publishes a workload through its gateway, not on host ports: give the target port only");
          if (p.protocol !== undefined && p.protocol !== "tcp") bad(`ports.${i}.protocol`, "the gateway carries TCP (HTTP) only");
          if (p.mode !== undefined && p.mode !== "ingress") bad(`ports.${i}.mode`, "host mode ports bind the node's network; ENC does not");
          ports.push({ container_port: p.target });
        } else {
          const m = /^([0-9]+)(\/tcp)?$/.exec(String(p));
          if (!m) bad(`ports.${i}`, "ENC publishes through its gateway, not on host ports: give the container port only (\"8080\")");
          else ports.push({ container_port: Number(m[1]) });
        }
      });
      for (const e of s.expose ?? []) ports.push({ container_port: Number(String(e).replace(/\/tcp$/, "")) });
      const lim = s.deploy?.resources?.limits ?? s.deploy?.resources?.reservations;
      const resources: Record<string, number> = {};
      if (lim?.cpus !== undefined) {
        const v = cpuMillis(lim.cpus);
        if (v === undefined) bad("deploy.resources.limits.cpus", "a number of CPUs (0.5)");
        else resources.cpu_millis = v;
      }
      if (lim?.memory !== undefined) {
        const v = memoryMb(lim.memory);
        if (v === undefined) bad("deploy.resources.limits.memory", "a size (64M, 1G)");
        else resources.memory_mb = v;
      }
      let health_check: Record<string, unknown> | undefined;
      const hc = s.healthcheck;
      if (hc && !hc.disable && hc.test !== undefined) {
        const t = typeof hc.test === "string" ? ["CMD-SHELL", hc.test] : hc.test;
        let command: string[] | undefined;
        if (t[0] === "CMD") command = t.slice(1).map(literal);
        else if (t[0] === "CMD-SHELL") command = ["sh", "-c", literal(t.slice(1).join(" "))];
        else if (t[0] !== "NONE") bad("healthcheck.test", 'a test starts with "CMD", "CMD-SHELL" or "NONE"');
        const interval = hc.interval === undefined ? undefined : seconds(hc.interval);
        if (hc.interval !== undefined && interval === undefined) bad("healthcheck.interval", "a duration (2s, 1m30s)");
        if (command?.length) health_check = { command, ...(interval ? { interval_s: interval } : {}), ...(hc.retries ? { threshold: hc.retries } : {}) };
      }
      const dependsOn = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      dependsOn.forEach((d) => {
        if (!(d in parsed.data.services)) bad(`depends_on.${d}`, `no service ${d} in this file`);
      });
      if (!Array.isArray(s.depends_on)) {
        for (const [d, c] of Object.entries(s.depends_on ?? {})) {
          const target = parsed.data.services[d];
          if (c.condition === "service_healthy" && target && (!target.healthcheck || target.healthcheck.disable)) bad(`depends_on.${d}.condition`, `service_healthy needs a healthcheck on ${d}`);
        }
      }
      deps[wl(svc)] = dependsOn.map(wl);
      const cond = s.deploy?.restart_policy?.condition;
      const restart = cond === "none" || s.restart === "no" ? "never" : cond === "on-failure" || s.restart === "on-failure" ? "on-failure" : "always";
      const entry = argv(s.entrypoint);
      const cmd = argv(s.command);
      const command = entry ? [...entry, ...(cmd ?? [])] : cmd;
      const lbl = Array.isArray(s.labels) ? Object.fromEntries(s.labels.map((l) => [l.split("=")[0], l.split("=").slice(1).join("=")])) : (s.labels ?? {});
      const all = { ...lbl, ...(s.deploy?.labels ?? {}) };
      if (Object.keys(all).length) labels[wl(svc)] = all;
      const candidate = {
        name: wl(svc),
        image: s.image,
        ...(command ? { command } : {}),
        env,
        replicas: s.deploy?.replicas ?? 1,
        resources,
        ports,
        restart,
        ...(s.init !== undefined ? { init: s.init } : {}),
        ...(health_check ? { health_check } : {}),
      };
      const w = WorkloadSpec.safeParse(candidate);
      if (!w.success) {
        for (const i of schemaIssues(w.error.issues as never)) issues.push({ path: at(i.path.startsWith("name") ? "" : i.path.replace(/^resources\..*/, "deploy.resources").replace(/^health_check.*/, "healthcheck")).replace(/\.$/, ""), message: i.path.startsWith("name") ? `the workload name ${wl(svc)}: ${i.message}` : i.message });
      } else workloads.push(w.data);
    }
    if (issues.length) return refused(issues);
    const waves = dependencyWaves(deps);
    if (!waves.ok) return refused([{ path: `services.${waves.cycle[0].slice(project.length + 1)}.depends_on`, message: `a dependency cycle: ${waves.cycle.join(" -> ")}` }]);
    return compiled({ name: project, type: "compose", workloads, order: waves.waves, ...(Object.keys(labels).length ? { labels } : {}) });
  },
};
