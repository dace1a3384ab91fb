// `npm run bench:profile-ingest [-- FILE]`: the NotaryDO ingest in plain workerd with a CPU
// profile (FILE, default ingest.cpuprofile: open it in Chrome DevTools or speedscope) and the
// self time per function inside NotaryDO.admitVerified (the DO's part), per receipt, and inside
// verifyThenAdmit (the Worker's verification before the RPC).
import { plainIngest } from "./run.ts";

const file = process.argv[2] ?? "ingest.cpuprofile";
const f = await plainIngest({ profile: file });
const receipts = f.receipts;
console.log(`ingest ${f.ingest_per_s.toFixed(0)} receipts/s vs WebCrypto verify ${f.verify_per_s.toFixed(0)} /s = ${((100 * f.ingest_per_s) / f.verify_per_s).toFixed(1)} %`);
const p = f.profile!;
console.log(`profile: ${p.total.toFixed(0)} ms sampled, ${p.under.toFixed(0)} ms inside NotaryDO.admitVerified = ${((1000 * p.under) / receipts).toFixed(1)} µs a receipt (${receipts} receipts)`);
for (const [name, ms] of p.top.slice(0, 20)) console.log(`${((1000 * ms) / receipts).toFixed(2).padStart(8)} µs  ${name}`);
const w = f.front!;
console.log(`Worker side: ${w.under.toFixed(0)} ms inside verifyThenAdmit = ${((1000 * w.under) / receipts).toFixed(1)} µs a receipt`);
for (const [name, ms] of w.top.slice(0, 10)) console.log(`${((1000 * ms) / receipts).toFixed(2).padStart(8)} µs  ${name}`);
console.log(`profile written to ${file}`);
