// Shifts an assembled root filesystem into a node's id range (id-range.ts): every entry owned by
// container id n becomes owned by host id base+n, so container root owns what image root owned
// and the host sees only unprivileged ids. Regular files are copied first (reflinked where the
// file system can): an assembled tree hard-links the layer cache, which must stay unshifted.
// Files hard-linked to each other stay hard-linked (busybox images are hundreds of links).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { hostId, type IdRange } from "./id-range.ts";

export async function shiftTree(tree: string, range: IdRange): Promise<void> {
  const copies = new Map<string, string>(); // inode of the original -> its shifted copy
  const suffix = `.enc-shift-${randomBytes(6).toString("hex")}`;
  const visit = async (p: string, st: fs.Stats): Promise<void> => {
    const uid = hostId(range, st.uid);
    const gid = hostId(range, st.gid);
    if (st.isDirectory()) {
      for (const name of await fs.promises.readdir(p)) {
        const child = path.join(p, name);
        await visit(child, await fs.promises.lstat(child));
      }
      await fs.promises.chown(p, uid, gid);
      await fs.promises.chmod(p, st.mode & 0o7777);
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const tmp = p + suffix;
      const first = copies.get(key);
      if (first) await fs.promises.link(first, tmp);
      else {
        await fs.promises.copyFile(p, tmp, fs.constants.COPYFILE_FICLONE);
        await fs.promises.chown(tmp, uid, gid);
        await fs.promises.chmod(tmp, st.mode & 0o7777); // after chown, which clears setuid/setgid
      }
      await fs.promises.rename(tmp, p);
      if (!first) copies.set(key, p);
    } else if (st.isSymbolicLink()) {
      await fs.promises.lchown(p, uid, gid);
    }
  };
  await visit(tree, await fs.promises.lstat(tree));
}

/** True when `tree`'s root belongs to the range's root (a shifted tree). */
export function isShiftedFor(tree: string, range: IdRange): boolean {
  const st = fs.lstatSync(tree, { throwIfNoEntry: false });
  return st !== undefined && st.isDirectory() && st.uid === range.base;
}
