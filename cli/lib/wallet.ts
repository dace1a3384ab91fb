// The wallet file: an Ed25519 seed that *is* the user's identity, so it is written 0600 and never
// printed. A small config.json beside it remembers the default cluster.
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { toHex, fromHex } from "../../protocol/bytes.ts";
import { generateSeed, signerFromSeed, type Signer } from "../../protocol/ed25519.ts";
import { isoNow } from "../../protocol/time.ts";
import { CLIError } from "./errors.ts";
import type { IO } from "./io.ts";
import { writeFileAtomic } from "./atomic-file.ts";

export interface WalletFile {
  version: 1;
  address: string;
  seed: string;
  created: string;
}

/** The CLI's config dir: $XDG_CONFIG_HOME/enc or ~/.config/enc (contexts.json lives here). */
export function configDir(env: IO["env"]): string {
  // $HOME from the IO's env first: main() run in-process with an env of its own must not read or
  // write the host process's home.
  return path.join(env.XDG_CONFIG_HOME || path.join(env.HOME || homedir(), ".config"), "enc");
}

/** $ENC_WALLET, then the current context's wallet, then the default file. */
export function walletPath(env: IO["env"]): string {
  if (env.ENC_WALLET) return path.resolve(env.ENC_WALLET);
  const ctxWallet = currentContext(env)?.wallet;
  if (ctxWallet) return path.resolve(ctxWallet);
  return path.join(configDir(env), "wallet.json");
}

/** Beside the wallet named by the environment (not by a context), as before contexts existed. */
export function configPath(env: IO["env"]): string {
  const wallet = env.ENC_WALLET ? path.resolve(env.ENC_WALLET) : path.join(configDir(env), "wallet.json");
  return path.join(path.dirname(wallet), "config.json");
}

/** A named context: where the control plane is, which wallet signs, which cluster is the default. */
export interface NamedContext {
  url: string;
  wallet?: string;
  cluster?: string;
}

export interface ContextsFile {
  current?: string;
  contexts: Record<string, NamedContext>;
}

export const contextsPath = (env: IO["env"]): string => path.join(configDir(env), "contexts.json");

export function readContexts(env: IO["env"]): ContextsFile {
  try {
    const f = JSON.parse(readFileSync(contextsPath(env), "utf8")) as Partial<ContextsFile>;
    return { current: f.current, contexts: f.contexts ?? {} };
  } catch {
    return { contexts: {} };
  }
}

export function writeContexts(env: IO["env"], f: ContextsFile): string {
  const file = contextsPath(env);
  writePrivate(file, JSON.stringify(f, null, 2) + "\n");
  return file;
}

/** $ENC_CONTEXT, else the one `enc context use` saved; a name that does not exist is an error. */
export function currentContext(env: IO["env"]): (NamedContext & { name: string }) | undefined {
  const f = readContexts(env);
  const name = env.ENC_CONTEXT || f.current;
  if (!name) return undefined;
  const c = f.contexts[name];
  if (!c) throw new CLIError("no_context", `no context ${name}${env.ENC_CONTEXT ? " (from ENC_CONTEXT)" : ""}`, 2, "List them with `enc context list`; add one with `enc context add`.");
  return { name, ...c };
}

/** Writes via a temp file and rename, so a crash never leaves half a key and the mode is 0600 from the start. */
function writePrivate(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileAtomic(file, text, 0o600);
}

export async function createWallet(file: string, force: boolean): Promise<WalletFile> {
  if (!force && existsSync(file)) {
    throw new CLIError("wallet_exists", `a wallet already exists at ${file}`, 1, "Pass --force to replace it (the old key is lost unless you keep a copy).");
  }
  const seed = generateSeed();
  const signer = await signerFromSeed(seed);
  const wallet: WalletFile = { version: 1, address: signer.address, seed: toHex(seed), created: isoNow() };
  writePrivate(file, JSON.stringify(wallet, null, 2) + "\n");
  return wallet;
}

export function readWallet(file: string): WalletFile {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") {
      throw new CLIError("no_wallet", `no wallet at ${file}`, 1, "Create one with `enc wallet new` (or point ENC_WALLET at yours).");
    }
    throw new CLIError("wallet_unreadable", `cannot read the wallet at ${file}: ${(err as Error).message}`);
  }
  let w: Partial<WalletFile>;
  try {
    w = JSON.parse(text) as Partial<WalletFile>;
  } catch {
    throw new CLIError("wallet_corrupt", `the wallet at ${file} is not valid JSON`);
  }
  if (w.version !== 1 || typeof w.seed !== "string" || !/^[0-9a-f]{64}$/.test(w.seed) || typeof w.address !== "string") {
    throw new CLIError("wallet_corrupt", `the wallet at ${file} is not an ENC wallet (version 1 with a 64-hex seed)`);
  }
  return w as WalletFile;
}

/** The signer of the wallet; refuses a file whose address does not match its key. */
export async function loadSigner(file: string): Promise<Signer> {
  const w = readWallet(file);
  const signer = await signerFromSeed(fromHex(w.seed));
  if (signer.address !== w.address) throw new CLIError("wallet_corrupt", `the wallet at ${file} names ${w.address} but its key is ${signer.address}`);
  return signer;
}

/** True when group or others can read the key file (as ssh warns about private keys). */
export function tooOpen(file: string): boolean {
  try {
    return (statSync(file).mode & 0o077) !== 0;
  } catch {
    return false;
  }
}

export interface CliConfig {
  cluster?: string;
}

export function readConfig(env: IO["env"]): CliConfig {
  try {
    return JSON.parse(readFileSync(configPath(env), "utf8")) as CliConfig;
  } catch {
    return {};
  }
}

export function saveDefaultCluster(env: IO["env"], cluster: string): string {
  // With a current context, its default cluster is the one to change.
  const current = currentContext(env);
  if (current) {
    const f = readContexts(env);
    f.contexts[current.name] = { ...f.contexts[current.name]!, cluster };
    return writeContexts(env, f);
  }
  const file = configPath(env);
  writePrivate(file, JSON.stringify({ ...readConfig(env), cluster }, null, 2) + "\n");
  return file;
}
