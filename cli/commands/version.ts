import { VERSION } from "../../cli-kit/version.ts";
import { routes } from "../../protocol/routes.ts";
import { defineCommand } from "../lib/command.ts";

export default defineCommand({
  description:
    "The CLI's version and the version of the control plane at $ENC_URL (or the current context), from its public GET /v1/health.\n" +
    "A server that cannot be reached is reported, not an error (exit 0). `enc --version` prints the CLI's version only, without a request.",
  async run(ctx) {
    let server: string | null = null;
    let problem: string | undefined;
    try {
      const res = await fetch(ctx.url + routes.health(), { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { version?: string };
      server = body.version ?? "unknown (a server older than `enc version`)";
    } catch (err) {
      problem = `cannot reach ${ctx.url}: ${(err as Error).message}`;
    }
    if (ctx.json) return ctx.emit({ version: VERSION, client: VERSION, server, url: ctx.url, ...(problem ? { error: problem } : {}) });
    ctx.out(`Client: ${VERSION}`);
    ctx.out(server ? `Server: ${server} (${ctx.url})` : `Server: ${ctx.style.yellow(problem!)}`);
  },
});
