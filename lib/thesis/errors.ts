/**
 * Errors of the thesis data layer: a malformed data file, and a lookup that does not find exactly one row.
 */
import { GuestbenchError } from '../util/errors.js';

/** A file under data/thesis/ that is missing or does not have the expected shape. */
export class ThesisDataError extends GuestbenchError {
  /** the file at fault */
  readonly file: string;
  /** 1-based line in `file`, when the fault has one */
  readonly line: number | undefined;
  constructor(message: string, options: { file: string; line?: number; cause?: unknown; fix?: string }) {
    super(message, {
      cause: options.cause,
      fix: options.fix ?? 'fix the row named above; data/thesis/ rows are described in lib/thesis/thesis-row.ts',
    });
    this.file = options.file;
    this.line = options.line;
  }
}

/** `thesisValue()` matched no row or more than one. */
export class ThesisLookupError extends GuestbenchError {
  /** ids of the rows that matched (empty when none did) */
  readonly candidates: readonly string[];
  constructor(message: string, options: { candidates: readonly string[]; fix?: string }) {
    super(message, { fix: options.fix });
    this.candidates = options.candidates;
  }
}

/** A record of data/thesis/claims.jsonl that does not have the expected shape. */
export class ClaimDataError extends GuestbenchError {
  /** the claims file */
  readonly file: string;
  /** 1-based line of the record in `file`, when the fault has one */
  readonly line: number | undefined;
  /** the record's id, when it has one */
  readonly claimId: string | undefined;
  /** the field at fault, e.g. `tolerance.factor` */
  readonly field: string | undefined;
  constructor(
    message: string,
    options: { file: string; line?: number; claimId?: string; field?: string; cause?: unknown; fix?: string },
  ) {
    super(message, {
      cause: options.cause,
      fix: options.fix ?? 'fix the field named above; claim records are described in lib/thesis/claim-record.ts',
    });
    this.file = options.file;
    this.line = options.line;
    this.claimId = options.claimId;
    this.field = options.field;
  }
}
