// `enc-agent key`: the node's address before it joins, creating its key when absent. A consensus
// cluster names its validators' addresses in its config, so they are known before the nodes join.
import { DATA_DIR_FLAG, defineAgentCommand } from "./command-context.ts";
import { dataDir, ensureLayout } from "./daemon/data-dir.ts";
import { loadOrCreateKey } from "./daemon/node-identity.ts";

export default defineAgentCommand({
  description: "Creates the node key in DIR when it has none (0600, never printed) and prints the node's address.",
  flags: { ...DATA_DIR_FLAG },
  async run({ out }, { flags }) {
    const d = dataDir(flags["data-dir"]);
    ensureLayout(d);
    out(`${(await loadOrCreateKey(d)).address}\n`);
    return 0;
  },
});
