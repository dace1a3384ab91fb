// `enc-agent status`: what a data dir holds, read from disk (works with or without a daemon).
import { DATA_DIR_FLAG, defineAgentCommand } from "./command-context.ts";
import { dataDir } from "./daemon/data-dir.ts";
import { readNodeConfig } from "./daemon/node-identity.ts";
import { holder } from "./daemon/process-lock.ts";
import { ReceiptJournal } from "./daemon/receipt-journal.ts";
import { Records } from "./daemon/records.ts";

export default defineAgentCommand({
  flags: { ...DATA_DIR_FLAG, json: { type: "boolean", description: "machine-readable JSON output" } },
  async run({ out }, { flags }) {
    const d = dataDir(flags["data-dir"]);
    const cfg = readNodeConfig(d);
    const replicas = new Records(d).replicas().map((r) => ({ id: r.id, phase: r.phase, container: r.container, restarts: r.restarts, exit_code: r.exit_code, reason: r.reason }));
    const status = { node: cfg.address, cluster: cfg.cluster, url: cfg.url, agent_pid: holder(d.lock), pending_receipts: new ReceiptJournal(d.spool).pending, replicas };
    if (flags.json) {
      out(JSON.stringify(status, null, 2) + "\n");
      return 0;
    }
    out(`node      ${status.node}\ncluster   ${status.cluster} at ${status.url}\nagent     ${status.agent_pid ? `running (pid ${status.agent_pid})` : "not running"}\n`);
    out(`receipts  ${status.pending_receipts} waiting in the spool\n`);
    for (const r of replicas) out(`  ${r.id.padEnd(24)} ${r.phase.padEnd(9)} ${r.container ?? "-"}  restarts ${r.restarts}${r.exit_code !== null ? `  exit ${r.exit_code}` : ""}\n`);
    return 0;
  },
});
