/** @jsxImportSource hono/jsx */
// The console's pages, rendered on the server (Hono JSX escapes every value). Read pages are
// complete HTML without JavaScript; /console/static/console.js only adds live refresh, in-browser
// verification and confirmation dialogs.
import type { Child, FC } from "hono/jsx";
import type { Node } from "../../protocol/api/node.ts";
import type { Replica, WorkloadVersion, WorkloadView } from "../../protocol/api/workload.ts";
import type { ClusterEvent } from "../../protocol/api/events.ts";
import type { ConsoleSession } from "./session.ts";

export type Section = "clusters" | "overview" | "workloads" | "ledger" | "audit" | "names" | "agreements" | "policies" | "pipelines" | "compliance";

export const Layout: FC<{ title: string; session?: ConsoleSession; cluster?: string; section?: Section; children?: Child }> = ({ title, session, cluster, section, children }) => {
  const here = (s: Section) => (s === section ? { "aria-current": "page" as const } : {});
  const c = cluster ? `/console/clusters/${encodeURIComponent(cluster)}` : undefined;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ENC console`}</title>
        <link rel="stylesheet" href="/console/static/console.css" />
        <script src="/console/static/console.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header>
          <a class="brand" href="/console/">ENC console</a>
          {session ? (
            <nav aria-label="Main">
              <ul>
                <li><a href="/console/" {...here("clusters")}>Clusters</a></li>
                {c ? (
                  <>
                    <li><a href={c} {...here("overview")}>Overview</a></li>
                    <li><a href={`${c}/ledger`} {...here("ledger")}>Receipts &amp; blocks</a></li>
                    <li><a href={`${c}/audit`} {...here("audit")}>Audit log</a></li>
                    <li><a href={`${c}/agreements`} {...here("agreements")}>Agreements</a></li>
                    <li><a href={`${c}/policies`} {...here("policies")}>Policies</a></li>
                    <li><a href={`${c}/pipelines`} {...here("pipelines")}>Pipelines</a></li>
                    <li><a href={`${c}/compliance`} {...here("compliance")}>Compliance</a></li>
                  </>
                ) : null}
                <li><a href="/console/names" {...here("names")}>Names</a></li>
              </ul>
            </nav>
          ) : null}
          {session ? (
            <div class="who">
              <span>
                Signed in as <code title={session.address}>{short(session.address)}</code>
              </span>
              <form method="post" action="/console/logout" class="inline">
                <input type="hidden" name="csrf" value={session.csrf} />
                <button class="secondary" type="submit">Sign out</button>
              </form>
            </div>
          ) : null}
        </header>
        <main id="main">{children}</main>
        <dialog id="confirm-dialog" aria-labelledby="confirm-title">
          <form method="dialog">
            <h2 id="confirm-title">Please confirm</h2>
            <p data-confirm-text></p>
            <button value="yes" type="submit" id="confirm-yes">Yes, do it</button> <button value="no" class="secondary" type="submit" autofocus>Cancel</button>
          </form>
        </dialog>
      </body>
    </html>
  );
};

export const short = (s: string) => (s.length > 20 ? `${s.slice(0, 10)}…${s.slice(-6)}` : s);

export function age(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  return s < 120 ? `${s} s ago` : s < 7200 ? `${Math.round(s / 60)} min ago` : `${Math.round(s / 3600)} h ago`;
}

export const Status: FC<{ status: string }> = ({ status }) => <span class={`pill st-${status}`}>{status}</span>;

/** An inline SVG sparkline of `values` (no script, no external image). */
export const Sparkline: FC<{ values: number[]; label: string }> = ({ values, label }) => {
  const w = 160;
  const h = 36;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(h - 2 - (v / max) * (h - 4)).toFixed(1)}`).join(" ");
  return (
    <svg class="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={`${label}: ${values.join(", ")}`}>
      <title>{`${label}: ${values.join(", ")}`}</title>
      <polyline points={pts} />
    </svg>
  );
};

export const Flash: FC<{ text?: string; problem?: boolean }> = ({ text, problem }) =>
  text ? (
    <p class={problem ? "flash problem" : "flash"} role="status" id="flash">
      {text}
    </p>
  ) : null;

export const ReplicasTable: FC<{ replicas: Replica[]; withWorkload?: string }> = ({ replicas }) => (
  <div class="table-wrap">
    <table>
      <caption class="muted" style="text-align:left">{`${replicas.length} replica${replicas.length === 1 ? "" : "s"}`}</caption>
      <thead>
        <tr><th scope="col">Replica</th><th scope="col">Status</th><th scope="col" class="hide-sm">Node</th><th scope="col">Version</th><th scope="col" class="hide-sm">Restarts</th><th scope="col">Reason</th></tr>
      </thead>
      <tbody>
        {replicas.map((r) => (
          <tr data-replica={r.id} data-status={r.status}>
            <td><code>{r.id}</code></td>
            <td><Status status={r.status} /></td>
            <td class="hide-sm"><code title={r.node ?? ""}>{r.node ? short(r.node) : "—"}</code></td>
            <td>v{r.spec_version}</td>
            <td class="hide-sm">{r.restarts}</td>
            <td>{r.backoff ? `${r.backoff.state}: ${r.backoff.reason}` : (r.reason ?? "")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

export const WorkloadsTable: FC<{ cluster: string; workloads: { workload: WorkloadView; replicas: Replica[] }[] }> = ({ cluster, workloads }) =>
  workloads.length === 0 ? (
    <p class="muted">No workloads yet. Deploy one with <code>enc deploy NAME IMAGE</code>.</p>
  ) : (
    <div class="table-wrap">
      <table id="workloads">
        <thead>
          <tr><th scope="col">Workload</th><th scope="col">Ready</th><th scope="col">Replicas</th><th scope="col" class="hide-sm">Image</th><th scope="col">Version</th></tr>
        </thead>
        <tbody>
          {workloads.map(({ workload, replicas }) => {
            const running = replicas.filter((r) => r.status === "running").length;
            return (
              <tr data-workload={workload.spec.name} data-running={running} data-replicas={replicas.length}>
                <td><a href={`/console/clusters/${encodeURIComponent(cluster)}/workloads/${encodeURIComponent(workload.spec.name)}`}>{workload.spec.name}</a></td>
                <td>{`${running}/${replicas.length}`}</td>
                <td>{replicas.map((r) => <Status status={r.status} />)}</td>
                <td class="hide-sm"><code>{workload.spec.image}</code></td>
                <td>v{workload.version}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );

export const NodesTable: FC<{ nodes: Node[]; now: number }> = ({ nodes, now }) =>
  nodes.length === 0 ? (
    <p class="muted">No nodes yet. Issue a join token with <code>enc token create</code> and run <code>enc-agent join</code>.</p>
  ) : (
    <div class="table-wrap">
      <table id="nodes">
        <thead>
          <tr><th scope="col">Node</th><th scope="col">Status</th><th scope="col">Capacity</th><th scope="col">Heartbeat</th><th scope="col" class="hide-sm">Zone</th></tr>
        </thead>
        <tbody>
          {nodes.map((n) => (
            <tr data-node={n.address}>
              <td><code title={n.address}>{short(n.address)}</code></td>
              <td><Status status={n.status} /></td>
              <td>{`${n.capabilities.cpu_cores} CPU · ${n.capabilities.memory_gb} GB`}</td>
              <td>{age(n.last_heartbeat, now)}</td>
              <td class="hide-sm">{n.zone ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );

export const EventsList: FC<{ events: ClusterEvent[] }> = ({ events }) =>
  events.length === 0 ? (
    <p class="muted">No events yet.</p>
  ) : (
    <div class="table-wrap">
      <table id="events">
        <thead>
          <tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">Workload / replica</th><th scope="col">Reason</th></tr>
        </thead>
        <tbody>
          {[...events].reverse().map((e) => (
            <tr>
              <td>{age(e.at)}</td>
              <td>{e.kind}</td>
              <td>{[e.workload, e.replica].filter(Boolean).join(" / ")}</td>
              <td>{e.reason ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );

export const HistoryTable: FC<{ versions: WorkloadVersion[] }> = ({ versions }) => (
  <div class="table-wrap">
    <table id="history">
      <thead>
        <tr><th scope="col">Version</th><th scope="col">When</th><th scope="col" class="hide-sm">By</th><th scope="col">Cause</th><th scope="col">Image</th><th scope="col">Changed</th></tr>
      </thead>
      <tbody>
        {[...versions].reverse().map((v) => (
          <tr>
            <td>{`v${v.version}${v.current ? " (current)" : ""}`}</td>
            <td>{age(v.created_at)}</td>
            <td class="hide-sm"><code>{v.created_by ? short(v.created_by) : "—"}</code></td>
            <td>{v.cause ?? ""}</td>
            <td><code>{v.image}</code></td>
            <td>{v.changed.join(", ")}</td>
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);

const VERIFY_CLI = { audit: " enc audit --verify", block: " enc ledger verify", receipt: " enc ledger verify", checkpoint: " enc ledger verify", report: " enc audit report verify FILE" } as const;

/** A verification box: the data URL the page script fetches and checks, and where it lists them. */
export const VerifyBox: FC<{ kind: "block" | "receipt" | "audit" | "checkpoint" | "report"; src: string; what: string; inline?: string }> = ({ kind, src, what, inline }) => (
  <section class="verify" data-verify={src} data-verify-kind={kind} data-verify-inline={inline} data-verify-auto aria-labelledby="verify-title">
    <h2 id="verify-title">Verify {what} in this browser</h2>
    <p class="muted">
      With the public keys of <a href="/v1/keys">/v1/keys</a> only: Ed25519 by WebCrypto, BLAKE3 and JCS by the page's own code. Needs JavaScript; without it, check the same with
      <code>{VERIFY_CLI[kind]}</code>.
    </p>
    <button type="button" data-verify-run hidden>Verify again</button>
    <div data-verify-out aria-live="polite">
      <noscript>Verification runs in the browser and needs JavaScript.</noscript>
    </div>
  </section>
);

export const Kv: FC<{ rows: [string, Child][] }> = ({ rows }) => (
  <dl class="kv">
    {rows.map(([k, v]) => (
      <>
        <dt>{k}</dt>
        <dd>{v}</dd>
      </>
    ))}
  </dl>
);

/** A gate or state as a coloured pill (green/yellow/red read as words too, not by colour alone). */
export const Light: FC<{ state: string; detail?: string }> = ({ state, detail }) => (
  <span class={`pill ${state === "green" || state === "promoted" || state === "accepted" || state === "ready" ? "ok" : state === "red" || state === "rejected" || state === "halted" || state === "rolled_back" ? "bad" : "warn"}`} title={detail}>
    {state.replace(/_/g, " ")}
  </span>
);
