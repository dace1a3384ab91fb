// A host-network container shares the node's network namespace, and seccomp cannot filter
// connect() by address (the address is behind a pointer). The kernel's socket-owner match can: every
// socket a container opens belongs to a host uid of the node's range (the user namespace maps it
// there), and all traffic to any address of this host leaves through `lo`. So one rule per range
// refuses new connections from the range to the host itself (loopback ports, the host's own IPs),
// while replies to connections the host opened (the gateway reaching the container) still pass.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { IdRange } from "../image/id-range.ts";
import { CageError } from "./errors.ts";

const run = promisify(execFile);
const TOOLS = ["iptables", "ip6tables"] as const;

/** The rule's match and target; it goes in the OUTPUT chain. */
function ruleArgs(range: IdRange): string[] {
  const ids = `${range.base}-${range.base + range.size - 1}`;
  return [
    "-o", "lo",
    "-m", "owner", "--uid-owner", ids,
    "-m", "conntrack", "--ctstate", "NEW",
    "-m", "comment", "--comment", `enc: container ids ${ids} may not connect to this host`,
    "-j", "REJECT",
  ];
}

async function has(tool: string, range: IdRange): Promise<boolean> {
  try {
    await run(tool, ["-w", "5", "-C", "OUTPUT", ...ruleArgs(range)]);
    return true;
  } catch {
    return false;
  }
}

// Serialised in-process, so two containers started together do not both insert the rule.
let queue: Promise<unknown> = Promise.resolve();

/** Installs the fence for `range` (idempotent); refuses host network when it cannot. */
export function fenceHostLocal(range: IdRange): Promise<void> {
  const step = queue.then(async () => {
    for (const tool of TOOLS) {
      if (await has(tool, range)) continue;
      try {
        await run(tool, ["-w", "5", "-I", "OUTPUT", "1", ...ruleArgs(range)]); // first, before any ACCEPT
      } catch (err) {
        const why = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
        throw new CageError("unsupported", `cannot fence a host-network container off this host's own addresses (${tool}: ${why}): refusing host network`);
      }
    }
  });
  queue = step.catch(() => undefined);
  return step;
}

/** Removes the fence of `range` (a node's data dir is being deleted); missing rules are fine. */
export async function unfenceHostLocal(range: IdRange): Promise<void> {
  for (const tool of TOOLS) {
    while (await has(tool, range)) await run(tool, ["-w", "5", "-D", "OUTPUT", ...ruleArgs(range)]);
  }
}
