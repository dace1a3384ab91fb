// OCI (and Docker schema 2) index, manifest and config documents: schemas, kinds, platform choice.
import { TextDecoder } from "node:util";
import { z } from "zod";
import { ImageError } from "./errors.ts";
import { isDigest } from "./digest.ts";

export const MEDIA_TYPES = {
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerList: "application/vnd.docker.distribution.manifest.list.v2+json",
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  ociConfig: "application/vnd.oci.image.config.v1+json",
  dockerConfig: "application/vnd.docker.container.image.v1+json",
} as const;

const INDEX_TYPES: readonly string[] = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList];
const MANIFEST_TYPES: readonly string[] = [MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest];
export const ACCEPT_MANIFESTS = [...INDEX_TYPES, ...MANIFEST_TYPES].join(", ");

export const descriptorSchema = z.object({
  mediaType: z.string().min(1),
  digest: z.string().refine(isDigest, "digest must be sha256:<hex> or sha512:<hex>"),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z.object({ architecture: z.string(), os: z.string(), variant: z.string().optional() }).optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

const indexSchema = z.object({ schemaVersion: z.literal(2), mediaType: z.string().optional(), manifests: z.array(descriptorSchema) });
const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
});
export type ImageIndex = z.infer<typeof indexSchema>;
export type ImageManifest = z.infer<typeof manifestSchema>;

/** The runtime part of an image config (OCI image-spec config.config). */
export interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  ExposedPorts?: Record<string, unknown>;
  Labels?: Record<string, string>;
  StopSignal?: string;
}

// Docker writes null for absent lists; JSON null and absence mean the same here.
const strings = z.array(z.string()).nullish();
const imageConfigSchema = z.object({
  Entrypoint: strings,
  Cmd: strings,
  Env: strings,
  WorkingDir: z.string().nullish(),
  User: z.string().nullish(),
  ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
  Labels: z.record(z.string(), z.string()).nullish(),
  StopSignal: z.string().nullish(),
});

function dropNulls(c: z.infer<typeof imageConfigSchema> | null | undefined): ImageConfig {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(c ?? {})) if (v !== null && v !== undefined) out[k] = v;
  return out as ImageConfig;
}

const configDocSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  config: imageConfigSchema.nullish().transform(dropNulls),
  rootfs: z.object({ type: z.literal("layers"), diff_ids: z.array(z.string().refine(isDigest, "diff_id must be a digest")) }),
});
export type ConfigDocument = z.infer<typeof configDocSchema>;

function parseJson(what: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (err) {
    throw new ImageError("bad_manifest", `${what} is not valid UTF-8 JSON`, { cause: err });
  }
}

function check<T>(schema: z.ZodType<T>, what: string, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new ImageError("bad_manifest", `${what} is malformed: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  return r.data;
}

export type ParsedManifestDoc = { kind: "index"; doc: ImageIndex } | { kind: "manifest"; doc: ImageManifest };

/** Parses a verified manifest-or-index blob; `descType` is the media type its descriptor claimed. */
export function parseManifestDoc(what: string, bytes: Uint8Array, descType?: string): ParsedManifestDoc {
  const raw = parseJson(what, bytes) as { mediaType?: unknown; manifests?: unknown; layers?: unknown } | null;
  const bodyType = typeof raw?.mediaType === "string" ? raw.mediaType : undefined;
  if (bodyType && descType && MANIFEST_TYPES.concat(INDEX_TYPES).includes(descType) && bodyType !== descType) {
    throw new ImageError("bad_manifest", `${what}: descriptor says ${descType} but the document says ${bodyType}`);
  }
  const type = bodyType ?? descType ?? (raw && "manifests" in raw ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest);
  if (INDEX_TYPES.includes(type)) return { kind: "index", doc: check(indexSchema, what, raw) };
  if (MANIFEST_TYPES.includes(type)) return { kind: "manifest", doc: check(manifestSchema, what, raw) };
  throw new ImageError("unsupported", `${what}: unsupported manifest media type ${type} (docker schema 1 and artifacts are not images we run)`);
}

export function parseConfigDoc(what: string, bytes: Uint8Array): ConfigDocument {
  return check(configDocSchema, what, parseJson(what, bytes));
}

/** The linux/amd64 entry of an index (a variant-less one first). */
export function selectPlatform(index: ImageIndex, what: string): Descriptor {
  const candidates = index.manifests.filter((m) => m.platform?.os === "linux" && m.platform.architecture === "amd64");
  const chosen = candidates.find((m) => !m.platform?.variant) ?? candidates[0];
  if (chosen) return chosen;
  const unlabeled = index.manifests.filter((m) => !m.platform && MANIFEST_TYPES.includes(m.mediaType));
  if (unlabeled.length === 1) return unlabeled[0]!;
  const offered = index.manifests.map((m) => (m.platform ? `${m.platform.os}/${m.platform.architecture}` : "unlabeled")).join(", ");
  throw new ImageError("platform", `${what}: no linux/amd64 image in index (offers: ${offered || "nothing"})`);
}
