import { z } from "zod";

/**
 * One line of a cluster's event stream: from the audit log (source "audit": deployed, scheduled,
 * scaled, failover, rollout…) or reported by a node (source "agent": pulled, started, exited,
 * back-off, health changes…). `id` is unique within its source.
 */
export const ClusterEvent = z
  .object({
    id: z.string(),
    at: z.string(),
    source: z.enum(["audit", "agent"]),
    kind: z.string(),
    workload: z.string().optional(),
    replica: z.string().optional(),
    node: z.string().optional(),
    reason: z.string().optional(),
  })
  .meta({ id: "ClusterEvent" });
export type ClusterEvent = z.infer<typeof ClusterEvent>;

/**
 * A page of events, oldest first, and the cursor to ask for what comes after it
 * (`?after=<cursor>`; with `wait`, the request is held until something new arrives).
 */
export const EventsPage = z.object({ events: z.array(ClusterEvent), cursor: z.string() }).meta({ id: "EventsPage" });
export type EventsPage = z.infer<typeof EventsPage>;

/** Cursor: the last audit seq and the last agent event id seen, "a<seq>.e<id>". */
export const EventCursor = z.string().regex(/^a\d{1,15}\.e\d{1,15}$/, "a cursor from an earlier answer, a<seq>.e<id>");
