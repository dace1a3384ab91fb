import type { ContainerReport } from "../../protocol/api/agent.ts";
import { reject } from "../../domain/result.ts";

/**
 * Why a replica endpoint is not acceptable, or null. The gateway fetches these URLs with no
 * caller authentication, so a node may only point it at its own registered host and at an
 * unprivileged port that is not the agent's own: never at another host (loopback of the
 * control plane, a metadata service, a private network), and never with a path or credentials
 * that could steer the request.
 */
export function endpointProblem(endpoint: string, nodeEndpoint: string): string | null {
  let url: URL;
  let node: URL;
  try {
    url = new URL(endpoint);
    node = new URL(nodeEndpoint);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "http:") return "must be an http:// URL (the agent serves replicas over plain HTTP on its host)";
  if (url.username || url.password) return "must not carry credentials";
  if (url.pathname !== "/" || url.search || url.hash || /[?#]/.test(endpoint)) return "must be scheme, host and port only";
  if (url.hostname !== node.hostname) return `must be on the node's registered host ${node.hostname}`;
  const port = Number(url.port);
  if (!url.port || port < 1024) return "must name an unprivileged port (1024-65535) the agent allocated";
  const nodePort = Number(node.port || (node.protocol === "https:" ? 443 : 80));
  if (port === nodePort) return "must not be the agent's own port";
  return null;
}

/** Refuses the whole heartbeat before anything is applied, naming the first bad endpoint. */
export function checkEndpoints(reports: ContainerReport[], nodeEndpoint: string): void {
  for (const [i, c] of reports.entries()) {
    if (c.endpoint === undefined) continue;
    const why = endpointProblem(c.endpoint, nodeEndpoint);
    if (why) reject(422, `containers[${i}].endpoint ${why}`, { field: `containers[${i}].endpoint` });
  }
}
