// The daemon: wires the receipt spool, the chains, the log shipper, the desired-state poller, the
// heartbeat and one runner per replica, adopts what a previous agent process left running, and
// shuts down without touching the containers (as kubelet and Nomad clients do): a restarted agent
// adopts them again.
import path from "node:path";
import type { Signer } from "../../protocol/ed25519.ts";
import { AgentError } from "../agent-error.ts";
import type { AgentContext } from "./agent-context.ts";
import { sweepOrphans } from "./container-gc.ts";
import { ControlPlane } from "./control-plane.ts";
import { dataDir, ensureLayout, nextCounter, type DataDir } from "./data-dir.ts";
import { DesiredPoller } from "./desired-poller.ts";
import type { CheckedDesiredState } from "../../protocol/desired-state.ts";
import { heartbeatLoop } from "./heartbeat.ts";
import fs from "node:fs";
import { DEFAULT_CLAIMS_DIR, DEFAULT_PORT_RANGE, PortAllocator, PortClaims, type PortRange } from "./host-ports.ts";
import { LogShipper } from "./log-shipper.ts";
import { createLogger, type Logger } from "./logger.ts";
import { loadKey, readNodeConfig, type NodeConfig } from "./node-identity.ts";
import { acquireLock } from "./process-lock.ts";
import { ReceiptChains } from "./receipt-chains.ts";
import { ReceiptJournal } from "./receipt-journal.ts";
import { ReceiptSender } from "./receipt-sender.ts";
import { Records } from "./records.ts";
import { ReplayOrders } from "./replay-orders.ts";
import { ExecOrders } from "./exec-orders.ts";
import { resolveCageOptions } from "../cage/options.ts";
import { ReplicaRunner } from "./replica-runner.ts";
import { DEFAULT_INIT_BINARY } from "../cage/options.ts";
import { DEFAULT_BACKOFF } from "./restart-policy.ts";
import { EventLog } from "./event-log.ts";
import { sleep, Wakeup } from "./wakeup.ts";
import { readJsonFile, writeJsonAtomic } from "./data-dir.ts";
import { Validator } from "./validator.ts";
import type { ValidatorSet } from "../../protocol/api/placement.ts";
import type { DesiredStateExpect } from "../../protocol/desired-state.ts";

export interface AgentOptions {
  dataDir: string;
  heartbeatS?: number;
  usageS?: number;
  pollWaitS?: number;
  stopGraceS?: number;
  backoffBaseS?: number;
  backoffMaxS?: number;
  portRange?: PortRange;
  /** where agents on this host claim host ports (default /run/enc-agent/host-ports) */
  portClaimsDir?: string;
  runcBinary?: string;
  /** the init bind-mounted as PID 1 (default /usr/bin/tini-static) */
  initBinary?: string;
  /** overrides the URL saved at join (the control plane moved) */
  url?: string;
  receiptLingerMs?: number;
  /** what this node offers, reported in each signed heartbeat (consensus validators check it) */
  capacity?: { cpu_millis: number; memory_mb: number };
  log?: Logger;
}

const within = <T>(p: Promise<T>, ms: number) => Promise.race([p.then(() => true), sleep(ms).then(() => false)]);

export class Agent {
  readonly dir: DataDir;
  readonly log: Logger;
  config!: NodeConfig;
  signer!: Signer;
  journal!: ReceiptJournal;
  sender!: ReceiptSender;
  ctx!: AgentContext;
  poller!: DesiredPoller;
  replays!: ReplayOrders;
  execs!: ExecOrders;
  readonly runners = new Map<string, ReplicaRunner>();
  private readonly retiring = new Set<string>();
  private invalid: { id: string; reason: string }[] = [];
  /** consensus placement: replicas refused for want of a validator quorum */
  private unapproved: { id: string; reason: string }[] = [];
  private validator?: Validator;
  private lastDesired: CheckedDesiredState | null = null;
  private readonly loopStop = new AbortController();
  private readonly netStop = new AbortController();
  private readonly heartbeatKick = new Wakeup();
  private loops: Promise<unknown>[] = [];
  private release?: () => void;

  constructor(readonly opts: AgentOptions) {
    this.dir = dataDir(opts.dataDir);
    this.log = opts.log ?? createLogger();
  }

  async start(): Promise<void> {
    this.config = readNodeConfig(this.dir); // first: a mistyped --data-dir must not be created
    ensureLayout(this.dir);
    this.release = acquireLock(this.dir.lock);
    try {
      await this.open();
    } catch (err) {
      this.release();
      throw err;
    }
  }

  private async open(): Promise<void> {
    const o = this.opts;
    this.signer = await loadKey(this.dir);
    if (this.signer.address !== this.config.address) throw new AgentError("state", `node.key is ${this.signer.address} but node.json says ${this.config.address}`);
    const url = o.url ?? this.config.url;
    const cp = new ControlPlane(url, this.config.cluster, this.signer, this.netStop.signal);
    this.journal = new ReceiptJournal(this.dir.spool);
    this.sender = new ReceiptSender(this.journal, this.dir.inbox, cp, this.log, { lingerMs: o.receiptLingerMs });
    const records = new Records(this.dir);
    const events = new EventLog(() => this.heartbeatKick.wake(), this.dir.events);
    const chains = new ReceiptChains(this.dir.chains, this.config.cluster, this.signer, (r) => {
      this.journal.append(r);
      this.sender.notify();
      events.fromReceipt(r, records.container(r.container)?.replica);
    });
    // Every retained segment, acknowledged or not: a head lost with the page cache is found again.
    const recovered = chains.recover([...this.journal.read({ seg: 0, offset: 0 })].map((x) => x.receipt));
    if (recovered) this.log.warn("receipt chain heads recovered from the spool", { receipts: recovered });
    const shipper = new LogShipper(this.dir.logs, cp, this.log);
    this.ctx = {
      dir: this.dir,
      cage: { dataDir: this.dir.root, runcBinary: o.runcBinary, initBinary: o.initBinary },
      records,
      chains,
      shipper,
      ports: new PortAllocator(o.portRange ?? DEFAULT_PORT_RANGE, () => new Set([...this.runners.values()].flatMap((r) => r.rec.ports.map((p) => p.host_port))), this.portClaims()),
      log: this.log,
      advertisedHost: new URL(this.config.endpoint).hostname.replace(/^\[|\]$/g, "") || "127.0.0.1",
      usageMs: (o.usageS ?? 60) * 1000,
      stopGraceMs: (o.stopGraceS ?? 10) * 1000,
      events,
      backoff: { ...DEFAULT_BACKOFF, baseMs: (o.backoffBaseS ?? 1) * 1000, maxMs: (o.backoffMaxS ?? 60) * 1000 },
      newContainerId: (replica) => `${replica}.${nextCounter(this.dir)}`,
      changed: () => this.heartbeatKick.wake(),
    };
    const init = o.initBinary ?? DEFAULT_INIT_BINARY;
    if (!fs.existsSync(init)) {
      this.log.warn(`${init} not found: containers run without an init as PID 1, so a SIGTERM may not reach their process (install Debian's tini: apt-get install tini); each create receipt records init=none`);
    }
    this.replays = new ReplayOrders(this.dir, this.log, () => this.heartbeatKick.wake(), o.runcBinary);
    const cage = resolveCageOptions(this.ctx.cage);
    const containerOf = (replica: string) => {
      const rec = this.runners.get(replica)?.rec;
      return rec?.phase === "running" ? rec.container : null;
    };
    this.execs = new ExecOrders(cp, { runcBinary: cage.runcBinary, runcRoot: cage.runcRoot, containerOf }, this.log, this.netStop.signal);
    const signal = this.loopStop.signal;
    const saved = records.replicas();
    this.ctx.ports.claims?.releaseAllBut(new Set(saved.flatMap((r) => r.ports.map((p) => p.host_port))));
    for (const rec of saved) this.addRunner(new ReplicaRunner(this.ctx, { id: rec.id, workload: rec.workload, replica_type: rec.replica_type, spec: rec.spec }, rec));
    const claimed = new Set(saved.flatMap((r) => [...r.history, ...(r.container ? [r.container] : [])]));
    await sweepOrphans(this.ctx, claimed);
    this.log.info("agent running", { node: this.signer.address, cluster: this.config.cluster, url, replicas: saved.length, pending_receipts: this.journal.pending });

    // Consensus placement: the set pinned at join, or the last one followed by quorum-signed changes.
    const setFile = path.join(this.dir.root, "state", "validators.json");
    const pinned = readJsonFile<ValidatorSet>(setFile) ?? this.config.validator_set;
    const expect: DesiredStateExpect = { cluster: this.config.cluster, node: this.signer.address, controlPlane: this.config.control_plane, ...(pinned ? { validators: pinned } : {}) };
    if (pinned && this.config.node_type === "validator") this.validator = new Validator(cp, this.signer, this.config.cluster, this.config.control_plane, this.log);
    const onState = (ds: CheckedDesiredState) => {
      if (ds.validatorSetError) this.log.error("validator set change not followed", { error: ds.validatorSetError });
      if (ds.validatorSet && expect.validators && ds.validatorSet.epoch > expect.validators.epoch) {
        expect.validators = ds.validatorSet;
        writeJsonAtomic(setFile, ds.validatorSet);
        this.log.info("validator set followed", { epoch: ds.validatorSet.epoch, quorum: ds.validatorSet.quorum, validators: ds.validatorSet.validators.length });
      }
      return this.reconcile(ds);
    };
    this.poller = new DesiredPoller(cp, expect, path.join(this.dir.root, "state", "desired.json"), onState, this.log, o.pollWaitS ?? 25);
    const deps = {
      cp, log: this.log, runners: () => [...this.runners.values()], invalid: () => this.invalid, desiredVersion: () => this.poller.version,
      unapproved: () => this.unapproved, capacity: o.capacity,
      replays: () => this.replays.reports(),
      events,
      onNewerVersion: () => this.poller.kick(),
      onRecovered: () => this.sender.notify(),
      advertisedHost: this.ctx.advertisedHost, intervalMs: (o.heartbeatS ?? 5) * 1000,
    };
    this.loops = [this.sender.run(signal), shipper.run(signal), this.poller.run(signal), heartbeatLoop(deps, signal, this.heartbeatKick)];
  }

  /** Host-wide port claims, or none (with a warning) where the claims directory cannot be made. */
  private portClaims(): PortClaims | undefined {
    const dir = this.opts.portClaimsDir ?? DEFAULT_CLAIMS_DIR;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      return new PortClaims(dir, this.dir.root);
    } catch (err) {
      this.log.warn("host port claims unavailable: another agent on this host could be given the same port", { dir, error: (err as Error).message });
      return undefined;
    }
  }

  private addRunner(r: ReplicaRunner): void {
    this.runners.set(r.id, r);
    r.start(this.loopStop.signal);
  }

  /** Brings the set of runners in line with a verified desired state. */
  reconcile(ds: CheckedDesiredState): void {
    const fresh = this.lastDesired !== ds;
    this.lastDesired = ds;
    this.invalid = ds.invalid;
    if (fresh) {
      for (const bad of ds.invalid) this.log.error("desired replica cannot be run", bad);
      const before = new Map(this.unapproved.map((u) => [u.id, u.reason]));
      for (const u of ds.unapproved) {
        if (before.get(u.id) === u.reason) continue;
        this.log.error("desired replica refused: no validator quorum", u);
        this.ctx.events.push({ replica: u.id, kind: "refused", reason: u.reason.slice(0, 1000) });
      }
      this.unapproved = ds.unapproved;
      if (this.validator && ds.proposals.length) void this.validator.handle(ds.proposals);
      this.replays.update(ds.replays);
      this.execs.update(ds.execs);
    }
    const want = new Map(ds.replicas.map((r) => [r.id, r]));
    for (const [id, runner] of this.runners) {
      if (want.has(id) || this.retiring.has(id)) continue;
      this.retiring.add(id);
      runner.remove();
      void runner.finished.then(() => {
        this.retiring.delete(id);
        if (this.runners.get(id) === runner) this.runners.delete(id);
        // What arrived while the old container was stopping is acted on now, not at the next poll.
        if (this.lastDesired && !this.loopStop.signal.aborted) this.reconcile(this.lastDesired);
      });
    }
    for (const [id, d] of want) {
      if (this.retiring.has(id)) continue; // started again once the old one is gone (see above)
      const existing = this.runners.get(id);
      if (existing) existing.update(d);
      else this.addRunner(new ReplicaRunner(this.ctx, d));
    }
  }

  /** Stops the daemon, leaving containers running; flushes receipts and logs briefly first. */
  async stop(flushMs = 5000): Promise<void> {
    if (this.loopStop.signal.aborted) return;
    this.loopStop.abort();
    if (this.ctx) {
      await within(Promise.all([...this.loops, ...[...this.runners.values()].map((r) => r.finished), this.replays.idle(), this.execs.idle()]), 15_000);
      const sent = await within(this.sender.sendAll(), flushMs);
      await within(this.ctx.shipper.shipOnce().catch(() => 0), Math.min(flushMs, 3000));
      if (!sent || this.journal.pending) this.log.warn("receipts left in the spool; they are sent at the next start", { pending: this.journal.pending });
      this.ctx.events.close(); // what the control plane has not accepted stays journaled for the next start
    }
    this.netStop.abort();
    this.release?.();
    this.log.info("agent stopped; containers keep running");
  }
}
