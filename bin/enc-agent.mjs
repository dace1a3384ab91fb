#!/usr/bin/env node
// The node agent daemon, from its build (dist/enc-agent.mjs).
import { loadBuilt } from "./load-built.mjs";

const { main } = await loadBuilt("enc-agent");
const code = await main(process.argv.slice(2));
// A stopped daemon leaves its containers running on purpose (and, for deterministic ones, their
// /dev/urandom feeders open): exit now instead of waiting for handles that belong to them.
process.exit(code);
