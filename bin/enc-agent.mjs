#!/usr/bin/env node
// The node agent daemon. TypeScript sources run through tsx so the package needs no build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../node-agent/main.ts");
process.exitCode = await main(process.argv.slice(2));
