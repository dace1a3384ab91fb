// The desired-state long-poll against a real HTTP server: a kick (the heartbeat saw a newer
// version) that lands after the answer's headers but before its body is read must not lose
// the answer. It was lost (the body read aborted), at times with res.text() left pending for
// ever and the poller with it: the agent then never saw another desired state (found when every
// `enc rm` went through the stop path, whose end bumps the version from a heartbeat).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { generateSeed, signerFromSeed } from "../../protocol/ed25519.ts";
import { ControlPlane } from "../../node-agent/daemon/control-plane.ts";

let server: http.Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

describe("ControlPlane.desired", () => {
  it("reads an answer to the end when the wait is cancelled while its body arrives", async () => {
    const kick = new AbortController();
    server = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"version":');
      res.flushHeaders();
      // The rest of the body only once the kick has happened.
      const finish = () => res.end("3}");
      if (kick.signal.aborted) finish();
      else kick.signal.addEventListener("abort", () => setTimeout(finish, 50), { once: true });
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cp = new ControlPlane(url, "c", await signerFromSeed(generateSeed()));
    // desired() stops listening for a kick once fetch() has the answer's headers: that moment,
    // not a fixed 200 ms (too short on a loaded host, where the kick then hit the request).
    let headersIn!: () => void;
    const headers = new Promise<void>((r) => (headersIn = r));
    const remove = kick.signal.removeEventListener.bind(kick.signal);
    kick.signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      remove(...args);
      headersIn();
    }) as typeof remove;
    const answer = cp.desired(2, 25, kick.signal);
    // Headers are in (the client has them); now the kick, while the body is still on its way.
    await headers;
    kick.abort();
    await expect(Promise.race([answer, new Promise((_, rej) => setTimeout(() => rej(new Error("desired() never settled")), 5000))])).resolves.toEqual({ version: 3 });
  });
});
