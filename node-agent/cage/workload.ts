// The part of a Workload (PROTOCOL.md §4) the cage consumes, validated before anything runs.
import { z } from "zod";
import { CageError } from "./errors.ts";

const noNul = (s: string) => !s.includes("\0");

export const cageWorkloadSchema = z.object({
  command: z.array(z.string().refine(noNul, "NUL in argument")).min(1).max(4096).optional(),
  env: z
    .record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,255}$/, "env name must be [A-Za-z_][A-Za-z0-9_.-]*"), z.string().max(131072).refine(noNul, "NUL in env value"))
    .optional(),
  resources: z
    .object({
      cpu_millis: z.number().int().min(10).max(1_024_000).optional(),
      memory_mb: z.number().int().min(4).max(4_194_304).optional(),
      pids: z.number().int().min(1).max(4_194_304).optional(),
    })
    .optional(),
  cage: z
    .object({
      determinism: z.boolean().optional(),
      seed: z.string().max(4096).optional(),
      network: z.enum(["none", "host"]).optional(),
      output_dir: z.string().regex(/^\/[^\0]*$/, "output_dir must be an absolute path").max(1024).optional(),
    })
    .optional(),
  /** a small init (tini) as PID 1 that forwards signals and reaps zombies (not in deterministic cages) */
  init: z.boolean().optional(),
  /** host ports the agent assigned (meaningful with network "host" only) */
  ports: z.array(z.object({ container_port: z.number().int().min(1).max(65535), host_port: z.number().int().min(1).max(65535) })).max(64).optional(),
});

export type CageWorkload = z.infer<typeof cageWorkloadSchema>;

export function parseCageWorkload(input: unknown): CageWorkload {
  const r = cageWorkloadSchema.safeParse(input);
  if (!r.success) {
    throw new CageError("bad_workload", `invalid workload: ${r.error.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ")}`);
  }
  const out = r.data.cage?.output_dir;
  if (out !== undefined && (out === "/" || out.split("/").includes("..") || /^\/(proc|sys|dev)(\/|$)/.test(out))) {
    throw new CageError("bad_workload", `invalid workload: cage.output_dir ${JSON.stringify(out)} is not allowed`);
  }
  return r.data;
}

export const isDeterministic = (w: CageWorkload): boolean => w.cage?.determinism === true;

/** The network the cage actually gets: determinism always isolates. */
export const effectiveNetwork = (w: CageWorkload): "none" | "host" => (isDeterministic(w) ? "none" : (w.cage?.network ?? "none"));
