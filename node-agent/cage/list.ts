// What a restarting agent adopts: every container dir with meta, merged with runc's own list.
import fs from "node:fs";
import path from "node:path";
import { readJson, type CageMeta } from "./meta.ts";
import { resolveCageOptions, type CageOptions } from "./options.ts";
import { containerPaths } from "./paths.ts";
import { Runc, type RuncState } from "./runc.ts";

export interface ListedContainer {
  id: string;
  meta: CageMeta;
  /** null when runc does not know it (never started, or deleted) */
  runc: RuncState | null;
}

export async function listContainers(options: CageOptions): Promise<ListedContainer[]> {
  const o = resolveCageOptions(options);
  const runcStates = new Map((await new Runc(o.runcRoot, o.runcBinary).list().catch(() => [])).map((s) => [s.id, s]));
  const dir = path.join(o.dataDir, "containers");
  const ids = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
  const out: ListedContainer[] = [];
  for (const id of ids) {
    const meta = readJson<CageMeta>(containerPaths(o.dataDir, id).meta);
    if (meta) out.push({ id, meta, runc: runcStates.get(id) ?? null });
  }
  return out;
}
