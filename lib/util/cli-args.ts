/**
 * Validation of command-line values at the edge: each error names the option and the fix.
 */
import type { BackendName } from '../results/schema.js';
import { UsageError } from './errors.js';

const BACKENDS: readonly BackendName[] = ['native', 'docker', 'kvm'];

/** `--backends native,docker,kvm` -> ['native', 'docker', 'kvm'] (order kept, duplicates dropped). */
export function parseBackends(value: string): BackendName[] {
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(BACKENDS as readonly string[]).includes(name));
  if (names.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `Expected \`--backends\` to be a comma-separated list of ${BACKENDS.join(', ')}, got \`${value}\``,
      {
        fix: 'for example `--backends native,docker,kvm`',
      },
    );
  }
  return [...new Set(names)] as BackendName[];
}

/** `--guests 1,2,4` -> [1, 2, 4]; with `min` 0, `0,1,2` is accepted too. */
export function parsePositiveIntList(value: string, option: string, min: 0 | 1 = 1): number[] {
  const parts = value.split(',').map((part) => part.trim());
  const pattern = min === 0 ? /^(0|[1-9][0-9]*)$/ : /^[1-9][0-9]*$/;
  if (parts.length === 0 || parts.some((part) => !pattern.test(part))) {
    const what = min === 0 ? 'non-negative integers' : 'positive integers';
    throw new UsageError(`Expected \`${option}\` to be a list of ${what}, got \`${value}\``, {
      fix: `for example \`${option} ${min === 0 ? '0,1,2,4' : '1,2,4,8'}\``,
    });
  }
  return [...new Set(parts.map(Number))];
}

/** `--repeats 10` -> 10. */
export function parsePositiveInt(value: string, option: string): number {
  if (!/^[1-9][0-9]*$/.test(value.trim())) {
    throw new UsageError(`Expected \`${option}\` to be a positive integer, got \`${value}\``, {
      fix: `for example \`${option} 3\``,
    });
  }
  return Number(value);
}
