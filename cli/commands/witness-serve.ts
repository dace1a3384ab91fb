import path from "node:path";
import { defineCommand } from "../lib/command.ts";
import { usageError } from "../lib/errors.ts";
import { parseLogVkey, type LogKey } from "../../protocol/c2sp/witness.ts";
import { readWitnessKey } from "../lib/witness/key.ts";
import { startWitnessServer } from "../lib/witness/server.ts";
import { WitnessStore } from "../lib/witness/store.ts";

export default defineCommand({
  description:
    "Runs a C2SP tlog-witness: POST /add-checkpoint cosigns a log's checkpoint (cosignature/v1) once its\n" +
    "signature verifies against a --log key and it is consistent with the last one cosigned for its origin.\n" +
    "Per-origin state lives in DIR/logs/ and is fsynced before every answer; GET /<sha256(origin)>/checkpoint\n" +
    "serves the latest cosigned checkpoint. Works for any C2SP log with an Ed25519 note key, ENC's or not.\n" +
    "Runs until interrupted (SIGINT or SIGTERM).",
  flags: {
    "data-dir": { type: "string", placeholder: "DIR", description: "where the per-log state is kept" },
    port: { type: "string", short: "p", placeholder: "P", default: "7380", description: "TCP port (0 picks a free one)" },
    listen: { type: "string", placeholder: "HOST", default: "127.0.0.1", description: "address to listen on" },
    log: { type: "string", multiple: true, placeholder: "VKEY", description: "a log's note vkey (<origin>+<id>+<key>); repeat for more logs" },
    key: { type: "string", placeholder: "FILE", description: "the witness key file (default DIR/witness-key.json)" },
  },
  examples: ["enc witness serve --data-dir /var/lib/enc-witness --port 7380 --log 'enc.localhost/prod/web+…+…'"],
  async run(ctx, { flags }) {
    const dir = flags["data-dir"];
    if (!dir) throw usageError("missing_flag", "--data-dir is required", "The directory that holds the witness's per-log state.");
    const port = Number(flags.port);
    if (!/^\d+$/.test(flags.port) || port > 65535) throw usageError("bad_port", `--port must be 0-65535, got ${JSON.stringify(flags.port)}`);
    if (flags.log.length === 0) throw usageError("missing_flag", "at least one --log VKEY is required", "Give the note vkey of each log this witness cosigns.");
    const logs: LogKey[] = flags.log.map((v) => {
      try {
        return parseLogVkey(v);
      } catch (e) {
        throw usageError("bad_log_vkey", `--log ${JSON.stringify(v)}: ${(e as Error).message}`);
      }
    });
    const identity = readWitnessKey(flags.key ?? path.join(dir, "witness-key.json"));
    const { server, url } = await startWitnessServer(
      { identity, store: new WitnessStore(dir), logs, log: (line) => ctx.note(`witness: ${line}`) },
      port,
      flags.listen,
    );
    if (ctx.json) ctx.emit({ url, vkey: identity.key.vkey, logs: logs.map((l) => l.name) });
    else ctx.out(`witness ${identity.name} listening on ${url}\nvkey ${identity.key.vkey}\nlogs ${logs.map((l) => l.name).join(", ")}`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        server.close(() => resolve());
        server.closeAllConnections();
      };
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  },
});
