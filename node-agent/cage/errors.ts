// Failures of the cage (spec building, runc, container lifecycle) with stable codes.
import { CodedError } from "../coded-error.ts";

export type CageErrorCode =
  | "bad_workload" // the workload asks for something invalid (empty argv, bad env name…)
  | "bad_id" // container id not usable by runc
  | "exists" // a container with this id already exists
  | "not_found" // no such container
  | "unsupported" // the host or runc lacks a feature the cage needs
  | "runc" // runc failed
  | "state"; // the operation does not fit the container's state

export class CageError extends CodedError<CageErrorCode> {
  override name = "CageError";
}
