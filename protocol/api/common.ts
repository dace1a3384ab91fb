// Names and values shared by the API's bodies. Plain zod: the agent and the CLI load this
// without the OpenAPI extension; `.meta({ id })` names the OpenAPI components.
import { z } from "zod";

export const ClusterName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, "cluster names are 2-63 characters of a-z, 0-9 and '-', starting with a letter or digit")
  .meta({ example: "demo" });

// `audit` is reserved: an app's log origin is `<LOG_ORIGIN>/<cluster>/<app>` and the cluster's audit
// log is `<LOG_ORIGIN>/<cluster>/audit` (PROTOCOL.md §6); an app of that name would share its origin.
export const AppName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "app and workload names are 1-63 characters of a-z, 0-9 and '-'")
  .refine((n) => n !== "audit", "`audit` is reserved: it names the cluster's audit log")
  .meta({ example: "hello" });

export const Address = z
  .string()
  .regex(/^bpi1[02-9ac-hj-np-z]{58}$/, "a bech32m bpi1… address of 62 characters")
  .meta({ example: "bpi132yw8ht5p8cetl2jmvknewjawt9xwzdlrk2pyxlnwjyqrdq0dawq22zv0m" });

/** GET /v1/keys. The ML-DSA-65 keys (PROTOCOL.md §15) are standard base64 of 1,952 bytes. */
export const PublicKeys = z
  .object({
    control_plane: Address,
    notary: Address,
    control_plane_mldsa: z.string().regex(/^[A-Za-z0-9+/]{2602}[AEIMQUYcgkosw048]=$/, "base64 of a 1,952-byte ML-DSA-65 public key").optional(),
    notary_mldsa: z.string().regex(/^[A-Za-z0-9+/]{2602}[AEIMQUYcgkosw048]=$/, "base64 of a 1,952-byte ML-DSA-65 public key").optional(),
  })
  .meta({ id: "PublicKeys" });
export type PublicKeys = z.infer<typeof PublicKeys>;

export const HashText = z.string().regex(/^blake3:[0-9a-f]{64}$/, "blake3:<64 lowercase hex>");

export const Role = z.enum(["owner", "admin", "operator", "viewer", "node"]);
export type Role = z.infer<typeof Role>;
export const GrantableRole = z.enum(["admin", "operator", "viewer"]);

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    field: z.string().optional(),
  })
  .meta({ id: "Problem" });
export type Problem = z.infer<typeof ProblemSchema>;
