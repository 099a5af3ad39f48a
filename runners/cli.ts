/**
 * Shared plumbing for the command-line entry points: argument parsing with --help, and turning
 * errors into one line plus a fix, with the exit codes 0 success / 1 failure / 2 bad usage.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { GuestbenchError, UsageError } from '../lib/util/errors.js';

/** A subcommand: its usage text, options and action. */
export interface Command {
  /** e.g. "run density-cpu" */
  name: string;
  summary: string;
  /** full --help text */
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** how many positional arguments it takes (default none): more are refused before it runs */
  maxPositionals?: number;
  /** runs with parsed values; returns the exit code */
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

/**
 * `--guests -1` -> `--guests=-1`: node's parser takes a value starting with '-' for an option and
 * answers "argument is ambiguous"; joined, the value reaches the option's own check and its message.
 */
function joinNegativeValues(command: Command, argv: readonly string[]): string[] {
  const joined: string[] = [];
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    const next = argv[index + 1];
    const option = arg.startsWith('--') ? command.options[arg.slice(2)] : undefined;
    if (option?.type === 'string' && next !== undefined && /^-[0-9]/.test(next)) {
      joined.push(`${arg}=${next}`);
      index += 1;
    } else joined.push(arg);
  }
  return joined;
}

/** The parser keeps the last of a repeated option silently: each option is taken once, or refused. */
function refuseRepeatedOptions(
  command: Command,
  tokens: ReadonlyArray<{ kind: string; name?: string; value?: string }>,
): void {
  const given = new Map<string, string[]>();
  for (const token of tokens) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    given.set(token.name, [...(given.get(token.name) ?? []), token.value ?? 'set']);
  }
  for (const [name, seen] of given) {
    // an option declared `multiple` (report's -p NAME=VALUE) is meant to be given again
    if (seen.length < 2 || command.options[name]?.multiple === true) continue;
    throw new UsageError(
      `Expected \`--${name}\` once, got it ${seen.length} times (${seen.join(', ')}) (guestbench ${command.name})`,
      { fix: `give \`--${name}\` once; a list is one comma-separated value, e.g. \`--guests 1,2,4\`` },
    );
  }
}

/** Parses argv for a command; unknown options become a UsageError naming the option. */
export function parseCommandArgs(
  command: Command,
  argv: string[],
): { values: Record<string, string | boolean | undefined>; positionals: string[]; help: boolean } {
  try {
    const { values, positionals, tokens } = parseArgs({
      args: joinNegativeValues(command, argv),
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
      tokens: true,
    });
    const help = values.help === true;
    if (!help) refuseRepeatedOptions(command, tokens);
    const extra = positionals.slice(command.maxPositionals ?? 0);
    if (extra.length > 0 && !help)
      throw new UsageError(`Unexpected argument \`${extra.join(' ')}\` (guestbench ${command.name})`, {
        fix: `see \`guestbench ${command.name} --help\``,
      });
    return { values: values as Record<string, string | boolean | undefined>, positionals, help };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${message.split('\n')[0]} (guestbench ${command.name})`, {
      fix: `see \`guestbench ${command.name} --help\``,
    });
  }
}

/** Prints an error as one line (plus its fix) and returns the exit code for it. */
export function reportError(error: unknown): number {
  if (error instanceof GuestbenchError) {
    process.stderr.write(`guestbench: ${error.message}\n`);
    if (error.fix) process.stderr.write(`  fix: ${error.fix}\n`);
    if (process.env.GUESTBENCH_DEBUG && error.stack) process.stderr.write(`${error.stack}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`guestbench: unexpected error: ${message.split('\n')[0]}\n`);
  process.stderr.write(
    '  fix: rerun with GUESTBENCH_DEBUG=1 for the stack trace, and report it if it looks like a bug\n',
  );
  if (process.env.GUESTBENCH_DEBUG && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return 1;
}

/** A timestamped progress line on stderr. */
export function logLine(line: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}
