/**
 * Which way is better for a value, from its unit alone: a time is better lower, a rate higher; a
 * count, a size or a ratio says nothing by itself (more events in a fixed time is better, more
 * errors is not), so those changes are only "higher" or "lower".
 */
import type { Unit } from '../results/schema.js';

const LOWER_IS_FASTER: readonly Unit[] = ['s', 'ms'];
const HIGHER_IS_FASTER: readonly Unit[] = ['events/s', 'requests/s', 'transactions/s', 'queries/s', 'MiB/s', 'Mbit/s'];

/** 'lower' for times, 'higher' for rates, null where the unit does not say. */
export function fasterWhen(unit: Unit): 'lower' | 'higher' | null {
  if (LOWER_IS_FASTER.includes(unit)) return 'lower';
  if (HIGHER_IS_FASTER.includes(unit)) return 'higher';
  return null;
}

/** Whether `unit` is a rate (per second): the like-for-like quantity when workload sizes differ. */
export function isRate(unit: Unit): boolean {
  return HIGHER_IS_FASTER.includes(unit);
}
