/**
 * Which metrics are totals of the workload: their value grows with its size (the prime limit, the
 * number of requests, the length of the run), so ours and the thesis's are only alike when both ran
 * the same workload. Rates, per-request times, boot and migration times and ratios to the bare host
 * are like quantities whatever the size (issue 13: the quick profile's 10000 primes against the
 * thesis's 30000 made "ours / thesis" of total_time read as a finding).
 */
import type { MetricName } from '../results/schema.js';

const WORKLOAD_TOTALS: ReadonlySet<MetricName> = new Set<MetricName>([
  'total_time',
  'events',
  'latency_sum',
  'fairness_events_avg',
  'fairness_events_stddev',
  'fairness_exec_avg',
  'fairness_exec_stddev',
  'requests',
  'reads',
  'writes',
  'fsyncs',
  'other',
  'queries',
  'transactions',
  'errors',
  'reconnects',
]);

/**
 * Whether a value of `metric` in `unit` is a total that grows with the workload's size (see the
 * module comment); the same metric divided by the bare host's (unit `ratio`) is not.
 */
export function isWorkloadTotal(metric: string, unit: string): boolean {
  return unit !== 'ratio' && WORKLOAD_TOTALS.has(metric as MetricName);
}

/** The density experiments: every value they measure grows or shrinks with the size of their workload. */
const SIZED_EXPERIMENTS: ReadonlySet<string> = new Set(['density-cpu', 'density-fileio', 'density-mysql']);

/**
 * Why a campaign's values are not like quantities with the thesis's, or null when they are: a density campaign of
 * another profile than `thesis` ran a smaller workload (fewer primes, a smaller file set or table, a shorter run),
 * and its per-request times, rates and throughputs depend on that size as its totals do (issue 23: ours / thesis of
 * 0.06 for Table 4.2's per-request time, 37 for file I/O speed). Only ratios to the bare host compare across sizes.
 */
export function workloadDiffers(meta: { experiment: string; profile: string }): string | null {
  if (!SIZED_EXPERIMENTS.has(meta.experiment) || meta.profile === 'thesis') return null;
  return `this campaign ran the ${meta.profile} profile's smaller ${meta.experiment} workload, not the thesis's, so its times, rates and counts differ by the workload's size`;
}
