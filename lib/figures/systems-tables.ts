/**
 * Notebook 06's tables: every system in one table (start-up, restore, memory per guest, density
 * slopes), the systems the seeds compare that guestbench cannot run with why, and what each system
 * could not do here with the reason its rows recorded.
 */
import type { SummaryRow } from '../analysis/summarize.js';
import { hostMemoryDrop } from '../analysis/host-memory-drop.js';
import type { CouldNot, DensitySlope, SlopeGap, SystemRow, SystemsOverview } from '../analysis/systems-overview.js';
import { DENSITY_HEADLINES } from '../analysis/systems-overview.js';
import { backendDescriptor } from '../model/backends.js';
import type { UnrunnableSystem } from '../model/unrunnable-systems.js';
import { htmlTable, type NotedText } from './html-table.js';
import { meanWithInterval } from './interval-text.js';
import { decimalsFor, fixedText, numberText } from './number-text.js';
import { meanWithCi } from './latency-tables.js';
import { systemLabel } from './systems-figures.js';

const MIB = 1024 * 1024;

function mib(stats: { mean: number } | null | undefined): number | null {
  return stats ? stats.mean / MIB : null;
}

/** One row per system measured here, then one per system the seeds name that guestbench cannot run. */
export function systemsTableHtml(
  overview: SystemsOverview,
  unrunnable: readonly UnrunnableSystem[],
  caption: string,
): string {
  type Row =
    | { measured: SystemsOverview['rows'][number]; unrunnable?: undefined }
    | { measured?: undefined; unrunnable: UnrunnableSystem };
  const rows: Row[] = [
    ...overview.rows.map((measured) => ({ measured })),
    ...unrunnable.map((system) => ({ unrunnable: system })),
  ];
  const slopeColumns = DENSITY_HEADLINES.map((headline) => ({
    label: `${headline.experiment}: ${headline.metric} per added guest (× bare host N=1) [95% CI]`,
    value: (row: Row) => (row.measured ? slopeCell(row.measured, headline.experiment) : null),
    align: 'right' as const,
  }));
  return htmlTable<Row>(
    rows,
    [
      {
        label: 'system',
        value: (row) => (row.measured ? systemLabel(row.measured) : row.unrunnable.title),
        align: 'left',
      },
      {
        label: 'kind',
        value: (row) => (row.measured ? backendDescriptor(row.measured.backend).kind : row.unrunnable.kind),
        align: 'left',
      },
      {
        label: 'cold start (s), N=0 (latency)',
        value: (row) => (row.measured ? meanWithCi(row.measured.coldStart) : 'not run: see below'),
        align: 'right',
      },
      {
        label: 'cold boot (s) of the restored repeats (latency-restore)',
        value: (row) => (row.measured ? meanWithCi(row.measured.restoreCold) : null),
        align: 'right',
      },
      {
        label: 'restore (s) (latency-restore)',
        value: (row) => (row.measured ? meanWithCi(row.measured.restore) : null),
        align: 'right',
      },
      {
        // the ratio of the two columns beside it, paired per repeat in one campaign (never latency's cold start)
        label: 'cold / restore, paired per repeat (latency-restore)',
        value: (row) => (row.measured ? meanWithCi(row.measured.restoreSpeedup) : null),
        align: 'right',
      },
      {
        label: 'shutdown (s)',
        value: (row) => (row.measured ? meanWithCi(row.measured.shutdown) : null),
        align: 'right',
      },
      { label: 'memory per idle guest, N=1 (MiB)', value: (row) => mib(row.measured?.footprintOne), digits: 1 },
      {
        label: 'memory per idle guest, largest N (MiB)',
        value: (row) => {
          const most = row.measured?.footprintMost;
          return most ? `${(most.stats.mean / MIB).toFixed(1)} (N=${most.guests})` : null;
        },
        align: 'right',
      },
      ...slopeColumns,
    ],
    caption,
  );
}

/** A slope's text: "0.614 [0.52, 0.71]"; a dash footnoted with why a system has none. */
function slopeText(slope: DensitySlope): string | NotedText {
  const places = decimalsFor(slope.slope);
  const interval =
    slope.ciLow !== null && slope.ciHigh !== null
      ? ` [${fixedText(slope.ciLow, places)}, ${fixedText(slope.ciHigh, places)}]`
      : '';
  const text = `${fixedText(slope.slope, places)}${interval}`;
  return interval ? text : { text, note: `${slope.n} points: too few for an interval of the slope` };
}

function slopeCell(row: SystemRow, experiment: string): string | NotedText | null {
  const slope = row.slopes.find((item) => item.experiment === experiment);
  if (slope) return slopeText(slope);
  const gap = row.slopeGaps.find((item) => item.experiment === experiment);
  return gap ? { text: '–', note: gap.reason } : null;
}

/**
 * The density slopes, one line per workload and system: the N fitted (the same for every system of a workload where
 * the runs allow, the N left out named), the slope with its 95% interval, and the slope over the bare host's own
 * (the yardstick), or why there is none; then the systems without a slope, with why.
 */
export function densitySlopesTableHtml(overview: SystemsOverview, caption: string): string {
  type Line = { slope: DensitySlope; gap?: undefined } | { slope?: undefined; gap: SlopeGap };
  const lines: Line[] = DENSITY_HEADLINES.flatMap((headline) =>
    overview.rows.flatMap((row): Line[] => [
      ...row.slopes.filter((slope) => slope.experiment === headline.experiment).map((slope) => ({ slope })),
      ...row.slopeGaps.filter((gap) => gap.experiment === headline.experiment).map((gap) => ({ gap })),
    ]),
  );
  const item = (line: Line) => (line.slope ?? line.gap) as DensitySlope | SlopeGap;
  return htmlTable<Line>(
    lines,
    [
      { label: 'workload', value: (line) => `${item(line).experiment}: ${item(line).metric}`, align: 'left' },
      { label: 'system', value: (line) => systemLabel(item(line)), align: 'left' },
      {
        label: 'N fitted',
        value: (line) =>
          line.slope
            ? `${line.slope.guests.join(', ')}${line.slope.leftOut.length ? ` (N=${line.slope.leftOut.join(',')} left out: not run by every system)` : ''}`
            : '–',
        align: 'left',
      },
      {
        label: 'slope (× bare host N=1 per guest) [95% CI]',
        value: (line) => (line.slope ? slopeText(line.slope) : { text: 'no slope', note: line.gap.reason }),
        align: 'right',
      },
      {
        label: 'slope / bare host slope',
        value: (line) =>
          !line.slope
            ? null
            : line.slope.vsNative !== null
              ? numberText(line.slope.vsNative)
              : { text: '–', note: line.slope.vsNativeMissing ?? 'no bare-host slope' },
        align: 'right',
      },
    ],
    caption,
  );
}

/** The systems the seeds compare that guestbench does not run, and why. */
export function unrunnableTableHtml(unrunnable: readonly UnrunnableSystem[], caption: string): string {
  return htmlTable(
    unrunnable,
    [
      { label: 'system', value: (system) => system.title, align: 'left' },
      { label: 'compared in', value: (system) => system.seeds, align: 'left' },
      { label: 'why it does not run here', value: (system) => system.why, align: 'left' },
    ],
    caption,
  );
}

/** What each system could not do here: the experiment, unsupported or errored, the recorded reason. */
export function couldNotTableHtml(overview: SystemsOverview, caption: string): string {
  const rows: CouldNot[] = overview.rows.flatMap((row) => row.couldNot);
  if (rows.length === 0)
    return htmlTable(
      [{ text: 'every system ran every experiment it was asked to' }],
      [{ label: 'could not', value: (row) => row.text, align: 'left' }],
      caption,
    );
  return htmlTable(
    rows,
    [
      { label: 'system', value: (row) => backendDescriptor(row.backend).title, align: 'left' },
      { label: 'experiment', value: (row) => row.experiment, align: 'left' },
      { label: 'state', value: (row) => row.state, align: 'left' },
      { label: 'why (as recorded)', value: (row) => row.reason, align: 'left' },
      { label: 'rows', value: (row) => row.rows, digits: 0 },
    ],
    caption,
  );
}

/** The footprint's parts, per system and N, in MiB: what the headline `memory_footprint` is made of. */
export function footprintPartsHtml(summary: readonly SummaryRow[], caption: string): string {
  const parts: ReadonlyArray<{ metric: string; label: string }> = [
    { metric: 'memory_footprint', label: 'per guest (MiB)' },
    { metric: 'footprint_cgroup', label: 'container: memory cgroup' },
    { metric: 'footprint_shim_pss', label: "container: engine's process PSS" },
    { metric: 'footprint_pss', label: 'VM: QEMU PSS' },
    { metric: 'footprint_rss', label: 'VM: QEMU RSS' },
    { metric: 'footprint_private', label: 'VM: QEMU private' },
  ];
  const cells = [
    ...new Map(
      summary
        .filter((row) => row.metric === 'memory_footprint')
        .map((row) => [`${row.backend}/${row.guests}`, { backend: row.backend, accel: row.accel, guests: row.guests }]),
    ).values(),
  ];
  const summaryRow = (cell: (typeof cells)[number], metric: string) =>
    summary.find((item) => item.backend === cell.backend && item.guests === cell.guests && item.metric === metric);
  const value = (cell: (typeof cells)[number], metric: string) => {
    const row = summaryRow(cell, metric);
    return row ? row.mean / MIB : null;
  };
  return htmlTable(
    cells,
    [
      { label: 'system', value: (cell) => systemLabel(cell), align: 'left' },
      { label: 'N', value: (cell) => cell.guests, digits: 0 },
      ...parts.map((part) => ({
        label: part.label,
        value: (cell: (typeof cells)[number]) => value(cell, part.metric),
        digits: 1,
      })),
      {
        label: "host MemAvailable drop / N [95% CI], where it exceeds the host's noise",
        value: (cell: (typeof cells)[number]) => hostDropCell(summaryRow(cell, 'host_memory_per_guest')),
        align: 'right' as const,
      },
    ],
    caption,
  );
}

/** The host's MemAvailable drop per guest in MiB where it exceeds the host's noise, else why not (a footnote). */
function hostDropCell(row: SummaryRow | undefined): string | NotedText | null {
  if (!row) return null;
  const drop = hostMemoryDrop(row);
  if (drop.state === 'unresolved') return { text: 'below what this host can resolve', note: drop.why };
  return meanWithInterval({ ...drop, intervalNote: null }, 1, MIB);
}
