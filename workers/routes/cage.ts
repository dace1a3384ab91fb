import { OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { signedRoute } from "../lib/route.ts";
import { clusterStub, unwrap } from "../lib/stubs.ts";
import { validationHook } from "../lib/validation.ts";
import { ClusterParam, json } from "../lib/openapi.ts";
import { AppName } from "../../protocol/api/common.ts";
import { CageCheck } from "../../protocol/api/cage.ts";
import { settleCageJob } from "../lib/cage-verdict.ts";

export const cage = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

cage.openapi(
  signedRoute({
    method: "get",
    path: "/v1/clusters/{cluster}/agreements/{name}/verdict",
    summary: "A CueCage agreement's verification: each node's witness root and the verdict (viewer)",
    request: { params: ClusterParam.extend({ name: AppName.openapi({ param: { name: "name", in: "path" } }) }) },
    responses: { 200: json(z.object({ job: CageCheck }), "The job and its verdict (pending until every run has ended)") },
  }),
  async (c) => {
    const { cluster, name } = c.req.valid("param");
    const stub = clusterStub(c.env, cluster);
    const job = await unwrap(stub.cageJob(c.get("actor"), name)); // the viewer check, first
    // Receipts may have been admitted before anyone looked: decide now if every run has ended.
    const settled = await settleCageJob(c.env, cluster, job.workload);
    return c.json({ job: settled ?? job }, 200);
  },
);
