/** @jsxImportSource hono/jsx */
// The web console: server-rendered pages under /console/, signed in by a wallet-signed one-time
// link from `enc console`. Reads and actions go through the ClusterDO's own role-checked methods
// with the session's wallet as the actor (see session.ts); nothing here bypasses a role check.
import { Hono, type Context } from "hono";
import { raw } from "hono/html";
import { deleteCookie } from "hono/cookie";
import { z } from "zod";
import { fail, problem, ProblemException, problemResponse, type Problem } from "../../domain/problem.ts";
import { checkLoginToken, cookieValue, newSessionSecret, sessionIdHash, sessionSetCookie, SESSION_COOKIE, SESSION_TTL_MS } from "../../domain/console/session.ts";
import { blockLeaves, blockReceipts, getBlock, getReceipt, latestBlockHeight, listAudit, listBlocks, listApps } from "../../domain/ledger/queries.ts";
import { inclusionPath } from "../../protocol/merkle.ts";
import { hashToText, textToHash } from "../../protocol/hash.ts";
import { AppName, ClusterName, HashText } from "../../protocol/api/common.ts";
import { CONSOLE_LOGIN_PATH, CONSOLE_LOGIN_TTL_MS } from "../../protocol/api/console.ts";
import type { ClusterEvent } from "../../protocol/api/events.ts";
import type { ChainHead } from "../../protocol/head.ts";
import { clusterStub, notaryStub, unwrap } from "../lib/stubs.ts";
import { settleCageJob } from "../lib/cage-verdict.ts";
import { Framework, type ComplianceReport } from "../../protocol/api/compliance.ts";
import type { AgreementVersion, AgreementView } from "../../protocol/api/agreement.ts";
import { PipelineName } from "../../protocol/api/pipeline.ts";
import { PolicyName } from "../../protocol/api/policy.ts";
import type { RequestSignature } from "../../durable-objects/cluster/pipelines.ts";
import { CONSOLE_CSS } from "./assets.ts";
import { CONSOLE_JS } from "./client/bundle.generated.ts";
import { loadSession, requireAction, sessionStore, viaConsole, type ConsoleEnv, type ConsoleSession } from "./session.ts";
import { age, EventsList, Flash, HistoryTable, Kv, Layout, Light, NodesTable, ReplicasTable, short, Sparkline, VerifyBox, WorkloadsTable } from "./views.tsx";

type C = Context<ConsoleEnv>;
/** The Worker's own API, for the public name look-ups (injected by app.ts: no import cycle). */
export interface InnerApi {
  fetch(request: Request, env: Env): Response | Promise<Response>;
}

const STREAM_LIFETIME_MS = 50_000;
const STREAM_WAIT_MS = 20_000;

const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const clusterPath = (cluster: string) => `/console/clusters/${encodeURIComponent(cluster)}`;
const workloadPath = (cluster: string, name: string) => `${clusterPath(cluster)}/workloads/${encodeURIComponent(name)}`;

/** A problem as HTML for a browser (a page naming the field), as problem+json for anything else. */
function problemPage(c: C, p: Problem, session?: ConsoleSession): Response {
  if (!(c.req.header("accept") ?? "").includes("text/html")) return problemResponse(p);
  const body = (
    <Layout title={p.title} session={session}>
      <h1>{`${p.status} ${p.title}`}</h1>
      <p class="flash problem" role="alert" data-problem-field={p.field ?? ""}>
        {p.detail}
      </p>
      {p.field ? <p>Field: <code>{p.field}</code></p> : null}
      <p><a href="/console/">Back to the console</a></p>
    </Layout>
  );
  return new Response("<!doctype html>" + body.toString(), { status: p.status, headers: { "content-type": "text/html; charset=utf-8" } });
}

/** Validates route input with a schema; a failure is a problem naming the field. */
function valid<T extends z.ZodType>(schema: T, value: unknown, where: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = [where, ...issue.path.map(String)].filter(Boolean).join(".");
  fail(where === "form" ? 422 : 400, `${field}: ${issue.message}`, { field });
}

const Params = z.object({ cluster: ClusterName });
const WorkloadParams = Params.extend({ name: AppName });

async function session(c: C): Promise<ConsoleSession> {
  const s = await loadSession(c);
  if (!s) fail(401, "sign in first: run `enc console` and open the link it prints", { field: "cookie", code: "console-session" });
  c.set("session", s);
  return s;
}

const html = (c: C, node: { toString(): string | Promise<string> }, status = 200) => c.html(`<!doctype html>${String(node)}`, status as 200);

export function consoleRoutes(api: InnerApi): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.use("/console/*", async (c, next) => {
    await next();
    c.header("content-security-policy", CSP);
    c.header("x-content-type-options", "nosniff");
    // Not no-referrer: under it browsers send "Origin: null" on same-origin form posts, and the
    // Origin check needs the real one. same-origin still sends nothing to other sites.
    c.header("referrer-policy", "same-origin");
    c.header("x-frame-options", "DENY");
    if (!c.res.headers.has("cache-control")) c.header("cache-control", "no-store");
  });

  app.onError((e, c) => {
    const p = e instanceof ProblemException ? e.problem : undefined;
    if (!p) console.error(`${c.req.method} ${c.req.path} failed:`, e);
    const prob = p ?? problem(500, "internal error; the change was not applied");
    // A stale or missing session on a page: the sign-in page, not an error.
    if (prob.code === "console-session" && c.req.method === "GET" && (c.req.header("accept") ?? "").includes("text/html")) return c.redirect("/console/?signin=1", 303);
    return problemPage(c, prob, c.get("session"));
  });

  app.get("/", (c) => c.redirect("/console/", 302));
  app.get("/console", (c) => c.redirect("/console/", 302));

  app.get("/console/static/console.js", (c) => {
    c.header("cache-control", "no-cache");
    return c.body(CONSOLE_JS, 200, { "content-type": "text/javascript; charset=utf-8" });
  });
  app.get("/console/static/console.css", (c) => {
    c.header("cache-control", "no-cache");
    return c.body(CONSOLE_CSS, 200, { "content-type": "text/css; charset=utf-8" });
  });

  // ---- sign-in ------------------------------------------------------------------------------

  app.get(CONSOLE_LOGIN_PATH, async (c) => {
    const url = new URL(c.req.url);
    const token = await unwrap(checkLoginToken(c.req.query("token"), { origin: url.origin, now: Date.now() }));
    const store = sessionStore(c.env, token.address);
    if (!(await store.use(`login:${token.nonce}`, Date.parse(token.expires_at) + CONSOLE_LOGIN_TTL_MS))) {
      fail(401, "token: this sign-in link was already used; run `enc console` again", { field: "token", code: "login-used" });
    }
    const secret = newSessionSecret();
    const expiresAt = Date.now() + SESSION_TTL_MS;
    await store.createSession(await sessionIdHash(secret), expiresAt, token.clusters);
    c.header("set-cookie", sessionSetCookie(cookieValue(token.address, secret), url, SESSION_TTL_MS / 1000));
    return c.redirect(token.clusters.length === 1 ? clusterPath(token.clusters[0]!) : "/console/", 303);
  });

  app.post("/console/logout", async (c) => {
    const form = await c.req.parseBody();
    const s = await requireAction(c, form.csrf);
    await sessionStore(c.env, s.address).revokeSessions(s.idHash);
    deleteCookie(c, SESSION_COOKIE, { path: "/console" });
    return c.redirect("/console/?signedout=1", 303);
  });

  app.post("/console/sessions/revoke-all", async (c) => {
    const form = await c.req.parseBody();
    const s = await requireAction(c, form.csrf);
    await sessionStore(c.env, s.address).revokeSessions();
    deleteCookie(c, SESSION_COOKIE, { path: "/console" });
    return c.redirect("/console/?signedout=1", 303);
  });

  // ---- clusters -----------------------------------------------------------------------------

  app.get("/console/", async (c) => {
    const s = await loadSession(c);
    if (!s) {
      const note = c.req.query("signedout") ? "Signed out." : c.req.query("signin") ? "Your session has ended or was revoked: sign in again." : undefined;
      return html(
        c,
        <Layout title="Sign in">
          <h1>Sign in to the ENC console</h1>
          <Flash text={note} />
          <p>The console has no passwords. Your wallet signs a one-time link, valid for 60 seconds:</p>
          <pre class="logs">enc console</pre>
          <p>It prints the link (and opens it where a browser is at hand). The session it starts is bound to that wallet and ends after 8 hours, at sign-out, or when revoked.</p>
        </Layout>,
      );
    }
    c.set("session", s);
    const jump = c.req.query("cluster");
    if (jump) return c.redirect(clusterPath(valid(ClusterName, jump, "cluster")), 303);
    const rows = await Promise.all(
      s.clusters.map(async (name) => {
        const stub = clusterStub(c.env, name);
        const [cluster, roles] = await Promise.all([stub.get(s.address), stub.listRoles(s.address)]);
        const role = roles.ok ? roles.value.find((r) => r.address === s.address)?.role : undefined;
        return { name, cluster: cluster.ok ? cluster.value : undefined, role };
      }),
    );
    return html(
      c,
      <Layout title="Clusters" session={s} section="clusters">
        <h1>Clusters</h1>
        {rows.length ? (
          <div class="table-wrap">
            <table id="clusters">
              <thead><tr><th scope="col">Cluster</th><th scope="col">Your role</th><th scope="col">Nodes</th><th scope="col" class="hide-sm">Owner</th></tr></thead>
              <tbody>
                {rows.map((r) => (
                  <tr data-cluster={r.name}>
                    <td>{r.cluster ? <a href={clusterPath(r.name)}>{r.name}</a> : r.name}</td>
                    <td>{r.cluster ? (r.role ?? "—") : <span class="bad">no access</span>}</td>
                    <td>{r.cluster?.nodes ?? "—"}</td>
                    <td class="hide-sm"><code>{r.cluster ? short(r.cluster.owner) : ""}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">Your sign-in link named no cluster.</p>
        )}
        <form method="get" action="/console/" class="inline">
          <label>Open a cluster by name<input name="cluster" required pattern="[a-z0-9][a-z0-9\-]{1,62}" autocomplete="off" /></label>
          <button type="submit">Open</button>
        </form>
        <h2>Session</h2>
        <p>{`This session ends ${new Date(s.expiresAt).toISOString()}. Roles are checked with the cluster at every request: a revoked role takes effect at once.`}</p>
        <form method="post" action="/console/sessions/revoke-all" class="inline">
          <input type="hidden" name="csrf" value={s.csrf} />
          <button class="secondary" type="submit">Sign out everywhere (revoke all my console sessions)</button>
        </form>
      </Layout>,
    );
  });

  /** Events per minute over the last 30 minutes, for the overview's sparkline. */
  const perMinute = (events: ClusterEvent[], now: number) => {
    const buckets = new Array<number>(30).fill(0);
    for (const e of events) {
      const m = Math.floor((now - Date.parse(e.at)) / 60_000);
      if (m >= 0 && m < 30) buckets[29 - m]! += 1;
    }
    return buckets;
  };

  /** What the overview's live region shows: gauges, workloads, nodes and recent events. */
  const overviewBody = async (c: C, s: ConsoleSession, cluster: string) => {
    const stub = clusterStub(c.env, cluster);
    const [nodes, health, metrics, workloads, events] = await Promise.all([
      unwrap(stub.listNodes(s.address)),
      unwrap(stub.health(s.address)),
      unwrap(stub.metrics(s.address)),
      unwrap(stub.listWorkloads(s.address)),
      unwrap(stub.eventsPage(s.address, { limit: 200, waitMs: 0 })),
    ]);
    const now = Date.now();
    const gauges = Object.entries(metrics).slice(0, 8);
    const body = (
      <>
        <p>
          Health: <span class={health.status === "ok" ? "pill ok" : "pill bad"} id="health">{health.status}</span>
          {` · ${health.replicas.filter((r) => r.status === "running").length} of ${health.replicas.length} replicas running`}
        </p>
        <div class="cards">
          {gauges.map(([k, v]) => (
            <div class="card" data-metric={k} data-value={String(v)}>
              <div class="muted">{k.replace(/_/g, " ")}</div>
              <div class="n">{Number.isInteger(v) ? v : v.toFixed(2)}</div>
              <span class="spark-live" aria-hidden="true"></span>
            </div>
          ))}
          <div class="card">
            <div class="muted">events per minute, last 30 min</div>
            <Sparkline values={perMinute(events.events, now)} label="events per minute" />
          </div>
        </div>
        <h2>Workloads</h2>
        <WorkloadsTable cluster={cluster} workloads={workloads} />
        <h2>Nodes</h2>
        <NodesTable nodes={nodes} now={now} />
        <h2>Recent events</h2>
        <EventsList events={events.events.slice(-20)} />
      </>
    );
    return { body, cursor: events.cursor };
  };

  app.get("/console/clusters/:cluster", async (c) => {
    const s = await session(c);
    const { cluster } = valid(Params, c.req.param(), "");
    const stub = clusterStub(c.env, cluster);
    const [info, roles] = await Promise.all([unwrap(stub.get(s.address)), unwrap(stub.listRoles(s.address))]);
    const { body, cursor } = await overviewBody(c, s, cluster);
    const role = roles.find((r) => r.address === s.address)?.role ?? "—";
    return html(
      c,
      <Layout title={cluster} session={s} cluster={cluster} section="overview">
        <h1>{`Cluster ${cluster}`}</h1>
        <p>
          Your role: <strong id="role">{role}</strong> · owner <code>{short(info.owner)}</code> · <span id="live-status" class="muted">static</span>
        </p>
        <section id="live-overview" aria-live="polite" data-live-src={`${clusterPath(cluster)}/fragments/overview`} data-live-stream={`${clusterPath(cluster)}/stream?after=${cursor}`} data-spark-key={cluster}>
          {body}
        </section>
      </Layout>,
    );
  });

  app.get("/console/clusters/:cluster/fragments/overview", async (c) => {
    const s = await session(c);
    const { cluster } = valid(Params, c.req.param(), "");
    return c.html(String((await overviewBody(c, s, cluster)).body));
  });

  app.get("/console/clusters/:cluster/workloads/:name/fragments/replicas", async (c) => {
    const s = await session(c);
    const { cluster, name } = valid(WorkloadParams, c.req.param(), "");
    const { replicas } = await unwrap(clusterStub(c.env, cluster).getWorkload(s.address, name));
    return c.html(String(<ReplicasTable replicas={replicas} />));
  });

  /**
   * Server-sent events: the Worker long-polls the ClusterDO's event page (the DO holds no stream
   * open, so it can still hibernate) and tells the page that something changed. Each poll is a
   * role check; the stream ends after STREAM_LIFETIME_MS and EventSource reconnects with the
   * cursor as Last-Event-ID, which re-checks the session.
   */
  app.get("/console/clusters/:cluster/stream", async (c) => {
    const s = await session(c);
    const { cluster } = valid(Params, c.req.param(), "");
    const q = valid(z.object({ after: z.string().regex(/^a\d{1,15}\.e\d{1,15}$/).optional(), workload: AppName.optional() }), c.req.query(), "query");
    const lastId = c.req.header("last-event-id");
    let after = lastId && /^a\d{1,15}\.e\d{1,15}$/.test(lastId) ? lastId : q.after;
    const stub = clusterStub(c.env, cluster);
    if (!after) after = (await unwrap(stub.eventsPage(s.address, { limit: 1, waitMs: 0 }))).cursor;
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const enc = new TextEncoder();
    const send = (text: string) => writer.write(enc.encode(text));
    const started = Date.now();
    const pump = async () => {
      try {
        await send(`retry: 1000\nid: ${after}\n: live\n\n`);
        while (Date.now() - started < STREAM_LIFETIME_MS) {
          const page = await stub.eventsPage(s.address, { after, workload: q.workload, limit: 100, waitMs: Math.min(STREAM_WAIT_MS, STREAM_LIFETIME_MS - (Date.now() - started)) });
          if (!page.ok) {
            const p = (page as unknown as { problem: Problem }).problem;
            await send(`event: denied\ndata: ${JSON.stringify({ status: p.status, detail: p.detail })}\n\n`);
            break;
          }
          after = page.value.cursor;
          if (page.value.events.length) await send(`id: ${after}\nevent: change\ndata: ${JSON.stringify({ events: page.value.events.length, last: page.value.events.at(-1)?.kind })}\n\n`);
          else await send(": keep-alive\n\n");
        }
      } catch {
        // The browser went away: nothing to tell.
      } finally {
        await writer.close().catch(() => {});
      }
    };
    c.executionCtx.waitUntil(pump());
    return new Response(readable, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" } });
  });

  // ---- a workload ---------------------------------------------------------------------------

  app.get("/console/clusters/:cluster/workloads/:name", async (c) => {
    const s = await session(c);
    const { cluster, name } = valid(WorkloadParams, c.req.param(), "");
    const stub = clusterStub(c.env, cluster);
    const { workload, replicas } = await unwrap(stub.getWorkload(s.address, name));
    const [history, events, logs, rollout] = await Promise.all([
      unwrap(stub.rolloutHistory(s.address, name)),
      unwrap(stub.eventsPage(s.address, { workload: name, limit: 50, waitMs: 0 })),
      unwrap(stub.logs(s.address, name, undefined, { tailBytes: 8192, previous: false, timestamps: false })),
      unwrap(stub.rolloutStatus(s.address, name)),
    ]);
    const primaries = replicas.filter((r) => r.replica_type === "primary").length;
    const base = workloadPath(cluster, name);
    const done = c.req.query("done");
    return html(
      c,
      <Layout title={name} session={s} cluster={cluster} section="workloads">
        <p><a href={clusterPath(cluster)}>{`← ${cluster}`}</a></p>
        <h1>{`Workload ${name}`}</h1>
        <Flash text={done} />
        <Kv
          rows={[
            ["Image", <code>{workload.spec.image}</code>],
            ["Version", `v${workload.version}`],
            ["Rollout", rollout.rollout ? `${rollout.rollout.status} v${rollout.rollout.from_version} → v${rollout.rollout.to_version}` : "none"],
            ["Updated", age(workload.updated_at)],
            ["Live", <span id="live-status" class="muted">static</span>],
          ]}
        />
        <h2>Replicas</h2>
        <section id="live-replicas" aria-live="polite" data-live-src={`${base}/fragments/replicas`} data-live-stream={`${clusterPath(cluster)}/stream?workload=${encodeURIComponent(name)}&after=${events.cursor}`}>
          <ReplicasTable replicas={replicas} />
        </section>
        <h2>Actions</h2>
        <p class="muted">Each action is checked against your role in this cluster (operator or above) and written to the audit log as yours, marked as made through the console.</p>
        <form method="post" action={`${base}/scale`} class="inline" data-confirm={`Scale ${name} from ${primaries} to {n} primary replicas?`} id="scale-form">
          <input type="hidden" name="csrf" value={s.csrf} />
          <label for="replicas">Primary replicas<input id="replicas" name="replicas" type="number" min="0" max="1000" required value={String(primaries)} inputmode="numeric" /></label>
          <button type="submit">Scale</button>
        </form>
        <form method="post" action={`${base}/restart`} class="inline" data-confirm={`Restart every replica of ${name}, one at a time?`}>
          <input type="hidden" name="csrf" value={s.csrf} />
          <button type="submit" class="secondary">Restart</button>
        </form>
        {history.length > 1 ? (
          <form method="post" action={`${base}/rollback`} class="inline" data-confirm={`Roll ${name} back to the chosen version?`}>
            <input type="hidden" name="csrf" value={s.csrf} />
            <label for="to_version">Roll back to<select id="to_version" name="to_version">
              {history.filter((v) => !v.current).reverse().map((v) => <option value={String(v.version)}>{`v${v.version} (${v.image})`}</option>)}
            </select></label>
            <button type="submit" class="danger">Roll back</button>
          </form>
        ) : null}
        <h2>Rollout history</h2>
        <HistoryTable versions={history} />
        <h2>Events</h2>
        <EventsList events={events.events.slice(-30)} />
        <h2>Log tail</h2>
        {logs.length ? logs.map((l) => (
          <>
            <h3 class="muted">{`${l.replica} · ${l.stream}`}</h3>
            <pre class="logs" tabindex={0}>{l.text.slice(-4000)}</pre>
          </>
        )) : <p class="muted">No output yet.</p>}
      </Layout>,
    );
  });

  /** The confirmation page a form without JavaScript lands on: the same form, confirmed. */
  const confirmPage = (c: C, s: ConsoleSession, cluster: string, name: string, action: string, question: string, fields: Record<string, string>) =>
    html(
      c,
      <Layout title="Confirm" session={s} cluster={cluster}>
        <h1>Please confirm</h1>
        <p>{question}</p>
        <form method="post" action={`${workloadPath(cluster, name)}/${action}`} class="inline">
          <input type="hidden" name="csrf" value={s.csrf} />
          <input type="hidden" name="confirm" value="yes" />
          {Object.entries(fields).map(([k, v]) => <input type="hidden" name={k} value={v} />)}
          <button type="submit">Yes, do it</button>
          <a href={workloadPath(cluster, name)}>Cancel</a>
        </form>
      </Layout>,
    );

  const Confirm = z.enum(["yes"]).optional();

  /** The confirmation page of any console form: the same form again, with confirm=yes. */
  const confirmAt = (c: C, s: ConsoleSession, cluster: string, action: string, back: string, question: string, fields: Record<string, string>) =>
    html(
      c,
      <Layout title="Confirm" session={s} cluster={cluster}>
        <h1>Please confirm</h1>
        <p>{question}</p>
        <form method="post" action={action} class="inline">
          <input type="hidden" name="csrf" value={s.csrf} />
          <input type="hidden" name="confirm" value="yes" />
          {Object.entries(fields).map(([k, v]) => <input type="hidden" name={k} value={v} />)}
          <button type="submit">Yes, do it</button>
          <a href={back}>Cancel</a>
        </form>
      </Layout>,
    );

  app.post("/console/clusters/:cluster/workloads/:name/scale", async (c) => {
    const form = await c.req.parseBody();
    const s = await requireAction(c, form.csrf);
    c.set("session", s);
    const { cluster, name } = valid(WorkloadParams, c.req.param(), "");
    const f = valid(z.object({ replicas: z.coerce.number().int().min(0).max(1000), confirm: Confirm }), { replicas: form.replicas, confirm: form.confirm }, "form");
    if (!f.confirm) return confirmPage(c, s, cluster, name, "scale", `Scale ${name} to ${f.replicas} primary replicas?`, { replicas: String(f.replicas) });
    const r = await unwrap(clusterStub(c.env, cluster).scaleWorkload(s.address, name, f.replicas, viaConsole(s)));
    return c.redirect(`${workloadPath(cluster, name)}?done=${encodeURIComponent(`Scaled ${name} to ${f.replicas} primary replicas (${r.replicas.length} replicas).`)}`, 303);
  });

  app.post("/console/clusters/:cluster/workloads/:name/restart", async (c) => {
    const form = await c.req.parseBody();
    const s = await requireAction(c, form.csrf);
    c.set("session", s);
    const { cluster, name } = valid(WorkloadParams, c.req.param(), "");
    const f = valid(z.object({ confirm: Confirm }), { confirm: form.confirm }, "form");
    if (!f.confirm) return confirmPage(c, s, cluster, name, "restart", `Restart every replica of ${name}, one at a time?`, {});
    await unwrap(clusterStub(c.env, cluster).rolloutAction(s.address, name, "restart", undefined, viaConsole(s)));
    return c.redirect(`${workloadPath(cluster, name)}?done=${encodeURIComponent(`Restarting ${name}.`)}`, 303);
  });

  app.post("/console/clusters/:cluster/workloads/:name/rollback", async (c) => {
    const form = await c.req.parseBody();
    const s = await requireAction(c, form.csrf);
    c.set("session", s);
    const { cluster, name } = valid(WorkloadParams, c.req.param(), "");
    const f = valid(z.object({ to_version: z.coerce.number().int().min(1).optional(), confirm: Confirm }), { to_version: form.to_version || undefined, confirm: form.confirm }, "form");
    if (!f.confirm) return confirmPage(c, s, cluster, name, "rollback", `Roll ${name} back${f.to_version ? ` to v${f.to_version}` : ""}?`, f.to_version ? { to_version: String(f.to_version) } : {});
    const r = await unwrap(clusterStub(c.env, cluster).rolloutAction(s.address, name, "undo", f.to_version, viaConsole(s)));
    return c.redirect(`${workloadPath(cluster, name)}?done=${encodeURIComponent(`Rolling ${name} back to v${r.version}.`)}`, 303);
  });

  // ---- receipts, blocks, audit --------------------------------------------------------------

  /** Viewer of the cluster, checked by its ClusterDO (ledger rows live in D1, outside it). */
  const viewer = async (c: C, cluster: string) => {
    const s = await session(c);
    await unwrap(clusterStub(c.env, cluster).authorize(s.address, "viewer"));
    return s;
  };

  app.get("/console/clusters/:cluster/ledger", async (c) => {
    const { cluster } = valid(Params, c.req.param(), "");
    const s = await viewer(c, cluster);
    const apps = await listApps(c.env.LEDGER, cluster);
    const app_ = c.req.query("app") ? valid(AppName, c.req.query("app"), "app") : apps[0];
    const blocks = app_ ? await listBlocks(c.env.LEDGER, cluster, app_, 1, 200) : [];
    return html(
      c,
      <Layout title="Receipts & blocks" session={s} cluster={cluster} section="ledger">
        <h1>Receipts &amp; blocks</h1>
        {apps.length ? (
          <form method="get" class="inline">
            <label for="app">App<select id="app" name="app">{apps.map((a) => <option value={a} selected={a === app_}>{a}</option>)}</select></label>
            <button type="submit">Show</button>
          </form>
        ) : <p class="muted">No sealed blocks yet.</p>}
        {app_ ? <p><a href={`${clusterPath(cluster)}/apps/${encodeURIComponent(app_)}/checkpoint`}>{`The log of ${app_}: its newest C2SP checkpoint →`}</a></p> : null}
        {blocks.length ? (
          <div class="table-wrap">
            <table id="blocks">
              <thead><tr><th scope="col">Height</th><th scope="col">Receipts</th><th scope="col">Range</th><th scope="col" class="hide-sm">Merkle root</th></tr></thead>
              <tbody>
                {[...blocks].reverse().map((b) => (
                  <tr data-height={b.height}>
                    <td><a href={`${clusterPath(cluster)}/apps/${encodeURIComponent(b.app)}/blocks/${b.height}`}>{`#${b.height}`}</a></td>
                    <td>{b.count}</td>
                    <td>{`${b.range.from_ts} – ${b.range.to_ts}`}</td>
                    <td class="hide-sm"><code>{short(b.merkle_root)}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <form method="get" action="/console/receipts" class="inline">
          <label for="hash">Find a receipt by hash<input id="hash" name="hash" required size={40} placeholder="blake3:…" autocomplete="off" /></label>
          <button type="submit">Find</button>
        </form>
      </Layout>,
    );
  });

  const BlockParams = Params.extend({ app: AppName, height: z.coerce.number().int().min(1) });

  const blockData = async (c: C) => {
    const { cluster, app: a, height } = valid(BlockParams, c.req.param(), "");
    const s = await viewer(c, cluster);
    const found = await getBlock(c.env.LEDGER, cluster, a, height);
    if (!found) fail(404, `no block ${height} of ${a}`, { field: "height" });
    const prev = height > 1 ? await getBlock(c.env.LEDGER, cluster, a, height - 1) : null;
    const receipts = await blockReceipts(c.env.LEDGER, cluster, a, height);
    return { s, cluster, app: a, height, data: { block: found.block, leaves: found.receipts, receipts, prev: prev?.block ?? null } };
  };

  app.get("/console/clusters/:cluster/apps/:app/blocks/:height/data", async (c) => c.json((await blockData(c)).data));

  app.get("/console/clusters/:cluster/apps/:app/blocks/:height", async (c) => {
    const { s, cluster, app: a, height, data } = await blockData(c);
    const b = data.block;
    return html(
      c,
      <Layout title={`Block ${a} #${height}`} session={s} cluster={cluster} section="ledger">
        <p><a href={`${clusterPath(cluster)}/ledger?app=${encodeURIComponent(a)}`}>{`← blocks of ${a}`}</a></p>
        <h1>{`Block ${a} #${height}`}</h1>
        <Kv rows={[["Receipts", String(b.count)], ["Range", `${b.range.from_ts} – ${b.range.to_ts}`], ["Previous", <code>{b.prev}</code>], ["Merkle root", <code>{b.merkle_root}</code>], ["Notary", <code>{b.notary}</code>], ["Signature", <code>{short(b.sig_notary)}</code>]]} />
        <p><a href={`${clusterPath(cluster)}/apps/${encodeURIComponent(a)}/checkpoint`}>{`The app log's newest checkpoint (C2SP) →`}</a></p>
        <VerifyBox kind="block" what="this block" src={`${clusterPath(cluster)}/apps/${encodeURIComponent(a)}/blocks/${height}/data`} />
        <h2>Receipts</h2>
        <ol>{data.leaves.map((h) => <li><a href={`/console/receipts/${h}`}><code>{h}</code></a></li>)}</ol>
      </Layout>,
    );
  });

  const receiptData = async (c: C, hash: string) => {
    const found = await getReceipt(c.env.LEDGER, hash);
    if (!found) fail(404, `no receipt ${hash}`, { field: "hash" });
    const s = await viewer(c, found.cluster).catch((e: unknown) => {
      // A stranger learns nothing about receipts of clusters they are not in.
      if (e instanceof ProblemException && e.problem.status === 404) fail(404, `no receipt ${hash}`, { field: "hash" });
      throw e;
    });
    if (found.height == null || found.leafIndex == null) return { s, found, data: { receipt: found.receipt, inclusion: null, block: null } };
    const leaves = await blockLeaves(c.env.LEDGER, found.cluster, found.app, found.height);
    const block = (await getBlock(c.env.LEDGER, found.cluster, found.app, found.height))?.block ?? null;
    const path = inclusionPath(leaves.map(textToHash), found.leafIndex).map(hashToText);
    const inclusion = { cluster: found.cluster, app: found.app, height: found.height, leaf_index: found.leafIndex, tree_size: leaves.length, path };
    return { s, found, data: { receipt: found.receipt, inclusion, block } };
  };

  app.get("/console/receipts", (c) => c.redirect(`/console/receipts/${valid(HashText, (c.req.query("hash") ?? "").trim(), "hash")}`, 303));
  app.get("/console/receipts/:hash/data", async (c) => c.json((await receiptData(c, valid(HashText, c.req.param("hash"), "hash"))).data));
  app.get("/console/receipts/:hash", async (c) => {
    const hash = valid(HashText, c.req.param("hash"), "hash");
    const { s, found, data } = await receiptData(c, hash);
    const r = data.receipt;
    return html(
      c,
      <Layout title="Receipt" session={s} cluster={found.cluster} section="ledger">
        <h1>Receipt</h1>
        <Kv
          rows={[
            ["Hash", <code>{hash}</code>],
            ["App", r.app],
            ["Operation", r.op],
            ["Container", <code>{r.container}</code>],
            ["Node", <code>{r.node}</code>],
            ["Time", r.ts],
            ["Block", found.height != null ? <a href={`${clusterPath(found.cluster)}/apps/${encodeURIComponent(found.app)}/blocks/${found.height}`}>{`#${found.height}, leaf ${found.leafIndex}`}</a> : "pending (not sealed yet)"],
          ]}
        />
        <VerifyBox kind="receipt" what="this receipt and its inclusion proof" src={`/console/receipts/${hash}/data`} />
      </Layout>,
    );
  });

  const AuditQuery = z.object({ from: z.coerce.number().int().min(1).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) });

  const auditData = async (c: C) => {
    const { cluster } = valid(Params, c.req.param(), "");
    const q = valid(AuditQuery, c.req.query(), "query");
    const s = await viewer(c, cluster);
    // auditHead flushes the ClusterDO's outbox first: the read barrier for the D1 rows below.
    const head = (await unwrap(clusterStub(c.env, cluster).auditHead(s.address))) as ChainHead;
    const from = q.from ?? Math.max(1, head.size - q.limit + 1);
    const entries = await listAudit(c.env.LEDGER, cluster, from, q.limit);
    const prev = from > 1 ? ((await listAudit(c.env.LEDGER, cluster, from - 1, 1))[0] ?? null) : null;
    return { s, cluster, from, limit: q.limit, size: head.size, data: { entries, prev } };
  };

  app.get("/console/clusters/:cluster/audit/data", async (c) => c.json((await auditData(c)).data));
  app.get("/console/clusters/:cluster/audit", async (c) => {
    const { s, cluster, from, limit, size, data } = await auditData(c);
    return html(
      c,
      <Layout title="Audit log" session={s} cluster={cluster} section="audit">
        <h1>Audit log</h1>
        <p><a href={`${clusterPath(cluster)}/audit/checkpoint`}>The audit log's newest checkpoint (C2SP) →</a></p>
        <p>{`Entries ${from}–${from + data.entries.length - 1} of ${size}.`} {from > 1 ? <a href={`?from=${Math.max(1, from - limit)}&limit=${limit}`}>Older</a> : null}{" "}
          {from + limit <= size ? <a href={`?from=${from + limit}&limit=${limit}`}>Newer</a> : null}</p>
        <VerifyBox kind="audit" what="these entries" src={`${clusterPath(cluster)}/audit/data?from=${from}&limit=${limit}`} />
        <div class="table-wrap">
          <table id="audit">
            <thead><tr><th scope="col">Seq</th><th scope="col">When</th><th scope="col">Event</th><th scope="col">Actor</th><th scope="col">Subject</th><th scope="col">Via</th></tr></thead>
            <tbody>
              {[...data.entries].reverse().map((e) => (
                <tr data-seq={e.seq}>
                  <td>{e.seq}</td>
                  <td>{e.ts}</td>
                  <td>{e.event}</td>
                  <td><code title={e.actor}>{short(e.actor)}</code></td>
                  <td><code>{short(e.subject)}</code></td>
                  <td>{typeof e.details.via === "string" ? e.details.via : "api"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Layout>,
    );
  });

  // ---- checkpoints (C2SP) -------------------------------------------------------------------

  const AppLogParams = Params.extend({ app: AppName });

  /**
   * A log's newest checkpoint: the page shows the signed note as served; the script re-reads it
   * from the public C2SP endpoints and checks it against /v1/keys and the tiles (viewer-checked
   * here, since a cluster without public_log serves its tiles only to signed viewers).
   */
  const checkpointOf = async (c: C, log: "app" | "audit") => {
    const { cluster, app: a } = log === "app" ? valid(AppLogParams, c.req.param(), "") : { ...valid(Params, c.req.param(), ""), app: undefined };
    const s = await viewer(c, cluster);
    const api = a ? `/v1/clusters/${encodeURIComponent(cluster)}/apps/${encodeURIComponent(a)}/log/` : `/v1/clusters/${encodeURIComponent(cluster)}/audit/log/`;
    const mine = a ? `${clusterPath(cluster)}/apps/${encodeURIComponent(a)}` : `${clusterPath(cluster)}/audit`;
    let note: string | null;
    let info: { origin: string; vkey: string; size: number };
    let block: { block: unknown; leaves: string[] } | null = null;
    if (a) {
      const notary = notaryStub(c.env, cluster, a);
      note = (await notary.logCheckpoint())?.note ?? null;
      info = await unwrap(notary.logInfo());
      const height = await latestBlockHeight(c.env.LEDGER, cluster, a);
      const found = height ? await getBlock(c.env.LEDGER, cluster, a, height) : null;
      block = found ? { block: found.block, leaves: found.receipts } : null;
    } else {
      const stub = clusterStub(c.env, cluster);
      note = (await unwrap(stub.auditLogCheckpoint())).note;
      info = await unwrap(stub.auditLogInfo());
    }
    const data = {
      signer: a ? "notary" : "control_plane",
      entries: a ? "receipt" : "audit",
      info_url: api,
      checkpoint_url: `${api}checkpoint`,
      tile_base: `${mine}/log/`,
      block,
    };
    return { s, cluster, app: a, note, info, data, mine };
  };

  const checkpointPage = async (c: C, log: "app" | "audit") => {
    const { s, cluster, app: a, note, info, mine } = await checkpointOf(c, log);
    const what = a ? `the log of ${a}` : "the audit log";
    return html(
      c,
      <Layout title={`Checkpoint of ${what}`} session={s} cluster={cluster} section={a ? "ledger" : "audit"}>
        <p><a href={a ? `${clusterPath(cluster)}/ledger?app=${encodeURIComponent(a)}` : `${clusterPath(cluster)}/audit`}>{a ? `← blocks of ${a}` : "← audit log"}</a></p>
        <h1>{`Checkpoint of ${what}`}</h1>
        <Kv rows={[["Origin", <code>{info.origin}</code>], ["Verifier key", <code id="vkey">{info.vkey}</code>], ["Size", String(info.size)]]} />
        {note ? (
          <>
            <h2>The signed note</h2>
            <pre class="logs" id="note" tabindex={0}>{note}</pre>
            <VerifyBox kind="checkpoint" what="this checkpoint" src={`${mine}/checkpoint/data`} />
          </>
        ) : (
          <p class="muted" id="note-none">No checkpoint yet: nothing has been sealed into this log.</p>
        )}
      </Layout>,
    );
  };

  const tileOf = async (c: C, log: "app" | "audit") => {
    const { cluster, app: a } = log === "app" ? valid(AppLogParams, c.req.param(), "") : { ...valid(Params, c.req.param(), ""), app: undefined };
    await viewer(c, cluster);
    const p = new URL(c.req.url).pathname;
    const tile = p.slice(p.indexOf("/log/tile/") + "/log/".length);
    const t = await unwrap(a ? notaryStub(c.env, cluster, a).logTile(tile) : clusterStub(c.env, cluster).auditLogTile(tile));
    return c.body(t.bytes as Uint8Array<ArrayBuffer>, 200, { "content-type": "application/octet-stream", "cache-control": t.full ? "private, max-age=31536000, immutable" : "private, max-age=60" });
  };

  app.get("/console/clusters/:cluster/apps/:app/checkpoint", (c) => checkpointPage(c, "app"));
  app.get("/console/clusters/:cluster/apps/:app/checkpoint/data", async (c) => c.json((await checkpointOf(c, "app")).data));
  app.get("/console/clusters/:cluster/apps/:app/log/tile/*", (c) => tileOf(c, "app"));
  app.get("/console/clusters/:cluster/audit/checkpoint", (c) => checkpointPage(c, "audit"));
  app.get("/console/clusters/:cluster/audit/checkpoint/data", async (c) => c.json((await checkpointOf(c, "audit")).data));
  app.get("/console/clusters/:cluster/audit/log/tile/*", (c) => tileOf(c, "audit"));

  // ---- agreements -----------------------------------------------------------------------------

  app.get("/console/clusters/:cluster/agreements", async (c) => {
    const s = await session(c);
    const { cluster } = valid(Params, c.req.param(), "");
    const list = await unwrap(clusterStub(c.env, cluster).listAgreements(s.address));
    return html(
      c,
      <Layout title="Agreements" session={s} cluster={cluster} section="agreements">
        <h1>Agreements</h1>
        {list.length ? (
          <div class="table-wrap">
            <table id="agreements">
              <thead><tr><th scope="col">Agreement</th><th scope="col">Type</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col" class="hide-sm">Workloads</th><th scope="col" class="hide-sm">Updated</th></tr></thead>
              <tbody>
                {list.map((a) => (
                  <tr data-agreement={a.name}>
                    <td><a href={`${clusterPath(cluster)}/agreements/${encodeURIComponent(a.name)}`}>{a.name}</a></td>
                    <td>{a.type}</td>
                    <td>{`v${a.version}`}</td>
                    <td><Light state={a.status} /></td>
                    <td class="hide-sm">{a.workloads.join(", ")}</td>
                    <td class="hide-sm">{age(a.updated_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">No agreements yet. Apply one with <code>enc agreement apply -f FILE</code>.</p>
        )}
      </Layout>,
    );
  });

  app.get("/console/clusters/:cluster/agreements/:name", async (c) => {
    const s = await session(c);
    const { cluster, name } = valid(WorkloadParams, c.req.param(), "");
    const stub = clusterStub(c.env, cluster);
    const [view, versions] = (await Promise.all([unwrap(stub.getAgreement(s.address, name)), unwrap(stub.agreementHistory(s.address, name))])) as [AgreementView, AgreementVersion[]];
    // A CueCage job's verdict: decided now if every run has ended (as GET …/verdict does).
    const job = view.type === "cue-cage" ? await stub.cageJob(s.address, name) : undefined;
    const cage = job?.ok ? ((await settleCageJob(c.env, cluster, job.value.workload)) ?? job.value) : view.cage;
    return html(
      c,
      <Layout title={`Agreement ${name}`} session={s} cluster={cluster} section="agreements">
        <p><a href={`${clusterPath(cluster)}/agreements`}>← agreements</a></p>
        <h1>{`Agreement ${name}`}</h1>
        <Kv
          rows={[
            ["Type", view.type],
            ["Version", `v${view.version}`],
            ["Hash", <code>{view.hash}</code>],
            ["Status", <Light state={view.status} />],
            ["Workloads", view.workloads.length ? <>{view.workloads.map((w, i) => <>{i ? ", " : ""}<a href={workloadPath(cluster, w)}>{w}</a></>)}</> : "none"],
            ["By", <code title={view.created_by}>{short(view.created_by)}</code>],
          ]}
        />
        {cage ? (
          <>
            <h2>CueCage verdict</h2>
            <p id="cage-verdict">
              <Light state={cage.verdict?.status ?? "pending"} />
              {` ${cage.verdict?.reason ?? "no run has ended yet"} · ${cage.nodes} node(s), workload ${cage.workload} v${cage.spec_version}`}
            </p>
            {cage.verdict?.runs.length ? <pre class="logs" tabindex={0}>{JSON.stringify(cage.verdict.runs, null, 2)}</pre> : null}
          </>
        ) : null}
        <h2>Versions</h2>
        <div class="table-wrap">
          <table id="agreement-versions">
            <thead><tr><th scope="col">Version</th><th scope="col">When</th><th scope="col" class="hide-sm">By</th><th scope="col">Cause</th><th scope="col">Hash</th></tr></thead>
            <tbody>
              {[...versions].reverse().map((v) => (
                <tr>
                  <td>{`v${v.version}${v.current ? " (current)" : ""}`}</td>
                  <td>{age(v.created_at)}</td>
                  <td class="hide-sm"><code title={v.author}>{short(v.author)}</code></td>
                  <td>{v.cause}</td>
                  <td><code>{short(v.hash)}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <h2>Current document</h2>
        <pre class="logs" id="agreement-document" tabindex={0}>{JSON.stringify(view.documents.length === 1 ? view.documents[0] : view.documents, null, 2)}</pre>
        <h2>Compiled workloads</h2>
        <pre class="logs" tabindex={0}>{JSON.stringify(view.compiled.workloads.map((w) => ({ name: w.name, image: w.image, replicas: w.replicas })), null, 2)}</pre>
      </Layout>,
    );
  });

  // ---- policies -------------------------------------------------------------------------------

  app.get("/console/clusters/:cluster/policies", async (c) => {
    const s = await session(c);
    const { cluster } = valid(Params, c.req.param(), "");
    const list = await unwrap(clusterStub(c.env, cluster).listPolicies(s.address));
    return html(
      c,
      <Layout title="Policies" session={s} cluster={cluster} section="policies">
        <h1>Policies</h1>
        {list.length ? (
          <div class="table-wrap">
            <table id="policies">
              <thead><tr><th scope="col">Policy</th><th scope="col">Action</th><th scope="col">Applies to</th><th scope="col" class="hide-sm">Expression</th></tr></thead>
              <tbody>
                {list.map((p) => (
                  <tr data-policy={p.name}>
                    <td><a href={`${clusterPath(cluster)}/policies/${encodeURIComponent(p.name)}`}>{p.name}</a></td>
                    <td>{p.action}</td>
                    <td>{p.match.join(", ")}</td>
                    <td class="hide-sm"><code>{p.expr.length > 80 ? `${p.expr.slice(0, 80)}…` : p.expr}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">No policies. Add one with <code>enc policy add NAME --expr CEL --action deny</code>.</p>
        )}
      </Layout>,
    );
  });

  /** How far back a policy's page looks for its decisions (the newest audit entries). */
  const DECISION_SCAN = 500;

  app.get("/console/clusters/:cluster/policies/:name", async (c) => {
    const s = await session(c);
    const { cluster, name } = valid(Params.extend({ name: PolicyName }), c.req.param(), "");
    const stub = clusterStub(c.env, cluster);
    const policy = await unwrap(stub.getPolicy(s.address, name));
    const head = (await unwrap(stub.auditHead(s.address))) as ChainHead; // also the D1 read barrier
    const recent = await listAudit(c.env.LEDGER, cluster, Math.max(1, head.size - DECISION_SCAN + 1), DECISION_SCAN);
    const decisions = recent.filter((e) => e.event === "PolicyDecision" && e.details.policy === name).slice(-20).reverse();
    return html(
      c,
      <Layout title={`Policy ${name}`} session={s} cluster={cluster} section="policies">
        <p><a href={`${clusterPath(cluster)}/policies`}>← policies</a></p>
        <h1>{`Policy ${name}`}</h1>
        <Kv
          rows={[
            ["Action", <strong>{policy.action}</strong>],
            ["Applies to", policy.match.join(", ")],
            ["Message", policy.message],
            ["Hash", <code>{policy.hash}</code>],
            ["By", <code title={policy.created_by}>{short(policy.created_by)}</code>],
          ]}
        />
        <h2>Expression (CEL)</h2>
        <pre class="logs" id="policy-expr" tabindex={0}>{policy.expr}</pre>
        <h2>Recent decisions</h2>
        {decisions.length ? (
          <div class="table-wrap">
            <table id="decisions">
              <thead><tr><th scope="col">Seq</th><th scope="col">When</th><th scope="col">Change</th><th scope="col">Subject</th><th scope="col">Result</th><th scope="col" class="hide-sm">By</th></tr></thead>
              <tbody>
                {decisions.map((e) => (
                  <tr data-seq={e.seq} data-result={String(e.details.result)}>
                    <td><a href={`${clusterPath(cluster)}/audit?from=${e.seq}&limit=1`}>{e.seq}</a></td>
                    <td>{age(e.ts)}</td>
                    <td>{String(e.details.action)}</td>
                    <td>{e.subject}</td>
                    <td><strong>{String(e.details.result)}</strong>{e.details.error ? ` (${String(e.details.error)})` : ""}</td>
                    <td class="hide-sm"><code title={e.actor}>{short(e.actor)}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">{`No decision of ${name} among the newest ${DECISION_SCAN} audit entries.`}</p>
        )}
      </Layout>,
    );
  });

  // ---- pipelines ------------------------------------------------------------------------------

  const PipelineParams = Params.extend({ pipeline: PipelineName });
  const pipelinePath = (cluster: string, p: string) => `${clusterPath(cluster)}/pipelines/${encodeURIComponent(p)}`;

  app.get("/console/clusters/:cluster/pipelines", async (c) => {
    const s = await session(c);
    const { cluster } = valid(Params, c.req.param(), "");
    const list = await unwrap(clusterStub(c.env, cluster).listPipelines(s.address));
    return html(
      c,
      <Layout title="Pipelines" session={s} cluster={cluster} section="pipelines">
        <h1>Pipelines</h1>
        {list.length ? (
          <div class="table-wrap">
            <table id="pipelines">
              <thead><tr><th scope="col">Pipeline</th><th scope="col">Stages</th><th scope="col">Approvals</th><th scope="col">Latest promotion</th></tr></thead>
              <tbody>
                {list.map((p) => {
                  const last = p.promotions.at(-1);
                  return (
                    <tr data-pipeline={p.name}>
                      <td><a href={pipelinePath(cluster, p.name)}>{p.name}</a></td>
                      <td>{p.stages.map((st) => st.name).join(" → ")}</td>
                      <td>{`${p.gates.approvals.count} × ${p.gates.approvals.role}`}</td>
                      <td>{last ? <><Light state={last.state} />{` ${last.from} → ${last.to}, ${age(last.created_at)}`}</> : "none"}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : (
          <p class="muted">No pipelines. Create one with <code>enc pipeline create -f FILE</code>.</p>
        )}
      </Layout>,
    );
  });

  app.get("/console/clusters/:cluster/pipelines/:pipeline", async (c) => {
    const s = await session(c);
    const { cluster, pipeline } = valid(PipelineParams, c.req.param(), "");
    const p = await unwrap(clusterStub(c.env, cluster).pipelineStatus(s.address, pipeline));
    const base = pipelinePath(cluster, pipeline);
    return html(
      c,
      <Layout title={`Pipeline ${pipeline}`} session={s} cluster={cluster} section="pipelines">
        <p><a href={`${clusterPath(cluster)}/pipelines`}>← pipelines</a></p>
        <h1>{`Pipeline ${pipeline}`}</h1>
        <Flash text={c.req.query("done")} />
        {c.req.query("refused") ? <p class="flash problem" role="alert" id="refused">{`Refused: ${c.req.query("refused")}`}</p> : null}
        <Kv
          rows={[
            ["Stages", p.stages.map((st) => `${st.name} (${st.workloads.join(", ")})`).join(" → ")],
            ["Approvals", `${p.gates.approvals.count} by distinct wallets holding ${p.gates.approvals.role} or above, never the promotion's author`],
            ["Health gate", `healthy for ${p.gates.healthy_for_s} s within ${p.gates.verify_timeout_s} s${p.gates.replay_match ? "; replays must match" : ""}`],
          ]}
        />
        <h2>Promotions</h2>
        {p.promotions.length === 0 ? <p class="muted">None yet. Ask for one with <code>{`enc pipeline promote ${pipeline}`}</code>.</p> : null}
        {[...p.promotions].reverse().map((pr) => (
          <section class="verify" data-promotion={pr.id} data-state={pr.state} aria-labelledby={`h-${pr.id}`}>
            <h3 id={`h-${pr.id}`}>{`${pr.from} → ${pr.to} `}<Light state={pr.state} /></h3>
            <Kv
              rows={[
                ["Promotion", <code>{pr.id}</code>],
                ["Requested", <>{`${age(pr.created_at)} by `}<code title={pr.author}>{short(pr.author)}</code>{pr.author === s.address ? " (you)" : ""}</>],
                ["Changes", pr.changes.map((ch) => `${ch.target} ← ${ch.image}`).join("; ")],
                ["Gates", <ul class="gates">{pr.gates.map((g) => <li data-gate={g.gate}>{`${g.gate.replace(/_/g, " ")} `}<Light state={g.state} detail={g.detail} />{` ${g.detail}`}</li>)}</ul>],
                ["Decisions", pr.approvals.length ? pr.approvals.map((a) => `${a.decision} by ${short(a.approver)} (audit #${a.audit_seq})`).join("; ") : "none yet"],
              ]}
            />
            {pr.state === "awaiting_approval" ? (
              <>
                {pr.author === s.address ? <p class="warn" data-own-promotion>You requested this promotion: under dual control the control plane refuses its author's approval. Another person must decide.</p> : null}
                {(["approve", "reject"] as const).map((d) => (
                  <form method="post" action={`${base}/promotions/${pr.id}/${d}`} class="inline" data-confirm={`${d === "approve" ? "Approve" : "Reject"} promotion ${pr.id} (${pr.from} → ${pr.to}) as ${short(s.address)}?`} data-decision={d}>
                    <input type="hidden" name="csrf" value={s.csrf} />
                    <label for={`comment-${pr.id}-${d}`}>{`Comment (${d})`}<input id={`comment-${pr.id}-${d}`} name="comment" maxlength={1000} autocomplete="off" /></label>
                    <button type="submit" class={d === "reject" ? "danger" : undefined}>{d === "approve" ? "Approve" : "Reject"}</button>
                  </form>
                ))}
              </>
            ) : null}
          </section>
        ))}
      </Layout>,
    );
  });

  app.post("/console/clusters/:cluster/pipelines/:pipeline/promotions/:id/:decision", async (c) => {
    const form = await c.req.parseBody();
    const s = await requireAction(c, form.csrf);
    c.set("session", s);
    const { cluster, pipeline, id, decision } = valid(PipelineParams.extend({ id: z.string().regex(/^pr-[0-9a-f]{12}$/), decision: z.enum(["approve", "reject"]) }), c.req.param(), "");
    const f = valid(z.object({ comment: z.string().max(1000).optional(), confirm: Confirm }), { comment: form.comment || undefined, confirm: form.confirm }, "form");
    const base = pipelinePath(cluster, pipeline);
    if (!f.confirm) return confirmAt(c, s, cluster, `${base}/promotions/${id}/${decision}`, base, `${decision === "approve" ? "Approve" : "Reject"} promotion ${id} of ${pipeline}?`, f.comment ? { comment: f.comment } : {});
    // No RFC 9421 signature exists for a console decision: the entry says so (empty signature),
    // names the session it came through, and the actor is the session's wallet.
    const signed: RequestSignature = { keyid: s.address, method: "POST", target_uri: c.req.url, signature_input: "", signature: "", content_digest: null };
    const r = await clusterStub(c.env, cluster).decidePromotion(s.address, pipeline, id, decision, signed, f.comment, viaConsole(s));
    if (!r.ok) {
      const p = (r as unknown as { problem: Problem }).problem;
      // A refusal a person can act on (dual control, role, already decided): shown on the pipeline's page.
      if ([403, 409].includes(p.status) && (c.req.header("accept") ?? "").includes("text/html")) return c.redirect(`${base}?refused=${encodeURIComponent(p.detail ?? p.title)}`, 303);
      throw new ProblemException(p);
    }
    return c.redirect(`${base}?done=${encodeURIComponent(`${decision === "approve" ? "Approved" : "Rejected"} promotion ${id}: it is now ${r.value.state.replace(/_/g, " ")}.`)}`, 303);
  });

  // ---- compliance -----------------------------------------------------------------------------

  const ComplianceQuery = z.object({
    framework: Framework.optional(),
    from: z.union([z.literal(""), z.iso.date()]).optional(),
    to: z.union([z.literal(""), z.iso.date()]).optional(),
  });

  app.get("/console/clusters/:cluster/compliance", async (c) => {
    const s = await session(c);
    const { cluster } = valid(Params, c.req.param(), "");
    const q = valid(ComplianceQuery, c.req.query(), "query");
    const from = q.from ? `${q.from}T00:00:00.000Z` : undefined;
    const to = q.to ? `${q.to}T23:59:59.999Z` : undefined;
    if (from && to && from > to) fail(400, "query.to: the period ends before it starts", { field: "query.to" });
    const report = q.framework ? ((await unwrap(clusterStub(c.env, cluster).complianceReport(s.address, q.framework, from, to))) as ComplianceReport) : undefined;
    return html(
      c,
      <Layout title="Compliance evidence" session={s} cluster={cluster} section="compliance">
        <h1>Compliance evidence</h1>
        <p class="muted">Evidence computed from the audit chain and signed by the control plane: what the ledger shows and its gaps, never a verdict of conformance.</p>
        <form method="get" class="inline" id="report-form">
          <label for="framework">Framework<select id="framework" name="framework" required>
            {Framework.options.map((f) => <option value={f} selected={f === q.framework}>{f}</option>)}
          </select></label>
          <label for="from">From (UTC date)<input id="from" name="from" type="date" value={q.from ?? ""} /></label>
          <label for="to">To (UTC date)<input id="to" name="to" type="date" value={q.to ?? ""} /></label>
          <button type="submit">Generate</button>
        </form>
        {report ? (
          <>
            <h2>{`${report.framework} evidence for ${report.cluster}`}</h2>
            <Kv
              rows={[
                ["Period", `${report.period.from ?? "the beginning"} – ${report.period.to ?? "now"}`],
                ["Generated", report.generated_at],
                ["Entries in period", String(report.ledger.entries_in_period)],
                ["Audit head", `size ${report.ledger.head.size}, ${short(report.ledger.head.head_hash)}`],
                ["Checkpoints", report.transparency.checkpoints],
                ["Witnesses", report.transparency.witnesses],
                ["Signed by", <code>{report.signer}</code>],
              ]}
            />
            <VerifyBox kind="report" what="this report's signature" src="" inline="report-json" />
            <div class="table-wrap">
              <table id="controls">
                <thead><tr><th scope="col">Control</th><th scope="col">Evidence</th><th scope="col">Gaps</th></tr></thead>
                <tbody>
                  {report.controls.map((ctl) => (
                    <tr data-control={ctl.id}>
                      <td><strong>{ctl.id}</strong> {ctl.title}</td>
                      <td><ul>{ctl.evidence.map((e) => <li>{`${e.count} · ${e.what}`}{e.examples.length ? ` (e.g. #${e.examples.map((x) => x.seq).join(", #")})` : ""}</li>)}</ul></td>
                      <td>{ctl.gaps.length ? <ul class="warn">{ctl.gaps.map((g) => <li>{g}</li>)}</ul> : "none"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <script type="application/json" id="report-json">{raw(JSON.stringify(report).replace(/</g, "\\u003c"))}</script>
          </>
        ) : null}
      </Layout>,
    );
  });

  // ---- names ----------------------------------------------------------------------------------

  app.get("/console/names", async (c) => {
    const s = await session(c);
    const q = valid(z.object({ host: z.string().max(253).optional(), did: z.string().max(2048).optional() }), c.req.query(), "query");
    const lookup = async (path: string) => {
      const r = await api.fetch(new Request(new URL(path, c.req.url)), c.env);
      return { status: r.status, body: (await r.json()) as Record<string, unknown> };
    };
    const host = q.host ? await lookup(`/v1/registry/httpcg/${encodeURIComponent(q.host)}`) : undefined;
    const did = q.did ? await lookup(`/v1/dids/${encodeURIComponent(q.did).replace(/%3A/gi, ":")}`) : undefined;
    const Answer = ({ a }: { a?: { status: number; body: Record<string, unknown> } }) =>
      a ? (
        a.status === 200 ? <pre class="logs" tabindex={0}>{JSON.stringify(a.body, null, 2)}</pre> : <p class="flash problem" role="alert">{String(a.body.detail ?? `answered ${a.status}`)}</p>
      ) : null;
    return html(
      c,
      <Layout title="Names" session={s} section="names">
        <h1>Names</h1>
        <h2>httpcg:// registry</h2>
        <form method="get" class="inline">
          <label for="host">Host<input id="host" name="host" value={q.host ?? ""} placeholder="app.example.com" autocomplete="off" /></label>
          <button type="submit">Look up</button>
        </form>
        <Answer a={host} />
        <h2>DIDs</h2>
        <form method="get" class="inline">
          <label for="did">DID<input id="did" name="did" value={q.did ?? ""} placeholder="did:bpi:…" size={40} autocomplete="off" /></label>
          <button type="submit">Resolve</button>
        </form>
        <Answer a={did} />
      </Layout>,
    );
  });

  return app;
}

