/**
 * Notebook 06's tables: every system in one table (start-up, restore, memory per guest, density
 * slopes), the systems the seeds compare that guestbench cannot run with why, and what each system
 * could not do here with the reason its rows recorded.
 */
import type { SummaryRow } from '../analysis/summarize.js';
import type { CouldNot, SystemsOverview } from '../analysis/systems-overview.js';
import { DENSITY_HEADLINES } from '../analysis/systems-overview.js';
import { backendDescriptor } from '../model/backends.js';
import type { UnrunnableSystem } from '../model/unrunnable-systems.js';
import { htmlTable } from './html-table.js';
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
    label: `${headline.experiment}: ${headline.metric} per added guest (× bare host N=1)`,
    value: (row: Row) => row.measured?.slopes.find((slope) => slope.experiment === headline.experiment)?.slope ?? null,
    digits: 3,
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
        label: 'cold start (s), N=0',
        value: (row) => (row.measured ? meanWithCi(row.measured.coldStart) : 'not run: see below'),
        align: 'right',
      },
      {
        label: 'restore (s)',
        value: (row) => (row.measured ? meanWithCi(row.measured.restore) : null),
        align: 'right',
      },
      { label: 'cold / restore', value: (row) => row.measured?.restoreSpeedup?.mean ?? null, digits: 1 },
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
    { metric: 'host_memory_per_guest', label: 'host MemAvailable drop / N' },
  ];
  const cells = [
    ...new Map(
      summary
        .filter((row) => row.metric === 'memory_footprint')
        .map((row) => [`${row.backend}/${row.guests}`, { backend: row.backend, accel: row.accel, guests: row.guests }]),
    ).values(),
  ];
  const value = (cell: (typeof cells)[number], metric: string) => {
    const row = summary.find(
      (item) => item.backend === cell.backend && item.guests === cell.guests && item.metric === metric,
    );
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
    ],
    caption,
  );
}
