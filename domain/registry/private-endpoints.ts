// Registry records and DID documents are public pointers that the resolver, gateways and clients
// follow: one naming loopback, a private network or link-local (cloud metadata) would turn them
// into a way in (SSRF). Such endpoints need a cluster that allows them (allow_private_endpoints).
import { fail } from "../problem.ts";
import { refuseHost } from "../resolver/net-guard.ts";

export interface NamedEndpoint {
  field: string;
  url: unknown;
}

/** The first endpoint whose host is not a public destination, with the reason; null when none. */
export function firstPrivateEndpoint(endpoints: NamedEndpoint[]): { field: string; reason: string } | null {
  for (const { field, url } of endpoints) {
    if (typeof url !== "string") continue;
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      continue; // the schema answers malformed URLs
    }
    const reason = refuseHost(host);
    if (reason) return { field, reason };
  }
  return null;
}

/** The service endpoints of a DID document, named as validation names them. */
export function serviceEndpoints(doc: { service?: Array<{ serviceEndpoint?: unknown }> }): NamedEndpoint[] {
  return (doc.service ?? []).map((s, i) => ({ field: `service[${i}].serviceEndpoint`, url: s.serviceEndpoint }));
}

/**
 * Refuses a private endpoint (422 naming its field) unless `allowed` says the signer's cluster
 * permits them; `allowed` is only asked when there is one, so public records cost no lookup.
 */
export async function checkEndpoints(endpoints: NamedEndpoint[], allowed: () => Promise<boolean>): Promise<void> {
  const bad = firstPrivateEndpoint(endpoints);
  if (!bad || (await allowed())) return;
  fail(422, `${bad.field}: ${bad.reason}; private endpoints need ?cluster=<a cluster you administer that sets allow_private_endpoints>`, { field: bad.field });
}
