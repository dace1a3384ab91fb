#!/usr/bin/env node
// The `enc` CLI. TypeScript sources run through tsx so the package needs no build step.
import { register } from "tsx/esm/api";

register();
// `enc … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
}
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
