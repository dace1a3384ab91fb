// The registries' answers: host records of the shadow registry (/v1/registry/httpcg/{host}) and
// DID records (/v1/dids/{did}). What may be registered is checked by domain/registry/schemas.ts.
import { z } from "zod";
import { Address, AppName, ClusterName } from "./common.ts";

export const Gateway = z.object({ cluster: ClusterName, workload: AppName }).strict().meta({ id: "RegistryGateway" });

/** What is stored and returned: defaults filled in. */
export type HostRecord = {
  https_endpoint?: string;
  gateway?: { cluster: string; workload: string };
  wallet_binding: string | null;
  ttl_s: number;
};

export const HostRecordSchema = z
  .object({ https_endpoint: z.string().optional(), gateway: Gateway.optional(), wallet_binding: Address.nullable(), ttl_s: z.number().int() })
  .meta({ id: "HostRecord" });

export const HostView = z
  .object({
    host: z.string(),
    version: z.number().int(),
    owner: Address,
    record: HostRecordSchema,
    updated_at: z.string(),
    audit_hash: z.string(),
  })
  .meta({ id: "RegistryHost" });
export type HostView = z.infer<typeof HostView>;

export const DidView = z
  .object({
    did: z.string(),
    didDocument: z.looseObject({ id: z.string() }),
    didDocumentMetadata: z.looseObject({ versionId: z.string(), created: z.string(), updated: z.string() }),
  })
  .meta({ id: "DidRecord" });
export type DidView = { did: string; didDocument: Record<string, unknown> & { id: string }; didDocumentMetadata: { versionId: string; created: string; updated: string; deactivated?: boolean } };
