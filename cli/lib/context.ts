// What every command runs with: output streams and style, the wallet-signed API client, the
// control-plane keys, and the default-cluster lookup.
import { ApiClient } from "../../protocol/api-client.ts";
import type { Program } from "../../cli-kit/command.ts";
import { DEFAULT_URL } from "./defaults.ts";
import { routes } from "../../protocol/routes.ts";
import { CLIError, usageError } from "./errors.ts";
import type { IO } from "./io.ts";
import { styleFor, type Style } from "./style.ts";
import { currentContext, loadSigner, readConfig, tooOpen, walletPath } from "./wallet.ts";
import { normalizeUrl } from "./url.ts";
import { toYaml, type OutputFormat } from "./output.ts";

const TIMEOUT_MS = 30_000;

export interface Keys {
  control_plane: string;
  notary: string;
  /** ML-DSA-65 public keys (base64), absent on a server without PROTOCOL.md §15. */
  control_plane_mldsa?: string;
  notary_mldsa?: string;
}

export class Context {
  readonly style: Style;
  readonly errStyle: Style;
  readonly url: string;
  private keysPromise?: Promise<Keys>;

  constructor(
    readonly io: IO,
    readonly json: boolean,
    /** the program being run (its command table), for commands about the CLI itself */
    readonly program?: Program<Context>,
    /** -o: json and yaml set `json` too (the document is the same); wide asks for more columns */
    readonly format: OutputFormat = json ? "json" : "table",
  ) {
    this.style = styleFor(io.stdout, io.env);
    this.errStyle = styleFor(io.stderr, io.env);
    // $ENC_URL, then the current context's URL, then the local default.
    this.url = io.env.ENC_URL ? normalizeUrl(io.env.ENC_URL, "ENC_URL") : (currentContext(io.env)?.url ?? DEFAULT_URL);
  }

  get env(): IO["env"] {
    return this.io.env;
  }

  out(text: string): void {
    this.io.stdout.write(text.endsWith("\n") ? text : text + "\n");
  }

  /** --json (or -o json|yaml) output: one document on stdout. */
  emit(value: unknown): void {
    if (this.format === "yaml") this.io.stdout.write(toYaml(JSON.parse(JSON.stringify(value))).replace(/^\n/, "") + "\n");
    else this.io.stdout.write(JSON.stringify(value, null, 2) + "\n");
  }

  get wide(): boolean {
    return this.format === "wide";
  }

  note(text: string): void {
    this.io.stderr.write(text + "\n");
  }

  walletPath(): string {
    return walletPath(this.env);
  }

  /** A client signing with the user's wallet; network failures become a friendly CLIError. */
  async client(): Promise<ApiClient> {
    const file = this.walletPath();
    const signer = await loadSigner(file);
    if (tooOpen(file) && !this.json) this.note(this.errStyle.yellow(`warning: ${file} is readable by other users; run chmod 600 on it`));
    return new ApiClient({ url: this.url, signer, fetch: (req) => this.fetch(req) });
  }

  /** The published control-plane and notary keys, fetched once (unsigned: the route is public). */
  keys(): Promise<Keys> {
    this.keysPromise ??= new ApiClient({ url: this.url, fetch: (req) => this.fetch(req) }).get<Keys>(routes.keys());
    return this.keysPromise;
  }

  /** --cluster, then $ENC_CLUSTER, then the current context's cluster, then the saved default. */
  cluster(flag: string | undefined): string {
    const name = flag || this.env.ENC_CLUSTER || currentContext(this.env)?.cluster || readConfig(this.env).cluster;
    if (!name) {
      throw usageError("no_cluster", "no cluster given", "Pass --cluster <name>, set ENC_CLUSTER, or save a default with `enc cluster use <name>`.");
    }
    return name;
  }

  private async fetch(req: Request): Promise<Response> {
    try {
      return await fetch(req, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (err) {
      if ((err as Error).name === "TimeoutError") {
        throw new CLIError("timeout", `the ENC control plane at ${this.url} did not answer within ${TIMEOUT_MS / 1000} s`);
      }
      const cause = (err as { cause?: { code?: string } }).cause?.code;
      throw new CLIError(
        "unreachable",
        `cannot reach the ENC control plane at ${this.url}${cause ? ` (${cause})` : ""}; is \`npm start\` running?`,
        1,
        "Set ENC_URL if it listens elsewhere.",
      );
    }
  }
}

