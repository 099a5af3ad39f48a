/**
 * Validation of command-line values at the edge: each error names the option and the fix.
 */
import { BACKEND_NAMES, isBackendName, type BackendName } from '../model/backends.js';
import { unrunnableSystem } from '../model/unrunnable-systems.js';
import { UsageError } from './errors.js';

/**
 * `--backends native,docker,kvm` -> ['native', 'docker', 'kvm'] (order kept, duplicates dropped);
 * the choices are the backend table's.
 */
export function parseBackends(value: string): BackendName[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unrunnable = names.map(unrunnableSystem).find((system) => system !== undefined);
  if (unrunnable) {
    throw new UsageError(
      `\`--backends ${unrunnable.name}\`: guestbench does not run ${unrunnable.title}: ${unrunnable.why}`,
      {
        fix: `choose from ${BACKEND_NAMES.join(', ')}`,
      },
    );
  }
  if (names.length === 0 || !names.every(isBackendName)) {
    throw new UsageError(
      `Expected \`--backends\` to be a comma-separated list of ${BACKEND_NAMES.join(', ')}, got \`${value}\``,
      { fix: `for example \`--backends ${BACKEND_NAMES.join(',')}\`` },
    );
  }
  return [...new Set(names)];
}

/** The largest value each numeric option takes: beyond it a campaign could not run on any host. */
export const OPTION_MAXIMUM: Record<string, number> = {
  '--guests': 256,
  '--repeats': 1000,
  '--link-mbit': 100_000,
  '--min-repeats': 1000,
  '--max-repeats': 1000,
};

function outOfRange(option: string, value: string, min: number, max: number, list: boolean): UsageError {
  return new UsageError(
    `Expected \`${option}\` to be ${list ? 'a list of integers' : 'an integer'} from ${min} to ${max}, got \`${value}\``,
    { fix: `for example \`${option} ${list ? (min === 0 ? '0,1,2,4' : '1,2,4,8') : '3'}\`` },
  );
}

/**
 * `--guests 1,2,4` -> [1, 2, 4] (duplicates folded); with `min` 0, `0,1,2` is accepted too. Values
 * above the option's maximum (OPTION_MAXIMUM) are refused, as negative ones are.
 */
export function parsePositiveIntList(value: string, option: string, min: 0 | 1 = 1): number[] {
  const parts = value.split(',').map((part) => part.trim());
  const pattern = min === 0 ? /^(0|[1-9][0-9]*)$/ : /^[1-9][0-9]*$/;
  const max = OPTION_MAXIMUM[option] ?? Number.MAX_SAFE_INTEGER;
  if (parts.some((part) => /^-[0-9]+$/.test(part))) throw outOfRange(option, value, min, max, true);
  if (parts.length === 0 || parts.some((part) => !pattern.test(part))) {
    const what = min === 0 ? 'non-negative integers' : 'positive integers';
    throw new UsageError(`Expected \`${option}\` to be a list of ${what}, got \`${value}\``, {
      fix: `for example \`${option} ${min === 0 ? '0,1,2,4' : '1,2,4,8'}\``,
    });
  }
  if (parts.some((part) => Number(part) > max)) throw outOfRange(option, value, min, max, true);
  return [...new Set(parts.map(Number))];
}

/** `--repeats 10` -> 10; above the option's maximum (OPTION_MAXIMUM) or negative: refused. */
export function parsePositiveInt(value: string, option: string): number {
  const max = OPTION_MAXIMUM[option] ?? Number.MAX_SAFE_INTEGER;
  if (/^-[0-9]+$/.test(value.trim())) throw outOfRange(option, value, 1, max, false);
  if (!/^[1-9][0-9]*$/.test(value.trim())) {
    throw new UsageError(`Expected \`${option}\` to be a positive integer, got \`${value}\``, {
      fix: `for example \`${option} 3\``,
    });
  }
  if (Number(value) > max) throw outOfRange(option, value, 1, max, false);
  return Number(value);
}

const DECIMAL = /^(0|[1-9][0-9]*)?(\.[0-9]+)?$/;

/** `--alpha 0.05` -> 0.05: a decimal number strictly between 0 and 1. */
export function parseProbability(value: string, option: string): number {
  const text = value.trim();
  const number = Number(text);
  if (text === '' || !DECIMAL.test(text) || !(number > 0 && number < 1)) {
    throw new UsageError(`Expected \`${option}\` to be a number between 0 and 1 (both excluded), got \`${value}\``, {
      fix: `for example \`${option} 0.05\``,
    });
  }
  return number;
}

/**
 * `--min-effect 5%` or `--min-effect 0.05` -> 0.05: a percentage from 0% to 1000%, or a fraction
 * from 0 to 1 (a bare number above 1 is refused: 5 could mean 5% or 500%).
 */
export function parsePercentOrFraction(value: string, option: string): number {
  const text = value.trim();
  const percent = text.endsWith('%');
  const digits = percent ? text.slice(0, -1) : text;
  const number = Number(digits);
  const ok = digits !== '' && DECIMAL.test(digits) && (percent ? number <= 1000 : number <= 1);
  if (!ok) {
    throw new UsageError(
      `Expected \`${option}\` to be a percentage from 0% to 1000% or a fraction from 0 to 1, got \`${value}\``,
      { fix: `for example \`${option} 5%\` (or \`${option} 0.05\`)` },
    );
  }
  return percent ? number / 100 : number;
}
