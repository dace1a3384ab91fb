// Failures of the agent daemon with stable codes, so scripts and tests can tell them apart.
import { CodedError } from "./coded-error.ts";

export type AgentErrorCode =
  | "usage" // bad command line
  | "not_joined" // the data dir holds no node identity yet
  | "already_joined" // join into a data dir that already belongs to a cluster
  | "locked" // another agent process serves this data dir
  | "not_root" // runc needs root
  | "no_runc" // runc is missing or does not work
  | "unreachable" // the control plane did not answer
  | "rejected" // the control plane refused a request
  | "bad_desired_state" // a desired state failed verification
  | "not_found" // no such receipt/container on this node
  | "replay_failed" // a replay could not be run
  | "state"; // the data dir holds something inconsistent

export class AgentError extends CodedError<AgentErrorCode> {
  override name = "AgentError";
}
