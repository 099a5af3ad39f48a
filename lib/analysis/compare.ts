/**
 * Ours beside the thesis's: joins summary rows with the thesis's printed values on
 * (backend, guests, metric), keeping both and, between like quantities, their ratio. Never mixes the
 * two into one column.
 */
import { backendDescriptor, backendRank, type BackendName } from '../model/backends.js';
import type { SummaryRow } from './summarize.js';
import { isWorkloadTotal } from './workload-totals.js';
import type { ThesisPoint } from './thesis-points.js';

/** One comparison line. */
export interface Comparison {
  backend: BackendName;
  /** accelerator of our measurement (the thesis always used KVM for VMs) */
  accel: string;
  guests: number;
  metric: string;
  unit: string;
  /** our mean, its 95% CI (or why there is none) and n; null where we have no measurement */
  ours: { mean: number; ciLow: number | null; ciHigh: number | null; intervalNote: string | null; n: number } | null;
  /** the thesis's value; null where it printed none */
  thesis: { value: number; approximate: boolean; source: string } | null;
  /** ours / thesis, between like quantities only: null for a total of the workload (workload-totals.ts) */
  ratio: number | null;
}

/**
 * Joins ours and the thesis's for the given metrics. Every (backend, guests, metric) that either
 * side has appears once; rows are ordered by backend, metric, guests.
 */
export function compareWithThesis(
  summary: readonly SummaryRow[],
  thesis: readonly ThesisPoint[],
  metrics: readonly string[],
): Comparison[] {
  const keys = new Map<string, { backend: BackendName; guests: number; metric: string }>();
  const keyOf = (item: { backend: BackendName; guests: number; metric: string }) =>
    `${item.backend}/${item.metric}/${item.guests}`;
  for (const item of [...summary, ...thesis]) {
    if (metrics.includes(item.metric))
      keys.set(keyOf(item), { backend: item.backend, guests: item.guests, metric: item.metric });
  }
  return [...keys.values()]
    .sort(
      (a, b) =>
        backendRank(a.backend) - backendRank(b.backend) ||
        metrics.indexOf(a.metric) - metrics.indexOf(b.metric) ||
        a.guests - b.guests,
    )
    .map((key) => {
      const row = summary.find((candidate) => keyOf(candidate) === keyOf(key));
      const point = thesis.find((candidate) => keyOf(candidate) === keyOf(key));
      const unit = row?.unit ?? '';
      return {
        ...key,
        // the thesis's VMs ran under KVM, its containers and bare host have no accelerator
        accel: row?.accel ?? (backendDescriptor(key.backend).kind === 'vm' ? 'kvm' : 'none'),
        unit,
        ours: row
          ? { mean: row.mean, ciLow: row.ciLow, ciHigh: row.ciHigh, intervalNote: row.intervalNote, n: row.n }
          : null,
        thesis: point ? { value: point.value, approximate: point.approximate, source: point.source } : null,
        // a total of the workload (total_time, counts) is not divided: the sizes differ
        ratio: row && point && point.value !== 0 && !isWorkloadTotal(key.metric, unit) ? row.mean / point.value : null,
      };
    });
}
