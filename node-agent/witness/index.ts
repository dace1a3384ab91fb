// Public API of witness recording.
export { SEGMENT_SIZE, WITNESS_VERSION, leafOf, witnessRoot, type WitnessRecord, type StreamRecord, type FileRecord, type SymlinkRecord, type StreamName } from "./record.ts";
export { buildRecords, recordWitness, summarize, type WitnessInput, type WitnessSummary } from "./recorder.ts";
export { readWitnessLog, readWitnessRecords, readWitnessSummary, readStreamRange, rootOfLog, verifyWitness } from "./log-reader.ts";
export { segmentFile } from "./segments.ts";
export { collectOutput } from "./output-files.ts";
