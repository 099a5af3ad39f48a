/**
 * The comparisons chapter 5 states in words ("a factor of 6", "three times faster", "8.5 seconds"),
 * each beside the same comparison computed from our measurements: one line per claim, in the
 * spirit of Popper's validate step.
 */
import { isNumericRow, loadThesisRows, type ThesisNumericRow, type ThesisSelector } from '../thesis/index.js';
import type { SummaryRow } from './summarize.js';

/** One stated comparison and ours. */
export interface ThesisClaim {
  id: string;
  /** e.g. "kvm boot_time (N=1) / docker boot_time (N=1)" */
  statement: string;
  statistic: 'ratio' | 'difference' | 'relative_change';
  unit: string;
  thesis: {
    value: number;
    approximate: boolean;
    source: string;
    inconsistencies: readonly string[];
    note: string | null;
  };
  /** the same comparison from our means; null where we lack one side */
  ours: number | null;
  /** the means it was computed from, or why it could not be */
  detail: string;
}

function describeSide(side: ThesisSelector): string {
  const guests =
    side.guests === undefined || side.guests === null
      ? ''
      : ` (N=${Array.isArray(side.guests) ? side.guests.join(',') : String(side.guests)})`;
  return `${side.backend ?? 'any'} ${side.metric ?? ''}${guests}`.trim();
}

/** Our mean for one side: the stated N, or where the thesis names none, our smallest N. */
function oursFor(summary: readonly SummaryRow[], side: ThesisSelector): SummaryRow | undefined {
  if (Array.isArray(side.guests)) return undefined;
  const rows = summary.filter((row) => row.backend === side.backend && row.metric === side.metric);
  if (typeof side.guests === 'number') return rows.find((row) => row.guests === side.guests);
  return [...rows].sort((a, b) => a.guests - b.guests)[0];
}

/**
 * The thesis's stated comparisons (ratio, difference, relative change) of one experiment, each with
 * ours from `summary`.
 */
export function thesisClaims(
  experiment: 'latency' | 'latency-restore',
  summary: readonly SummaryRow[],
  dir?: string,
): ThesisClaim[] {
  const rows = loadThesisRows(dir)
    .filter(isNumericRow)
    .filter(
      (row): row is ThesisNumericRow & { relates: NonNullable<ThesisNumericRow['relates']> } =>
        row.experiment === experiment && row.relates !== null,
    )
    .filter(
      (row) => row.statistic === 'ratio' || row.statistic === 'difference' || row.statistic === 'relative_change',
    );
  return rows.map((row) => {
    const [a, b] = row.relates;
    const statistic = row.statistic as ThesisClaim['statistic'];
    const op = statistic === 'ratio' ? '/' : statistic === 'difference' ? '-' : 'relative to';
    const left = oursFor(summary, a);
    const right = oursFor(summary, b);
    let ours: number | null = null;
    let detail: string;
    if (!left || !right) {
      detail = `no measurement of ${[!left ? describeSide(a) : null, !right ? describeSide(b) : null].filter(Boolean).join(' nor ')}`;
    } else {
      ours =
        statistic === 'ratio'
          ? left.mean / right.mean
          : statistic === 'difference'
            ? left.mean - right.mean
            : (left.mean - right.mean) / right.mean;
      detail = `${left.backend} (${left.accel}) N=${left.guests}: ${left.mean.toFixed(3)} ${op} ${right.backend} (${right.accel}) N=${right.guests}: ${right.mean.toFixed(3)}`;
    }
    return {
      id: row.id,
      statement: `${describeSide(a)} ${op} ${describeSide(b)}`,
      statistic,
      unit: row.unit,
      thesis: {
        value: row.value,
        approximate: row.approximate,
        source: `${row.source.ref}, line ${row.source.line}`,
        inconsistencies: row.inconsistencies,
        note: row.note,
      },
      ours,
      detail,
    };
  });
}
