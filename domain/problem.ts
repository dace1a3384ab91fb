import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** An RFC 9457 problem. `field` names the offending input (a JSON pointer-ish dotted path). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  field?: string;
  [extra: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  410: "Gone",
  413: "Payload Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
};

export function problem(status: number, detail: string, extra: Partial<Problem> = {}): Problem {
  const slug = (extra.code as string | undefined) ?? (TITLES[status] ?? "error").toLowerCase().replace(/\s+/g, "-");
  return { type: `https://enc.dev/problems/${slug}`, title: TITLES[status] ?? "Error", status, detail, ...extra };
}

/** Thrown anywhere in the Worker; turned into a problem+json response by the single onError. */
export class ProblemException extends HTTPException {
  constructor(readonly problem: Problem) {
    super(problem.status as ContentfulStatusCode, { message: problem.detail });
  }
}

export function fail(status: number, detail: string, extra: Partial<Problem> = {}): never {
  throw new ProblemException(problem(status, detail, extra));
}

export function problemResponse(p: Problem): Response {
  return new Response(JSON.stringify(p), {
    status: p.status,
    headers: { "content-type": "application/problem+json" },
  });
}
