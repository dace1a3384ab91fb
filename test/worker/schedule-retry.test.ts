// A DO's alarm tasks in real DO SQLite: a task that fails is retried with back-off, also when it
// removed itself from the schedule before the work that failed (the pipelines task does, since
// its work re-schedules it).
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ClusterDO } from "../../durable-objects/cluster/cluster-do.ts";
import type { Schedule } from "../../durable-objects/shared/schedule.ts";
import { newCluster } from "./helpers.ts";

interface Inside {
  schedule: Schedule;
  progressRemote: () => Promise<void>;
  alarm: () => Promise<void>;
}

const row = (state: DurableObjectState, task: string) =>
  state.storage.sql.exec<{ attempts: number; due_at: number }>("SELECT attempts, due_at FROM schedule WHERE task = ?", task).toArray()[0];

describe("alarm task retries", () => {
  it("a pipelines pass that fails after the task removed itself is scheduled again, its back-off growing", async () => {
    const { name } = await newCluster();
    const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
    await runInDurableObject(stub, async (inst: ClusterDO, state) => {
      const o = inst as unknown as Inside;
      // The outer edge: the other cluster the pass reads is down.
      o.progressRemote = () => Promise.reject(new Error("cluster c-target did not answer"));
      o.schedule.at("pipelines", Date.now() - 1);
      const t0 = Date.now();
      await o.alarm();
      const first = row(state, "pipelines");
      expect(first).toBeDefined();
      expect(first.attempts).toBe(1);
      expect(first.due_at).toBeGreaterThanOrEqual(t0 + 1000);
      // Due again (as when the back-off passed): the second failure doubles it.
      state.storage.sql.exec("UPDATE schedule SET due_at = ? WHERE task = 'pipelines'", Date.now() - 1);
      const t1 = Date.now();
      await o.alarm();
      const second = row(state, "pipelines");
      expect(second.attempts).toBe(2);
      expect(second.due_at).toBeGreaterThanOrEqual(t1 + 2000);
      // A pass that succeeds and finds nothing left to verify ends the task.
      o.progressRemote = () => Promise.resolve();
      state.storage.sql.exec("UPDATE schedule SET due_at = ? WHERE task = 'pipelines'", Date.now() - 1);
      await o.alarm();
      expect(row(state, "pipelines")).toBeUndefined();
    });
  });

  it("retry counts from the attempts the failed run started with, and keeps a higher count already stored", async () => {
    const { name } = await newCluster();
    const stub = env.CLUSTER.get(env.CLUSTER.idFromName(name));
    await runInDurableObject(stub, (inst: ClusterDO, state) => {
      const { schedule } = inst as unknown as Inside;
      const due = Date.now() + 60_000;
      // Absent (done() ran first): inserted with prior + 1.
      expect(schedule.retry("probe", due, 3)).toBe(4);
      expect(row(state, "probe")).toEqual({ attempts: 4, due_at: due });
      // Present: one more than stored, or prior + 1 if that is higher.
      expect(schedule.retry("probe", due + 1, 0)).toBe(5);
      expect(schedule.retry("probe", due + 2, 9)).toBe(10);
      expect(row(state, "probe").due_at).toBe(due + 2);
      schedule.done("probe");
    });
  });
});
