// C2SP transparency-log formats (PROTOCOL.md §6): signed notes, checkpoints, the SHA-256 tree, tiles.
export * from "./note.ts";
export * from "./checkpoint.ts";
export * from "./tlog.ts";
export * from "./tiles.ts";
