// Feeds a deterministic cage's /dev/urandom. The device is a FIFO the agent holds open read-write:
// with a reader always present (the agent itself) the pipe never breaks when a container process
// closes it, and a later open() simply continues the same stream. The kernel pipe buffer plus at
// most one chunk in user space is all that is produced ahead of the readers.
import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { promisify } from "node:util";
import { CageError } from "./errors.ts";
import { EntropyStream } from "./seed.ts";

const CHUNK = 64 * 1024;
const run = promisify(execFile);

/** Creates the FIFO (readable by any container user, writable by root only). */
export async function makeFifo(fifoPath: string): Promise<void> {
  const st = fs.lstatSync(fifoPath, { throwIfNoEntry: false });
  if (st?.isFIFO()) return;
  if (st) throw new CageError("state", `${fifoPath} exists and is not a FIFO`);
  // Node has no mkfifo(3); coreutils' mkfifo is a dependency of the agent host.
  await run("mkfifo", ["-m", "0444", fifoPath]).catch((err: Error) => {
    throw new CageError("unsupported", `mkfifo ${fifoPath}: ${err.message}`, { cause: err });
  });
}

export class EntropyFeeder {
  private closed = false;
  private constructor(
    private readonly socket: net.Socket,
    private readonly stream: EntropyStream,
  ) {}

  static async start(fifoPath: string, seed: Uint8Array, fromOffset = 0): Promise<EntropyFeeder> {
    await makeFifo(fifoPath);
    const fd = fs.openSync(fifoPath, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    const socket = new net.Socket({ fd, readable: false, writable: true });
    socket.on("error", () => undefined); // the container side cannot break an O_RDWR pipe; ignore teardown races
    const stream = new EntropyStream(seed);
    stream.skipTo(fromOffset);
    const feeder = new EntropyFeeder(socket, stream);
    feeder.pump();
    return feeder;
  }

  /** Bytes handed to the kernel so far (bytes buffered in user space excluded). */
  get written(): number {
    return this.stream.offset - this.socket.writableLength;
  }

  private pump(): void {
    while (!this.closed) {
      if (!this.socket.write(this.stream.next(CHUNK))) {
        this.socket.once("drain", () => this.pump());
        return;
      }
    }
  }

  close(): number {
    const written = this.written;
    this.closed = true;
    this.socket.destroy();
    return written;
  }
}
