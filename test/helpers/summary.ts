/**
 * Looking up one value in a summary, as the notebook tests compare what a notebook printed with it.
 */
import type { SummaryRow } from '../../lib/analysis/summarize.js';

/** `mean(backend, guests, metric)`: the summary's mean for that cell; throws when the summary has none. */
export function meanIn(summary: readonly SummaryRow[]): (backend: string, guests: number, metric: string) => number {
  return (backend, guests, metric) => {
    const row = summary.find((item) => item.backend === backend && item.guests === guests && item.metric === metric);
    if (!row) throw new Error(`the summary has no ${metric} for ${backend} N=${guests}`);
    return row.mean;
  };
}
