// The CLI writes through these instead of `process` directly, so main() can run in-process too.
export interface Stream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
}

export interface IO {
  /** only commands that read input (`enc exec -i`) touch it */
  stdin?: AsyncIterable<Uint8Array | string> & { isTTY?: boolean; setRawMode?(raw: boolean): unknown; destroy?(): unknown };
  stdout: Stream;
  stderr: Stream;
  env: Record<string, string | undefined>;
}

export function processIO(): IO {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}
