import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { TestProject } from "vitest/node";

/**
 * Upstream HTTP servers for gateway tests (the outer edge the gateway forwards to): one that
 * answers with what it received, one that always fails with 503. They count their hits.
 */
export default async function setup(project: TestProject) {
  const hits = { ok: 0, bad: 0, internal: 0 };
  const servers: Server[] = [];
  // Each handler answers once the request body is read, as a real replica would: a response sent
  // over an unread body leaves the keep-alive connection mid-request, and workerd's next request
  // on it (the following test's /__hits) could hang.
  const listen = (handler: (req: IncomingMessage, res: ServerResponse) => void) =>
    new Promise<string>((resolve) => {
      const s = createServer((req, res) => {
        req.resume();
        req.on("end", () => handler(req, res));
      });
      servers.push(s);
      s.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(s.address() as { port: number }).port}`));
    });
  const ok = await listen((req, res) => {
    if (req.url === "/__hits") return res.end(JSON.stringify(hits));
    hits.ok++;
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ path: req.url, method: req.method, wallet: req.headers["x-enc-wallet"] ?? null }));
  });
  const bad = await listen((_req, res) => {
    hits.bad++;
    res.statusCode = 503;
    res.end("down");
  });
  // Stands for a page only reachable from the control plane's own host (loopback, metadata).
  const internal = await listen((_req, res) => {
    hits.internal++;
    res.end("internal secret");
  });
  // A replica that answers every request with a redirect to the internal page.
  const redirect = await listen((req, res) => {
    res.statusCode = req.method === "POST" ? 307 : 302;
    res.setHeader("location", `${internal}/secret`);
    res.end();
  });
  project.provide("upstreamOk", ok);
  project.provide("upstreamInternal", internal);
  project.provide("upstreamRedirect", redirect);
  project.provide("upstreamBad", bad);
  return () => Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
}

declare module "vitest" {
  export interface ProvidedContext {
    upstreamOk: string;
    upstreamBad: string;
    upstreamInternal: string;
    upstreamRedirect: string;
  }
}
