// A C2SP tlog-witness server (PROTOCOL.md §7) on node:http, for any log that signs C2SP
// checkpoints with an Ed25519 note key, ENC's or not. POST /add-checkpoint checks the log's
// signature and the consistency proof from the size it last cosigned for that origin, persists
// the new (size, root) durably, then answers the cosignature/v1 line. Requests for one origin run
// one at a time, so two of them can never both pass the old-size check against the same state
// (the rollback race tlog-witness describes). GET /<sha256(origin) hex>/checkpoint serves the
// latest cosigned checkpoint to monitors.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { fromBase64, toBase64 } from "../../../protocol/bytes.ts";
import { cosignLine } from "../../../protocol/c2sp/cosignature.ts";
import {
  ADD_CHECKPOINT_PATH, TLOG_SIZE_CONTENT_TYPE, WitnessProtocolError, parseAddCheckpoint, verifyLogCheckpoint, type LogKey,
} from "../../../protocol/c2sp/witness.ts";
import { TLOG_EMPTY_ROOT, verifyTlogConsistency } from "../../../protocol/c2sp/tlog.ts";
import type { WitnessIdentity } from "./key.ts";
import { WitnessStore } from "./store.ts";

/** A request body larger than this is refused: 63 proof lines and a checkpoint fit many times over. */
const MAX_BODY = 64 * 1024;

export interface WitnessOptions {
  identity: WitnessIdentity;
  store: WitnessStore;
  logs: LogKey[];
  /** Unix seconds; tests may pin it. */
  now?: () => number;
  /** One line per answered add-checkpoint (never any key material). */
  log?: (line: string) => void;
}

export interface Answer {
  status: number;
  contentType: string;
  body: string;
}

const text = (status: number, body: string, contentType = "text/plain; charset=utf-8"): Answer => ({ status, contentType, body: body.endsWith("\n") ? body : body + "\n" });

export class Witness {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly opts: WitnessOptions) {
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  private keysFor = (origin: string): LogKey[] => this.opts.logs.filter((k) => k.name === origin);

  /** Runs `fn` after every earlier call for the same origin has finished. */
  private serialize<T>(origin: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.queues.get(origin) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.queues.set(origin, tail);
    void tail.then(() => {
      if (this.queues.get(origin) === tail) this.queues.delete(origin);
    });
    return next;
  }

  async addCheckpoint(body: string): Promise<Answer> {
    try {
      const req = parseAddCheckpoint(body);
      const cp = verifyLogCheckpoint(req.note, this.keysFor);
      if (req.oldSize > cp.size) throw new WitnessProtocolError(400, `old size ${req.oldSize} is larger than the checkpoint size ${cp.size}`);
      return await this.serialize(cp.origin, async () => {
        const state = await this.opts.store.get(cp.origin);
        const current = state?.size ?? 0;
        if (req.oldSize !== current) return text(409, `${current}\n`, TLOG_SIZE_CONTENT_TYPE);
        if (cp.size === 0 && toBase64(cp.root) !== toBase64(TLOG_EMPTY_ROOT)) throw new WitnessProtocolError(422, "a checkpoint of size 0 must have the empty tree's root");
        if (req.oldSize === 0) {
          if (req.proof.length !== 0) throw new WitnessProtocolError(422, "a proof from size 0 must be empty");
        } else if (!verifyTlogConsistency(req.oldSize, cp.size, fromBase64(state!.root), cp.root, req.proof)) {
          throw new WitnessProtocolError(422, `the checkpoint of size ${cp.size} is not consistent with the one of size ${req.oldSize} this witness cosigned`);
        }
        const line = cosignLine(this.opts.identity.name, this.opts.identity.seed, cp.body, this.now());
        await this.opts.store.put({ origin: cp.origin, size: cp.size, root: toBase64(cp.root), checkpoint: req.note + line, updated_at: new Date().toISOString() });
        this.opts.log?.(`cosigned ${cp.origin} at size ${cp.size}`);
        return text(200, line);
      });
    } catch (e) {
      if (e instanceof WitnessProtocolError) {
        this.opts.log?.(`refused (${e.status}): ${e.message}`);
        return text(e.status, e.message);
      }
      throw e;
    }
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://witness.invalid");
    let answer: Answer;
    try {
      if (url.pathname === ADD_CHECKPOINT_PATH) {
        if (req.method !== "POST") answer = text(405, "add-checkpoint takes POST");
        else {
          const body = await readBody(req);
          answer = body === null ? text(413, `the body exceeds ${MAX_BODY} bytes`) : await this.addCheckpoint(body);
        }
      } else {
        const m = /^\/([0-9a-f]{64})\/checkpoint$/.exec(url.pathname);
        const state = m && (req.method === "GET" || req.method === "HEAD") ? await this.opts.store.getByHash(m[1]) : null;
        answer = state ? text(200, state.checkpoint) : text(404, "not found");
      }
    } catch (e) {
      if (e instanceof WitnessProtocolError) answer = text(e.status, e.message);
      else {
        this.opts.log?.(`error: ${(e as Error).message}`);
        answer = text(500, "internal error");
      }
    }
    if (answer.status === 405) res.setHeader("Allow", "POST");
    res.writeHead(answer.status, { "Content-Type": answer.contentType, "Cache-Control": "no-store" });
    res.end(req.method === "HEAD" ? undefined : answer.body);
  }
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** The body as UTF-8 text, or null when it is larger than MAX_BODY; malformed UTF-8 is a 400. */
async function readBody(req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  try {
    return UTF8.decode(Buffer.concat(chunks));
  } catch {
    throw new WitnessProtocolError(400, "the body is not UTF-8");
  }
}

export async function startWitnessServer(opts: WitnessOptions, port: number, host: string): Promise<{ server: Server; url: string }> {
  await opts.store.init();
  const witness = new Witness(opts);
  const server = createServer((req, res) => void witness.handle(req, res));
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const bound = typeof addr === "object" && addr ? addr.port : port;
  return { server, url: `http://${host.includes(":") ? `[${host}]` : host}:${bound}` };
}
