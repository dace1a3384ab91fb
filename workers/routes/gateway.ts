import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { fail } from "../../domain/problem.ts";
import { proxy } from "../gateway/proxy.ts";
import { bodyCap, GATEWAY_BODY_MAX } from "../middleware/body-cap.ts";
import { AppName, ClusterName } from "../../protocol/api/common.ts";

/** /v1/clusters/{cluster}/services/{workload}/… → the workload's replicas. */
export const gateway = new Hono<AppEnv>();

gateway.use("/v1/clusters/:cluster/services/:workload/*", bodyCap(GATEWAY_BODY_MAX));

gateway.all("/v1/clusters/:cluster/services/:workload/*", async (c) => {
  const cluster = ClusterName.safeParse(c.req.param("cluster"));
  if (!cluster.success) fail(400, "cluster: invalid cluster name", { field: "cluster" });
  const workload = AppName.safeParse(c.req.param("workload"));
  if (!workload.success) fail(400, "workload: invalid workload name", { field: "workload" });
  const prefix = `/v1/clusters/${cluster.data}/services/${workload.data}`;
  const rest = new URL(c.req.url).pathname.slice(prefix.length) || "/";
  return proxy(c, cluster.data, workload.data, rest);
});

gateway.all("/v1/clusters/:cluster/services/:workload", (c) => c.redirect(new URL(c.req.url).pathname + "/", 308));
