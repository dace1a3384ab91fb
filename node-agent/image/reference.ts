// Image references as PROTOCOL.md §5 names them (the OCI tools' transports):
//   oci:<dir>[:<tag>]   oci-archive:<file.tar>[:<tag>]   <registry>/<repo>[:<tag>|@sha256:<hex>]
import path from "node:path";
import { ImageError } from "./errors.ts";

export type ImageRef =
  | { kind: "oci-layout"; dir: string; tag?: string }
  | { kind: "oci-archive"; file: string; tag?: string }
  | RegistryRef;

export interface RegistryRef {
  kind: "registry";
  /** as written, e.g. "127.0.0.1:5000" or "ghcr.io" ("docker.io" when omitted) */
  registry: string;
  /** base URL of the distribution API: https, or http for loopback hosts only */
  baseUrl: string;
  repository: string;
  tag?: string;
  digest?: string;
}

const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const REPO_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

/** Splits "<path>[:<tag>]" where the path itself may contain ':' in earlier components. */
function splitPathTag(rest: string): { p: string; tag?: string } {
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/") && TAG_RE.test(rest.slice(colon + 1))) return { p: rest.slice(0, colon), tag: rest.slice(colon + 1) };
  return { p: rest };
}

function localPath(ref: string, transport: string, p: string): string {
  if (!p) throw new ImageError("bad_reference", `${ref}: empty path after ${transport}:`);
  // The agent's working directory is not part of the workload: only absolute paths mean the same everywhere.
  if (!path.isAbsolute(p)) throw new ImageError("bad_reference", `${ref}: ${transport} path must be absolute`);
  return path.normalize(p);
}

export function isLoopbackHost(hostPort: string): boolean {
  const host = hostPort.startsWith("[") ? hostPort.slice(1, hostPort.indexOf("]")) : hostPort.replace(/:\d+$/, "");
  if (host === "localhost" || host === "::1") return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function parseRegistryRef(ref: string): RegistryRef {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) throw new ImageError("bad_reference", `${ref}: digest must be sha256:<64 lowercase hex>`);
  }
  const { p: name, tag } = splitPathTag(rest);
  const slash = name.indexOf("/");
  const first = slash >= 0 ? name.slice(0, slash) : "";
  const hasRegistry = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost" || first.startsWith("["));
  const registry = hasRegistry ? first : "docker.io";
  let repository = hasRegistry ? name.slice(slash + 1) : name;
  if (registry === "docker.io" && !repository.includes("/")) repository = `library/${repository}`;
  if (!REPO_RE.test(repository)) throw new ImageError("bad_reference", `${ref}: invalid repository name ${JSON.stringify(repository)}`);
  if (!/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(registry)) throw new ImageError("bad_reference", `${ref}: invalid registry host ${JSON.stringify(registry)}`);
  const apiHost = registry === "docker.io" ? "registry-1.docker.io" : registry;
  const scheme = isLoopbackHost(registry) ? "http" : "https";
  return { kind: "registry", registry, baseUrl: `${scheme}://${apiHost}`, repository, tag: tag ?? (digest ? undefined : "latest"), digest };
}

export function parseImageRef(ref: string): ImageRef {
  if (typeof ref !== "string" || ref.length === 0 || ref.length > 4096) throw new ImageError("bad_reference", "image reference must be a non-empty string");
  if (/\s/.test(ref)) throw new ImageError("bad_reference", `${JSON.stringify(ref)}: whitespace in image reference`);
  if (ref.startsWith("oci:")) {
    const { p, tag } = splitPathTag(ref.slice(4));
    return { kind: "oci-layout", dir: localPath(ref, "oci", p), tag };
  }
  if (ref.startsWith("oci-archive:")) {
    const { p, tag } = splitPathTag(ref.slice(12));
    return { kind: "oci-archive", file: localPath(ref, "oci-archive", p), tag };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref)) throw new ImageError("bad_reference", `${ref}: write registry references without a scheme (<registry>/<repo>:<tag>)`);
  return parseRegistryRef(ref);
}

export function formatImageRef(r: ImageRef): string {
  if (r.kind === "oci-layout") return `oci:${r.dir}${r.tag ? `:${r.tag}` : ""}`;
  if (r.kind === "oci-archive") return `oci-archive:${r.file}${r.tag ? `:${r.tag}` : ""}`;
  return `${r.registry}/${r.repository}${r.tag ? `:${r.tag}` : ""}${r.digest ? `@${r.digest}` : ""}`;
}
