/**
 * A host whose job (a check, a set-up) failed: the one line that says why, and the fix, so that
 * one host's failure is a line of the report rather than the end of the command.
 */
import { firstLine, GuestbenchError } from '../util/errors.js';

/** One host's failed job. */
export interface HostFailure {
  state: 'failed';
  host: string;
  /** the error's first line */
  error: string;
  /** what to do about it, where the error names it */
  fix: string | undefined;
}

/** The failure of `host`'s job from the error it threw. */
export function hostFailure(host: string, error: unknown): HostFailure {
  return {
    state: 'failed',
    host,
    error: firstLine(error),
    fix: error instanceof GuestbenchError ? error.fix : undefined,
  };
}
