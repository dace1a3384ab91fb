// Every failure to obtain or trust an image surfaces as one ImageError with a stable code, so the
// daemon can report it in a receipt or an API error without parsing messages.
import { CodedError } from "../coded-error.ts";

export type ImageErrorCode =
  | "bad_reference" // the reference string does not parse
  | "not_found" // tag, manifest or blob absent
  | "digest_mismatch" // content does not hash to its descriptor's digest
  | "size_mismatch" // content length differs from the descriptor's size
  | "bad_manifest" // a manifest, index or config fails its schema
  | "unsupported" // media type, digest algorithm or platform we do not handle
  | "platform" // no linux/amd64 image in an index, or a config for another platform
  | "insecure_registry" // plain HTTP requested for a non-loopback host
  | "auth" // the registry wants credentials we do not have
  | "registry" // any other registry/HTTP failure
  | "unpack"; // a layer tar could not be unpacked

export class ImageError extends CodedError<ImageErrorCode> {
  override name = "ImageError";
}
