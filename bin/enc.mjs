#!/usr/bin/env node
// The `enc` CLI, from its build (dist/enc.mjs).
import { loadBuilt } from "./load-built.mjs";

// `enc … | head` closes the pipe early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (err) => {
    if (err.code === "EPIPE") process.exit(0);
    throw err;
  });
}
const { main } = await loadBuilt("enc");
process.exitCode = await main(process.argv.slice(2));
