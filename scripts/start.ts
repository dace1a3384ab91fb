import { startControlPlane } from "./lib/control-plane.ts";
import { ensureDevVars } from "./lib/dev-vars.ts";
import { startLocalNode } from "./lib/local-node.ts";

const PORT = Number(process.env.PORT ?? 8787);

async function main(): Promise<void> {
  const vars = ensureDevVars();
  if (vars.created.length) console.log(`• generated ${vars.created.join(", ")} into ${vars.file}`);
  console.log("• applying D1 migrations and starting the control plane (wrangler dev)…");
  const cp = await startControlPlane({
    port: PORT,
    log: (line) => {
      // Offline, wrangler cannot fetch the `Request.cf` placeholder data: harmless, not shown.
      if (/error|warn/i.test(line) && !/deprecat|Request\.cf|workers\.cloudflare\.com/i.test(line)) console.log(`  [worker] ${line}`);
    },
  });
  console.log(`✓ ENC control plane on ${cp.url}  (OpenAPI: ${cp.url}/v1/openapi.json)`);
  const node = await startLocalNode(cp.url).catch((e: Error) => {
    console.log(`! local agent not started: ${e.message}`);
    return null;
  });
  console.log(`
Next, in another terminal:
  npx enc wallet show                 # your wallet (created on first start if you had none)
  npx enc cluster create demo         # a cluster you own
  npx enc token create --cluster demo # a join token for a node
  npx enc nodes --cluster ${node?.cluster ?? "demo"}
See README.md for the full walkthrough. Ctrl-C stops everything.`);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await node?.stop();
    await cp.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  cp.process.on("exit", (code) => {
    if (stopping) return;
    console.log(`control plane exited unexpectedly (${code})`);
    void node?.stop().then(() => process.exit(code ?? 1));
  });
}

main().catch((e: Error) => {
  console.error(`✗ ${e.message}`);
  process.exit(1);
});
