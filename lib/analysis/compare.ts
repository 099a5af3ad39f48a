/**
 * Ours beside the thesis's: joins summary rows with the thesis's printed values on
 * (backend, guests, metric), keeping both and their ratio. Never mixes the two into one column.
 */
import type { ThesisPoint } from '../figures/density-figures.js';
import type { BackendName } from '../results/schema.js';
import type { SummaryRow } from './summarize.js';

/** One comparison line. */
export interface Comparison {
  backend: BackendName;
  /** accelerator of our measurement (the thesis always used KVM for VMs) */
  accel: string;
  guests: number;
  metric: string;
  unit: string;
  /** our mean, its 95% CI and n; null where we have no measurement */
  ours: { mean: number; ciLow: number | null; ciHigh: number | null; n: number } | null;
  /** the thesis's value; null where it printed none */
  thesis: { value: number; approximate: boolean; source: string } | null;
  /** ours / thesis */
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
  const order: Record<BackendName, number> = { native: 0, docker: 1, kvm: 2 };
  return [...keys.values()]
    .sort(
      (a, b) =>
        order[a.backend] - order[b.backend] ||
        metrics.indexOf(a.metric) - metrics.indexOf(b.metric) ||
        a.guests - b.guests,
    )
    .map((key) => {
      const row = summary.find((candidate) => keyOf(candidate) === keyOf(key));
      const point = thesis.find((candidate) => keyOf(candidate) === keyOf(key));
      return {
        ...key,
        accel: row?.accel ?? (key.backend === 'kvm' ? 'kvm' : 'none'),
        unit: row?.unit ?? '',
        ours: row ? { mean: row.mean, ciLow: row.ciLow, ciHigh: row.ciHigh, n: row.n } : null,
        thesis: point ? { value: point.value, approximate: point.approximate, source: point.source } : null,
        ratio: row && point && point.value !== 0 ? row.mean / point.value : null,
      };
    });
}
