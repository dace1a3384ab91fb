// Resolves an image's `User` ("", "uid", "uid:gid", "name", "name:group") against the rootfs's
// /etc/passwd and /etc/group. Those files are read only if they are regular files reached through
// real directories: a symlink in an image must not make the agent read a file of the host.
import fs from "node:fs";
import path from "node:path";
import { CageError } from "./errors.ts";

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
}

function readImageFile(rootfs: string, rel: string): string | undefined {
  let p = rootfs;
  for (const part of rel.split("/")) {
    p = path.join(p, part);
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) return undefined;
  }
  return fs.statSync(p).isFile() ? fs.readFileSync(p, "utf8") : undefined;
}

function table(text: string | undefined): string[][] {
  return (text ?? "").split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(":"));
}

const isId = (s: string) => /^\d{1,10}$/.test(s) && Number(s) <= 0xfffffffe;

export function resolveUser(rootfs: string, spec: string | undefined): ResolvedUser {
  const [userPart = "", groupPart] = (spec ?? "").split(":", 2);
  if (userPart === "" || userPart === "root") {
    if (groupPart === undefined) return { uid: 0, gid: 0, additionalGids: [] };
  }
  const passwd = table(readImageFile(rootfs, "etc/passwd"));
  const groups = table(readImageFile(rootfs, "etc/group"));
  let uid: number;
  let gid: number | undefined;
  let name: string | undefined;
  if (userPart === "" || isId(userPart)) {
    uid = userPart === "" ? 0 : Number(userPart);
    const row = passwd.find((r) => r[2] === String(uid));
    name = row?.[0];
    gid = row && isId(row[3] ?? "") ? Number(row[3]) : uid === 0 ? 0 : undefined;
  } else {
    const row = passwd.find((r) => r[0] === userPart);
    if (!row || !isId(row[2] ?? "") || !isId(row[3] ?? "")) throw new CageError("bad_workload", `image user ${JSON.stringify(userPart)} not found in the image's /etc/passwd`);
    uid = Number(row[2]);
    gid = Number(row[3]);
    name = userPart;
  }
  if (groupPart !== undefined && groupPart !== "") {
    if (isId(groupPart)) gid = Number(groupPart);
    else {
      const row = groups.find((r) => r[0] === groupPart);
      if (!row || !isId(row[2] ?? "")) throw new CageError("bad_workload", `image group ${JSON.stringify(groupPart)} not found in the image's /etc/group`);
      gid = Number(row[2]);
    }
  }
  // As Docker does: a numeric uid unknown to /etc/passwd runs with gid 0.
  gid ??= 0;
  const additionalGids = name
    ? groups.filter((r) => (r[3] ?? "").split(",").includes(name!) && isId(r[2] ?? "")).map((r) => Number(r[2])).filter((g) => g !== gid)
    : [];
  return { uid, gid, additionalGids: [...new Set(additionalGids)].sort((a, b) => a - b) };
}
