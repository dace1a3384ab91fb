// The formats the engine knows. `detectFormat` tries FORMATS in order, then DockLock (the
// envelope-less native spec) last. One line per format; each helper adds its lines under its own
// marker so parallel additions merge without conflict.
import type { AgreementFormat, AgreementType } from "../types.ts";
import { compose } from "./compose.ts";
import { cueTree } from "./cue-tree.ts";
import { cueYaml } from "./cue-yaml.ts";
import { docklock } from "./docklock.ts";
import { kubernetes } from "./k8s.ts";
import { cueCage } from "./cue-cage.ts";

export const FORMATS: AgreementFormat[] = [
  // core formats (agreements branch):
  cueYaml,
  cueTree,
  compose,

  // kubernetes and cue-cage (agreements-k8s branch):
  kubernetes,
  cueCage,

];

/** Every format, DockLock last. */
export const ALL_FORMATS = (): AgreementFormat[] => [...FORMATS, docklock];

export function formatByType(type: AgreementType): AgreementFormat | undefined {
  return ALL_FORMATS().find((f) => f.type === type);
}

/** The format a document is in, or undefined when none recognises it. */
export function detectFormat(doc: unknown): AgreementFormat | undefined {
  return ALL_FORMATS().find((f) => f.detect(doc));
}
