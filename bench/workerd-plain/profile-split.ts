// `npm run bench:profile-split [-- FILE]`: the split ingest (verification in the front's workerd
// process, the NotaryDO in the back's) with a CPU profile of the back (FILE, default
// split-back.cpuprofile) and the self time per function inside NotaryDO.admitVerified, per receipt.
import { splitIngest } from "./run.ts";

const file = process.argv[2] ?? "split-back.cpuprofile";
const f = await splitIngest({ profile: file });
const receipts = f.receipts;
console.log(JSON.stringify({ ...f, profile: undefined }));
const p = f.profile!;
console.log(`back profile: ${p.total.toFixed(0)} ms sampled (${((1000 * p.total) / receipts).toFixed(1)} µs a receipt), ${p.under.toFixed(0)} ms inside NotaryDO.admitVerified = ${((1000 * p.under) / receipts).toFixed(1)} µs a receipt (${receipts} receipts)`);
for (const [name, ms] of p.top.slice(0, 15)) console.log(`${((1000 * ms) / receipts).toFixed(2).padStart(8)} µs  ${name}`);
console.log(`profile written to ${file}`);
