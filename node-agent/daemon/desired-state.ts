// The desired state the control plane hands this node is checked by the protocol before the
// agent acts on it; a version that never goes back is the poller's part.
import { checkDesiredState, type CheckedDesiredState, type DesiredStateExpect } from "../../protocol/desired-state.ts";
import { AgentError } from "../agent-error.ts";

/** Verifies and parses a desired state; throws AgentError("bad_desired_state") on any doubt. */
export async function verifyDesiredState(raw: unknown, expect: DesiredStateExpect): Promise<CheckedDesiredState> {
  const r = await checkDesiredState(raw, expect);
  if (!r.ok) throw new AgentError("bad_desired_state", `desired state refused: ${r.reason}`);
  return r.state;
}
