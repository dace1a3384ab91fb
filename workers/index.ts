import { DurableObject } from "cloudflare:workers";
export class ClusterDO extends DurableObject {}
export class NotaryDO extends DurableObject {}
export class NonceDO extends DurableObject {}
export default { fetch: () => new Response("ok") };
