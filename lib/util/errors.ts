/**
 * Typed errors. Every message says what failed, then the command or input, then what to do.
 */
import type { BackendName } from '../model/backends.js';

/** Base class: carries a `fix` the CLI prints on its own line. */
export class GuestbenchError extends Error {
  /** what the user can do about it, one sentence */
  readonly fix: string | undefined;
  constructor(message: string, options: { cause?: unknown; fix?: string } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.fix = options.fix;
  }
}

/** Bad command-line input or options: exit code 2. */
export class UsageError extends GuestbenchError {}

/**
 * A host named on the command line (`--host`, `guestbench hosts ...`) cannot be used as named: an
 * unknown alias, a host that would ask for a password, one that refuses or does not answer, no
 * passwordless sudo, another guestbench commit. Bad input, so exit code 2, before anything starts.
 */
export class HostError extends UsageError {
  /** the host as the user named it (an ssh alias or user@address) */
  readonly host: string;
  constructor(message: string, options: { cause?: unknown; fix?: string; host: string }) {
    super(message, options);
    this.host = options.host;
  }
}

/** A backend could not start, reach or stop a guest. */
export class BackendError extends GuestbenchError {
  readonly backend: BackendName;
  constructor(message: string, options: { cause?: unknown; fix?: string; backend: BackendName }) {
    super(message, options);
    this.backend = options.backend;
  }
}

/** The host lacks something a step needs (no Docker engine, no images, not root...). */
export class CapabilityError extends GuestbenchError {}

/** Tool output that did not have the expected shape. */
export class ParseError extends GuestbenchError {}

/**
 * The results directory refused a write (full disk, quota, a read-only remount): the campaign stops;
 * what was written before stays intact (a row is never half written).
 */
export class ResultsWriteError extends GuestbenchError {
  /** the errno code, e.g. ENOSPC */
  readonly code: string | undefined;
  constructor(message: string, options: { cause?: unknown; fix?: string; code?: string | undefined }) {
    super(message, options);
    this.code = options.code;
  }
}

/** An operation that was aborted by the user (Ctrl-C) or by a timeout. */
export class AbortedError extends GuestbenchError {}

/** The first line of an error's message (or of anything thrown), for one-line reasons in rows and logs. */
export function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
}
