// The CLI writes through these instead of `process` directly, so main() can run in-process too.
export interface Stream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface IO {
  stdout: Stream;
  stderr: Stream;
  env: Record<string, string | undefined>;
}

export function processIO(): IO {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}
