/**
 * Running the untimed steps of a workload (prepare, cleanup) inside a guest: a non-zero exit becomes
 * a WorkloadError naming the step, the guest, the command and the last line of its output, with
 * secrets masked.
 */
import type { ExecResult, Guest } from '../backends/guest.js';
import { GuestbenchError } from '../util/errors.js';

/** An untimed workload step failed inside a guest. */
export class WorkloadError extends GuestbenchError {}

/** Masks secrets in text that may reach a log, a row's `reason` or campaign.json. */
export type Redact = (text: string) => string;

/** A Redact that replaces each of `secrets` (non-empty ones) with `***`. */
export function redactor(...secrets: string[]): Redact {
  const present = secrets.filter((secret) => secret.length > 0);
  return (text) => present.reduce((masked, secret) => masked.split(secret).join('***'), text);
}

/** Options of {@link execChecked}. */
export interface ExecCheckedOptions {
  /** the step, for the message: "sysbench fileio prepare" */
  what: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** applied to the whole message (default: nothing masked) */
  redact?: Redact;
  /** print this instead of argv in messages (for commands that carry a secret) */
  shownAs?: string;
}

/** Runs argv in the guest; resolves with the result on exit code 0, else throws a WorkloadError. */
export async function execChecked(
  guest: Guest,
  argv: readonly string[],
  options: ExecCheckedOptions,
): Promise<ExecResult> {
  const redact = options.redact ?? ((text: string) => text);
  let result: ExecResult;
  try {
    result = await guest.exec(argv, { signal: options.signal, timeoutMs: options.timeoutMs });
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new WorkloadError(
      redact(`${options.what} failed in ${guest.spec.name}: ${options.shownAs ?? argv.join(' ')}: ${detail}`),
    );
  }
  if (result.exitCode !== 0) {
    // the output's last lines, on one line: rows' `reason` and log lines keep only the first line
    const tail = (result.stderr.trim() || result.stdout.trim())
      .split('\n')
      .filter((line) => line.trim() !== '')
      .slice(-3)
      .join(' / ');
    throw new WorkloadError(
      redact(
        `${options.what} failed in ${guest.spec.name} with exit code ${result.exitCode}: ${options.shownAs ?? argv.join(' ')}: ${tail || '(no output)'}`,
      ),
    );
  }
  return result;
}

/** Quotes one word for POSIX sh. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:,+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** argv that runs `argv` in directory `dir` (sysbench fileio has no directory option). */
export function inDirectory(dir: string, argv: readonly string[]): string[] {
  return ['sh', '-c', `cd ${shellQuote(dir)} && exec "$@"`, 'sh', ...argv];
}
