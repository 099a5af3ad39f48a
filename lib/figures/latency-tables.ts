/**
 * HTML tables for chapter 5: cold boot vs restore, the thesis's stated comparisons beside ours, and
 * a few metrics side by side per backend and N (e.g. the harness's overhead).
 */
import type { PhaseMean } from '../analysis/latency-phases.js';
import type { RestoreSummary } from '../analysis/latency-restore-summary.js';
import type { SummaryRow } from '../analysis/summarize.js';
import type { MetricName } from '../results/schema.js';
import { BACKEND_NAMES, backendDescriptor, seriesLabel, type BackendName } from '../model/backends.js';
import { htmlTable, type NotedText } from './html-table.js';
import { meanWithInterval, type IntervalStats } from './interval-text.js';

/**
 * "1.234 [1.100, 1.368] n=3", "1.234 n=2" footnoted "too few repeats (n=2) for an interval", or
 * "–"; `digits` decimals, by default about 3 significant digits of the mean.
 */
export function meanWithCi(stats: IntervalStats | null | undefined, digits?: number): string | NotedText {
  return stats ? meanWithInterval(stats, digits) : '–';
}

/** Figure 5.2 as a table: cold boot, restore (or why not), speed-up and time saved. */
export function restoreTableHtml(rows: readonly RestoreSummary[], caption: string): string {
  return htmlTable(
    rows,
    [
      { label: 'guest', value: (row) => seriesLabel(row.backend, row.accel) },
      { label: 'N', value: (row) => String(row.guests), align: 'right' },
      { label: 'cold boot (s): mean [95% CI]', value: (row) => meanWithCi(row.cold), align: 'right' },
      {
        label: 'restore (s): mean [95% CI]',
        value: (row) => (row.restore ? meanWithCi(row.restore) : `${row.restoreState}: ${row.reason ?? 'no rows'}`),
        align: 'right',
      },
      {
        label: 'speed-up cold / restore (paired per repeat)',
        value: (row) => meanWithCi(row.speedup, 2),
        align: 'right',
      },
      { label: 'saved, cold − restore (s)', value: (row) => meanWithCi(row.saving), align: 'right' },
      { label: 'saving the state (s, not in restore)', value: (row) => meanWithCi(row.save), align: 'right' },
      { label: 'state file (MiB)', value: (row) => meanWithCi(row.stateMiB, 1), align: 'right' },
    ],
    caption,
  );
}

/** Several metrics side by side, one row per (backend, accel, N): mean [95% CI] of each. */
export function metricsTableHtml(
  summary: readonly SummaryRow[],
  metrics: readonly MetricName[],
  caption: string,
  options: { digits?: number } = {},
): string {
  const cells = new Map<string, SummaryRow[]>();
  for (const row of summary.filter((candidate) => metrics.includes(candidate.metric))) {
    const key = `${row.backend}/${row.accel}/${String(row.guests).padStart(4, '0')}`;
    cells.set(key, [...(cells.get(key) ?? []), row]);
  }
  const groups = [...cells.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, rows]) => rows);
  return htmlTable(
    groups,
    [
      { label: 'guest', value: (rows) => seriesLabel(rows[0]!.backend, rows[0]!.accel) },
      { label: 'N', value: (rows) => String(rows[0]!.guests), align: 'right' },
      ...metrics.map((metric) => ({
        label: `${metric} (${summary.find((row) => row.metric === metric)?.unit ?? ''})`,
        value: (rows: SummaryRow[]) =>
          meanWithCi(
            rows.find((row) => row.metric === metric),
            options.digits,
          ),
        align: 'right' as const,
      })),
    ],
    caption,
  );
}

/** Phase means as a table (the stacked bars' numbers). */
export function phaseTableHtml(means: readonly PhaseMean[], caption: string): string {
  return htmlTable(
    means,
    [
      { label: 'guest', value: (mean) => seriesLabel(mean.backend, mean.accel) },
      { label: 'N', value: (mean) => String(mean.guests), align: 'right' },
      { label: 'what', value: (mean) => mean.what },
      { label: 'phase', value: (mean) => `${mean.phase}${mean.inHeadline ? '' : ' (not in the headline time)'}` },
      { label: 'mean (s)', value: (mean) => mean.mean, digits: 3 },
    ],
    caption,
  );
}

/** What a latency campaign recorded ready and gone to mean, as its campaign.json has it. */
interface LatencyDefinitionSource {
  meta: { methods?: Partial<Record<BackendName, Record<string, string>>>; parameters: Record<string, unknown> };
}

/**
 * "Ready" and "gone" for each backend of a latency campaign: each backend's own words (campaign.json
 * `methods`), or, for campaigns made before those were recorded, the parameters they kept instead.
 */
export function latencyDefinitionsHtml(campaign: LatencyDefinitionSource, caption: string): string {
  const lines: Array<[string, string]> = [];
  const methods = campaign.meta.methods ?? {};
  for (const backend of BACKEND_NAMES) {
    const words = methods[backend];
    if (!words) continue;
    const title = backendDescriptor(backend).title;
    if (words.ready) lines.push([`${title}: ready (boot_time ends)`, words.ready]);
    if (words.gone) lines.push([`${title}: gone (shutdown_time ends)`, words.gone]);
  }
  const old = campaign.meta.parameters as {
    readiness?: string;
    shutdown?: Partial<Record<BackendName, string>>;
    containerMainProcess?: string[];
  };
  if (lines.length === 0 && typeof old.readiness === 'string') {
    lines.push(['ready (boot_time ends)', old.readiness]);
    for (const backend of BACKEND_NAMES) {
      const gone = old.shutdown?.[backend];
      if (gone) lines.push([`${backendDescriptor(backend).title}: gone (shutdown_time ends)`, gone]);
    }
    if (old.containerMainProcess) lines.push(['container main process', old.containerMainProcess.join(' ')]);
  }
  const params = campaign.meta.parameters as { guests?: Partial<Record<BackendName, number[]>>; repeats?: number };
  lines.push([
    'N per backend, repeats',
    `${Object.entries(params.guests ?? {})
      .map(([backend, counts]) => `${backend}: ${(counts ?? []).join(', ')}`)
      .join('; ')}; ${String(params.repeats ?? '?')} repeats`,
  ]);
  return htmlTable(
    lines,
    [
      { label: 'term', value: (line) => line[0] },
      { label: 'definition', value: (line) => line[1] },
    ],
    caption,
  );
}
