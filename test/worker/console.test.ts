// The web console's sign-in, sessions, CSRF and Origin checks, and its actions through the
// ClusterDO's own role checks, inside workerd against real DO SQLite and D1.
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CONSOLE_LOGIN_PATH, encodeConsoleLogin, signConsoleLogin, type ConsoleLoginToken } from "../../protocol/api/console.ts";
import { toHex } from "../../protocol/bytes.ts";
import type { Signer } from "../../protocol/ed25519.ts";
import { toIso } from "../../protocol/time.ts";
import { computeHash } from "../../protocol/signing.ts";
import { verifyAuditEntry } from "../../protocol/signed.ts";
import { cookieValue, csrfToken, originAllowed, parseCookieValue, sessionIdHash, sessionSetCookie } from "../../domain/console/session.ts";
import type { AuditEntry } from "../../protocol/schemas.ts";
import { BASE, joinNode, newCluster, wallet, workerFetch } from "./helpers.ts";
import { didDocument, keyedWallet, uniqDid, uniqHost } from "./resolver-helpers.ts";

const HTML = { accept: "text/html" };

async function token(signer: Signer, over: Partial<Omit<ConsoleLoginToken, "sig" | "address">> = {}): Promise<ConsoleLoginToken> {
  const now = Date.now();
  return signConsoleLogin(
    { v: 1, purpose: "console-login", origin: BASE, nonce: toHex(crypto.getRandomValues(new Uint8Array(16))), issued_at: toIso(now), expires_at: toIso(now + 60_000), clusters: [], ...over },
    signer,
  );
}

const loginWith = (text: string) => workerFetch(new Request(`${BASE}${CONSOLE_LOGIN_PATH}?token=${text}`, { headers: HTML, redirect: "manual" }));

/** Signs in `signer`; the session cookie ("name=value") and the page's CSRF token. */
async function signIn(signer: Signer, clusters: string[] = []): Promise<{ cookie: string; csrf: string }> {
  const res = await loginWith(encodeConsoleLogin(await token(signer, { clusters })));
  expect(res.status).toBe(303);
  const cookie = res.headers.get("set-cookie")!.split(";")[0]!;
  const page = await (await workerFetch(new Request(`${BASE}/console/`, { headers: { ...HTML, cookie } }))).text();
  const csrf = /name="csrf" value="([0-9a-f]{64})"/.exec(page)![1]!;
  return { cookie, csrf };
}

function post(path: string, fields: Record<string, string>, headers: Record<string, string>): Promise<Response> {
  return workerFetch(new Request(BASE + path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(fields), redirect: "manual" }));
}

describe("console sign-in with a wallet-signed one-time token", () => {
  it("exchanges a valid token for an HttpOnly, SameSite=Strict, Secure session cookie bound to the wallet", async () => {
    const { signer } = await wallet();
    const { name } = await newCluster();
    const res = await loginWith(encodeConsoleLogin(await token(signer, { clusters: [name] })));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe(`/console/clusters/${name}`);
    const set = res.headers.get("set-cookie")!;
    expect(set).toMatch(/^enc_console=bpi1[0-9a-z]{58}\.[A-Za-z0-9_-]{43}; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=28800; Secure$/);
    expect(set.split("=")[1]!.startsWith(signer.address)).toBe(true);
    const page = await (await workerFetch(new Request(`${BASE}/console/`, { headers: { ...HTML, cookie: set.split(";")[0]! } }))).text();
    expect(page).toContain(signer.address);
    expect(page).toContain("Sign out");
  });

  it("is single use", async () => {
    const { signer } = await wallet();
    const text = encodeConsoleLogin(await token(signer));
    expect((await loginWith(text)).status).toBe(303);
    const again = await loginWith(text);
    expect(again.status).toBe(401);
    expect(again.headers.get("set-cookie")).toBeNull();
    expect(await again.text()).toContain('data-problem-field="token"');
  });

  it("refuses expired, too long-lived, future, foreign-origin, altered and malformed tokens, naming the field", async () => {
    const { signer } = await wallet();
    const now = Date.now();
    const cases: [string, string, number][] = [
      [encodeConsoleLogin(await token(signer, { issued_at: toIso(now - 70_000), expires_at: toIso(now - 10_000) })), "token.expires_at", 401],
      [encodeConsoleLogin(await token(signer, { expires_at: toIso(now + 61_000) })), "token.expires_at", 401],
      [encodeConsoleLogin(await token(signer, { issued_at: toIso(now + 30_000), expires_at: toIso(now + 60_000) })), "token.issued_at", 401],
      [encodeConsoleLogin(await token(signer, { origin: "https://evil.test" })), "token.origin", 401],
      [encodeConsoleLogin({ ...(await token(signer)), clusters: ["stolen"] }), "token.sig", 401],
      [encodeConsoleLogin({ ...(await token(signer)), nonce: "short" } as ConsoleLoginToken), "token.nonce", 400],
      ["not-a-token!", "token", 400],
    ];
    for (const [text, field, status] of cases) {
      const res = await workerFetch(new Request(`${BASE}${CONSOLE_LOGIN_PATH}?token=${encodeURIComponent(text)}`, { redirect: "manual" }));
      expect(res.status, field).toBe(status);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(((await res.json()) as { field: string }).field).toBe(field);
      expect(res.headers.get("set-cookie")).toBeNull();
    }
  });

  it("a token for another wallet's address does not verify (the signature binds the address)", async () => {
    const a = await wallet();
    const b = await wallet();
    const t = await token(a.signer);
    const forged = { ...t, address: b.signer.address };
    const res = await loginWith(encodeConsoleLogin(forged));
    expect(res.status).toBe(401);
  });
});

describe("console sessions", () => {
  it("are stored hashed, in the wallet's store; an unknown or malformed cookie is no session", async () => {
    const { signer } = await wallet();
    const { cookie } = await signIn(signer);
    const secret = parseCookieValue(cookie.split("=")[1])!.secret;
    const stub = env.NONCES.get(env.NONCES.idFromName(`console:${signer.address}`));
    const rows = await runInDurableObject(stub, (_i, state) => state.storage.sql.exec("SELECT * FROM console_sessions").toArray());
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id_hash).toBe(await sessionIdHash(secret));
    expect(JSON.stringify(rows)).not.toContain(secret);
    // A guessed secret for the same wallet: no session, the sign-in page.
    const guessed = `enc_console=${cookieValue(signer.address, "A".repeat(43))}`;
    const res = await workerFetch(new Request(`${BASE}/console/`, { headers: { ...HTML, cookie: guessed } }));
    expect(await res.text()).toContain("Sign in to the ENC console");
    expect(parseCookieValue("bpi1x.y")).toBeUndefined();
  });

  it("expire: a session past its time is gone", async () => {
    const { signer } = await wallet();
    const stub = env.NONCES.get(env.NONCES.idFromName(`console:${signer.address}`));
    await stub.createSession("h-expired", Date.now() - 1, []);
    await stub.createSession("h-live", Date.now() + 60_000, ["c1"]);
    expect(await stub.session("h-expired")).toBeNull();
    expect((await stub.session("h-live"))?.clusters).toEqual(["c1"]);
  });

  it("logout revokes the session; 'sign out everywhere' revokes every session of the wallet", async () => {
    const { signer } = await wallet();
    const one = await signIn(signer);
    const two = await signIn(signer);
    const three = await signIn(signer);
    const out = await post("/console/logout", { csrf: one.csrf }, { cookie: one.cookie, origin: BASE });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toMatch(/enc_console=;.*Max-Age=0/);
    const page = (s: { cookie: string }) => workerFetch(new Request(`${BASE}/console/`, { headers: { ...HTML, cookie: s.cookie } })).then((r) => r.text());
    expect(await page(one)).toContain("Sign in to the ENC console");
    expect(await page(two)).toContain("Sign out");
    expect((await post("/console/sessions/revoke-all", { csrf: two.csrf }, { cookie: two.cookie, origin: BASE })).status).toBe(303);
    expect(await page(two)).toContain("Sign in to the ENC console");
    expect(await page(three)).toContain("Sign in to the ENC console");
  });

  it("the cookie is Secure except on plain-http loopback; Origin must be the console's own", () => {
    expect(sessionSetCookie("v", new URL("http://127.0.0.1:8787/x"), 60)).not.toContain("Secure");
    expect(sessionSetCookie("v", new URL("http://localhost:8787/x"), 60)).not.toContain("Secure");
    expect(sessionSetCookie("v", new URL("http://enc.example/x"), 60)).toContain("Secure");
    expect(sessionSetCookie("v", new URL("https://enc.example/x"), 60)).toContain("Secure");
    expect(originAllowed(new Headers({ origin: BASE }), BASE)).toBe(true);
    expect(originAllowed(new Headers({ origin: "https://evil.test" }), BASE)).toBe(false);
    expect(originAllowed(new Headers({ origin: "null" }), BASE)).toBe(false);
    expect(originAllowed(new Headers({}), BASE)).toBe(false);
    expect(originAllowed(new Headers({ "sec-fetch-site": "same-origin" }), BASE)).toBe(true);
  });
});

describe("console actions", () => {
  async function setup() {
    const { name, owner } = await newCluster({}, "con");
    await joinNode(owner.api, name);
    await owner.api.post(`/v1/clusters/${name}/workloads`, { name: "web", image: "oci:/x:latest" });
    return { name, owner };
  }

  it("scale needs a session, the console's Origin and the session's CSRF token; then goes through the role-checked DO method and is audited as the wallet, via console", async () => {
    const { name, owner } = await setup();
    const s = await signIn(owner.signer, [name]);
    const path = `/console/clusters/${name}/workloads/web/scale`;
    const fields = { replicas: "3", confirm: "yes" };
    const replicas = async () => (await owner.api.get<{ replicas: unknown[] }>(`/v1/clusters/${name}/workloads/web`)).replicas.length;

    const refusals: [Record<string, string>, Record<string, string>, number, string][] = [
      [{ ...fields, csrf: s.csrf }, { origin: BASE }, 401, "cookie"], // no session
      [{ ...fields, csrf: s.csrf }, { origin: BASE, cookie: "enc_console=junk" }, 401, "cookie"],
      [fields, { origin: BASE, cookie: s.cookie }, 403, "csrf"], // no token
      [{ ...fields, csrf: "0".repeat(64) }, { origin: BASE, cookie: s.cookie }, 403, "csrf"],
      [{ ...fields, csrf: await csrfToken("another-secret") }, { origin: BASE, cookie: s.cookie }, 403, "csrf"],
      [{ ...fields, csrf: s.csrf }, { origin: "https://evil.test", cookie: s.cookie }, 403, "origin"],
      [{ ...fields, csrf: s.csrf }, { cookie: s.cookie }, 403, "origin"], // no Origin, no Sec-Fetch-Site
    ];
    for (const [body, headers, status, field] of refusals) {
      const res = await post(path, body, headers);
      expect(res.status, field).toBe(status);
      expect(((await res.json()) as { field: string }).field).toBe(field);
    }
    expect(await replicas()).toBe(1); // nothing changed

    // Bad input: a problem naming the field, nothing changed.
    const bad = await post(path, { replicas: "-1", confirm: "yes", csrf: s.csrf }, { origin: BASE, cookie: s.cookie });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { field: string }).field).toBe("form.replicas");

    // Without confirm: the confirmation page, nothing changed.
    const ask = await post(path, { replicas: "3", csrf: s.csrf }, { origin: BASE, cookie: s.cookie, ...HTML });
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain('name="confirm" value="yes"');
    expect(await replicas()).toBe(1);

    const ok = await post(path, { ...fields, csrf: s.csrf }, { origin: BASE, cookie: s.cookie });
    expect(ok.status).toBe(303);
    expect(await replicas()).toBe(3);
    const { entries } = await owner.api.get<{ entries: AuditEntry[] }>(`/v1/clusters/${name}/audit?from_seq=1&limit=500`);
    const scaled = entries.filter((e) => e.event === "WorkloadScaled").at(-1)!;
    expect(scaled.actor).toBe(owner.signer.address);
    expect(scaled.details.via).toBe("console");
    expect(scaled.details.console_session).toMatch(/^[0-9a-f]{16}$/);
    const { control_plane } = await (await workerFetch(new Request(`${BASE}/v1/keys`))).json<{ control_plane: string }>();
    expect(await verifyAuditEntry(scaled, control_plane)).toEqual({ ok: true });
    expect(scaled.hash).toBe(computeHash(scaled, ["hash", "sig"]));
  });

  it("a viewer's session cannot scale (the DO's role check); a revoked role takes effect at the next request", async () => {
    const { name, owner } = await setup();
    const viewer = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: viewer.signer.address, role: "viewer" });
    const s = await signIn(viewer.signer, [name]);
    const page = await workerFetch(new Request(`${BASE}/console/clusters/${name}`, { headers: { ...HTML, cookie: s.cookie } }));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('id="role">viewer<');
    const res = await post(`/console/clusters/${name}/workloads/web/scale`, { replicas: "2", confirm: "yes", csrf: s.csrf }, { origin: BASE, cookie: s.cookie });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/operator/);

    await owner.api.post(`/v1/clusters/${name}/roles`, { address: viewer.signer.address, role: "operator" });
    expect((await post(`/console/clusters/${name}/workloads/web/scale`, { replicas: "2", confirm: "yes", csrf: s.csrf }, { origin: BASE, cookie: s.cookie })).status).toBe(303);

    await owner.api.delete(`/v1/clusters/${name}/roles/${viewer.signer.address}`);
    const after = await workerFetch(new Request(`${BASE}/console/clusters/${name}`, { headers: { ...HTML, cookie: s.cookie } }));
    expect(after.status).toBe(404); // a stranger now: the unknown cluster's answer
    const act = await post(`/console/clusters/${name}/workloads/web/restart`, { confirm: "yes", csrf: s.csrf }, { origin: BASE, cookie: s.cookie });
    expect(act.status).toBe(404);
  });

  it("restart and rollback go through the same rollout methods, audited via console", async () => {
    const { name, owner } = await setup();
    const spec = (await owner.api.get<{ workload: { spec: Record<string, unknown> } }>(`/v1/clusters/${name}/workloads/web`)).workload.spec;
    await owner.api.put(`/v1/clusters/${name}/workloads/web`, { ...spec, image: "oci:/x:v2" });
    const s = await signIn(owner.signer, [name]);
    const detail = await (await workerFetch(new Request(`${BASE}/console/clusters/${name}/workloads/web`, { headers: { ...HTML, cookie: s.cookie } }))).text();
    expect(detail).toContain('action="/console/clusters/' + name + '/workloads/web/rollback"');
    expect((await post(`/console/clusters/${name}/workloads/web/rollback`, { to_version: "1", confirm: "yes", csrf: s.csrf }, { origin: BASE, cookie: s.cookie })).status).toBe(303);
    const v = await owner.api.get<{ version: number }>(`/v1/clusters/${name}/workloads/web/rollout`);
    expect(v.version).toBe(3); // undo makes a new version with v1's spec
    expect((await post(`/console/clusters/${name}/workloads/web/restart`, { confirm: "yes", csrf: s.csrf }, { origin: BASE, cookie: s.cookie })).status).toBe(303);
    const { entries } = await owner.api.get<{ entries: AuditEntry[] }>(`/v1/clusters/${name}/audit?from_seq=1&limit=500`);
    const viaConsole = entries.filter((e) => e.details.via === "console").map((e) => e.event);
    expect(viaConsole.length).toBeGreaterThanOrEqual(2);
    expect(entries.filter((e) => e.details.via !== "console").some((e) => e.event === "WorkloadDeployed")).toBe(true);
  });

  it("read pages and data need a session; pages redirect to sign-in, data answers 401", async () => {
    const { name } = await setup();
    const page = await workerFetch(new Request(`${BASE}/console/clusters/${name}`, { headers: HTML, redirect: "manual" }));
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/console/?signin=1");
    const data = await workerFetch(new Request(`${BASE}/console/clusters/${name}/audit/data`));
    expect(data.status).toBe(401);
    expect((await workerFetch(new Request(`${BASE}/`, { redirect: "manual" }))).headers.get("location")).toBe("/console/");
    const js = await workerFetch(new Request(`${BASE}/console/static/console.js`));
    expect(js.headers.get("content-type")).toContain("javascript");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
  });

  it("the names page looks up registry hosts and DIDs through the public routes, escaping what it shows", async () => {
    const owner = await keyedWallet();
    const host = uniqHost();
    await owner.api.put(`/v1/registry/httpcg/${host}`, { https_endpoint: "https://origin.example.com/<b>app</b>" });
    const did = uniqDid();
    await owner.api.put(`/v1/dids/${did}`, didDocument(did, [owner.signer]));
    const s = await signIn(owner.signer);
    const page = async (q: string) => (await workerFetch(new Request(`${BASE}/console/names?${q}`, { headers: { ...HTML, cookie: s.cookie } }))).text();
    const h = await page(`host=${host}`);
    expect(h).toContain(owner.signer.address);
    expect(h).toContain("&lt;b&gt;app&lt;/b&gt;");
    expect(h).not.toContain("<b>app</b>");
    expect(await page(`did=${did}`)).toContain(`&quot;id&quot;: &quot;${did}&quot;`);
    expect(await page(`host=${uniqHost()}`)).toContain('role="alert"');
  });

  it("the live stream tells the page of changes, and stops ('denied') once the wallet's role is revoked", async () => {
    const { name, owner } = await setup();
    const viewer = await wallet();
    await owner.api.post(`/v1/clusters/${name}/roles`, { address: viewer.signer.address, role: "viewer" });
    const s = await signIn(viewer.signer, [name]);
    const res = await workerFetch(new Request(`${BASE}/console/clusters/${name}/stream`, { headers: { cookie: s.cookie } }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let seen = "";
    const until = async (re: RegExp) => {
      while (!re.test(seen)) {
        const { value, done } = await reader.read();
        if (done) break;
        seen += decoder.decode(value);
      }
      return seen;
    };
    expect(await until(/: live/)).toMatch(/^retry: 1000\nid: a\d+\.e\d+\n/);
    await owner.api.post(`/v1/clusters/${name}/workloads/web/scale`, { replicas: 2 });
    expect(await until(/event: change\n/)).toMatch(/event: change\ndata: \{"events":\d+/);
    await owner.api.delete(`/v1/clusters/${name}/roles/${viewer.signer.address}`);
    expect(await until(/event: denied\n/)).toMatch(/event: denied\ndata: \{"status":404/);
    // The stream ends there.
    expect((await reader.read()).done).toBe(true);
  });
});
