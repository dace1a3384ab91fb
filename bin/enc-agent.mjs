#!/usr/bin/env node
// The node agent daemon. TypeScript sources run through tsx so the package needs no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../node-agent/main.ts");
const code = await main(process.argv.slice(2));
// A stopped daemon leaves its containers running on purpose (and, for deterministic ones, their
// /dev/urandom feeders open): exit now instead of waiting for handles that belong to them.
process.exit(code);
