// A stand-in control plane serving canned (possibly tampered) JSON by path, to show that the CLI's
// verifiers catch what a dishonest server could send. It ignores request signatures.
import { createServer, type Server } from "node:http";

export interface FakeApi {
  url: string;
  close(): Promise<void>;
}

export type Routes = (pathname: string, query: URLSearchParams) => unknown | undefined;

export function fakeApi(routes: Routes): Promise<FakeApi> {
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://fake");
    const body = routes(decodeURIComponent(u.pathname), u.searchParams);
    if (body === undefined) {
      res.writeHead(404, { "content-type": "application/problem+json" });
      res.end(JSON.stringify({ type: "about:blank", title: "Not Found", status: 404, detail: `fake: no ${u.pathname}` }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
