/**
 * HTML tables for chapter 6: "Table 6.1 done right" (the migration profile per configuration, which
 * the printed Table 6.1 does not give), ours beside the thesis per group of configurations, and the
 * set-up as recorded.
 */
import type {
  MigrationComparison,
  MigrationConfigSummary,
  MigrationThesisValue,
} from '../analysis/migration-summary.js';
import type { SummaryRow } from '../analysis/summarize.js';
import type { ThesisInconsistency } from '../thesis/index.js';
import { clip } from './ci-bars.js';
import { backendDescriptor, seriesLabel } from '../model/backends.js';
import type { MissingCapability } from '../results/campaign-meta.js';
import { escapeHtml, htmlTable, type Column, type NotedText } from './html-table.js';
import { meanWithCi } from './latency-tables.js';
import { configLabel } from './migration-figures.js';

/** "244.2 (Figure 6.3)", "2670 (printed 2.67 seconds; Section 6.5.2)"; `~` where the thesis hedged it. */
export function thesisValueText(value: MigrationThesisValue): string {
  const printed = value.printed ? `printed ${value.printed.value} ${value.printed.unit}; ` : '';
  return `${value.approximate ? '~' : ''}${value.value} (${printed}${value.ref})`;
}

function mean(value: number | null | undefined, digits: number): string {
  return value === null || value === undefined ? '–' : value.toFixed(digits);
}

/** One line of Table 6.1: a configuration measured here, or a group of them beside the thesis. */
type Table61Line =
  | { kind: 'config'; config: MigrationConfigSummary }
  | { kind: 'group'; group: string; total: MigrationComparison[]; downtime: MigrationComparison[] };

function groupScope(items: readonly MigrationComparison[]): string {
  const first = items[0];
  if (!first) return '';
  const ours = first.ours
    ? `this host: ${first.ours.configs.length} configuration(s)${first.ours.memoryMiB.length ? `, ${first.ours.memoryMiB.join(', ')} MiB` : ''}`
    : `this host: ${clip(first.oursMissing ?? 'none', 60)}`;
  const thesis = items.flatMap((item) =>
    item.thesis && item.thesis.memoryCovered.length > 0 ? [`${item.thesis.memoryCovered.join(', ')} MiB`] : [],
  );
  const vcpus = items.flatMap((item) =>
    item.thesis && item.thesis.vcpusCovered.length > 1 ? [`${item.thesis.vcpusCovered.join(', ')} vCPUs`] : [],
  );
  const thesisScope = [...new Set([...thesis, ...vcpus])].join(', ');
  return `${first.group} (${ours}${thesisScope ? `; thesis: ${thesisScope}` : ''})`;
}

function thesisCell(items: readonly MigrationComparison[], digits: number): string {
  const values = items.flatMap((item) =>
    item.thesis
      ? [`${thesisValueText(item.thesis)}${item.ratio === null ? '' : `, ours/thesis ${item.ratio.toFixed(digits)}`}`]
      : [],
  );
  return values.length === 0 ? '–' : values.join(' / ');
}

function oursCell(items: readonly MigrationComparison[], who: 'observer' | 'qemu', digits: number): string {
  const ours = items[0]?.ours;
  return ours ? `${mean(ours[who], digits)} (mean of ${ours.configs.length})` : '–';
}

function whatCell(line: Table61Line): string {
  if (line.kind === 'config') return `${seriesLabel(line.config.backend, line.config.accel)}, this host`;
  const items = [...line.total, ...line.downtime];
  const ours = items.some((item) => item.ours !== null);
  const thesis = items.some((item) => item.thesis !== null);
  if (!ours) return 'thesis only (nothing of ours to set beside it)';
  return thesis
    ? 'this host: mean of its configurations, beside the thesis'
    : 'this host: mean of its configurations (the thesis has no value here)';
}

/** Options of {@link migrationTableHtml}. */
export interface MigrationTableOptions {
  caption: string;
  /** the thesis's inconsistencies to list under the table (Table 6.1's copy of Table 5.1 first) */
  inconsistencies?: readonly ThesisInconsistency[];
}

// a byte count's mean [CI] in MiB; '–' for a configuration without it
function mibCell(pick: (config: MigrationConfigSummary) => SummaryRow | null) {
  return (line: Table61Line): string | NotedText => {
    const row = line.kind === 'config' ? pick(line.config) : null;
    if (!row) return line.kind === 'config' ? '–' : '';
    const mib = (value: number | null): number | null => (value === null ? null : value / 2 ** 20);
    return meanWithCi({ ...row, mean: row.mean / 2 ** 20, ciLow: mib(row.ciLow), ciHigh: mib(row.ciHigh) });
  };
}

/**
 * "Table 6.1 done right": per configuration measured here (load, vCPUs, memory) the total time and
 * downtime by QEMU and by the observer (mean [95% CI] n), RAM sent, dirty-sync rounds, bandwidth and
 * probes lost; a configuration the host cannot run shows "unsupported: <reason>". Below them, one
 * line per group of configurations the thesis gives a mean for: our mean of the configurations'
 * means beside the thesis's value (observer figures both) and their ratio. Then the thesis's
 * inconsistencies, the printed Table 6.1's copy of Table 5.1 first.
 */
export function migrationTableHtml(
  configs: readonly MigrationConfigSummary[],
  comparisons: readonly MigrationComparison[],
  options: MigrationTableOptions,
): string {
  const groups = new Map<string, { total: MigrationComparison[]; downtime: MigrationComparison[] }>();
  for (const item of comparisons) {
    const key = `${item.backend}/${item.load}/${item.memoryMiB}`;
    const entry = groups.get(key) ?? { total: [], downtime: [] };
    (item.metric === 'total_time' ? entry.total : entry.downtime).push(item);
    groups.set(key, entry);
  }
  const lines: Table61Line[] = [
    ...configs.map((config) => ({ kind: 'config' as const, config })),
    ...[...groups.values()].map((entry) => ({
      kind: 'group' as const,
      group: groupScope([...entry.total, ...entry.downtime]),
      ...entry,
    })),
  ];
  const measuredCell =
    (pick: (config: MigrationConfigSummary) => Parameters<typeof meanWithCi>[0]) => (line: Table61Line) => {
      if (line.kind !== 'config') return '';
      if (line.config.state !== 'ok') return '–';
      return meanWithCi(pick(line.config));
    };
  const columns: Array<Column<Table61Line>> = [
    { label: 'what', value: whatCell },
    {
      label: 'configuration (load, vCPUs, memory)',
      value: (line) => (line.kind === 'config' ? configLabel(line.config) : line.group),
    },
    {
      label: 'total time, QEMU (s)',
      value: (line) => {
        if (line.kind === 'group') return oursCell(line.total, 'qemu', 3);
        if (line.config.state !== 'ok') return `${line.config.state}: ${line.config.reason ?? 'no reason recorded'}`;
        return meanWithCi(line.config.totalTime.qemu);
      },
      align: 'right',
    },
    {
      label: 'total time, observer (s)',
      value: (line) =>
        line.kind === 'group'
          ? oursCell(line.total, 'observer', 3)
          : measuredCell((config) => config.totalTime.observer)(line),
      align: 'right',
    },
    {
      label: 'total time, thesis (s; ping observer)',
      value: (line) => (line.kind === 'group' ? thesisCell(line.total, 4) : ''),
      align: 'right',
    },
    {
      label: 'downtime, QEMU (ms)',
      value: (line) =>
        line.kind === 'group'
          ? oursCell(line.downtime, 'qemu', 1)
          : measuredCell((config) => config.downtime.qemu)(line),
      align: 'right',
    },
    {
      label: 'downtime, observer (ms)',
      value: (line) =>
        line.kind === 'group'
          ? oursCell(line.downtime, 'observer', 1)
          : measuredCell((config) => config.downtime.observer)(line),
      align: 'right',
    },
    {
      label: 'downtime, thesis (ms; ping observer)',
      value: (line) => (line.kind === 'group' ? thesisCell(line.downtime, 3) : ''),
      align: 'right',
    },
    { label: 'RAM sent (MiB)', value: mibCell((config) => config.transferredBytes), align: 'right' },
    // campaigns recorded before the link was counted have no link_bytes rows
    ...(configs.some((config) => config.linkBytes !== null)
      ? [
          {
            label: 'sent on the link (MiB: RAM + disk if copied)',
            value: mibCell((config) => config.linkBytes),
            align: 'right' as const,
          },
        ]
      : []),
    // a container's stop-and-copy: what CRIU and guestbench's clock say of it
    ...(configs.some((config) => config.checkpoint !== null)
      ? [
          {
            label: 'container: CRIU frozen (ms)',
            value: (line: Table61Line) =>
              line.kind === 'config' && line.config.checkpoint ? meanWithCi(line.config.checkpoint.frozenMs) : '',
            align: 'right' as const,
          },
          {
            label: 'container: checkpoint / link / restore steps (ms)',
            value: (line: Table61Line) => {
              const figures = line.kind === 'config' ? line.config.checkpoint : null;
              if (!figures) return '';
              return [figures.checkpointStepMs, figures.transferStepMs, figures.restoreStepMs]
                .map((row) => mean(row?.mean, 0))
                .join(' / ');
            },
            align: 'right' as const,
          },
          {
            label: 'container: checkpoint archive (MiB)',
            value: mibCell((config) => config.checkpoint?.archiveBytes ?? null),
            align: 'right' as const,
          },
        ]
      : []),
    { label: 'dirty-sync rounds', value: measuredCell((config) => config.dirtySyncCount), align: 'right' },
    { label: 'bandwidth (Mbit/s)', value: measuredCell((config) => config.bandwidth), align: 'right' },
    { label: 'probes lost', value: measuredCell((config) => config.probesLost), align: 'right' },
  ];
  const table = htmlTable(lines, columns, options.caption);
  const notes = (options.inconsistencies ?? [])
    .map((item) => `<li><code>${escapeHtml(item.id)}</code>: ${escapeHtml(item.description)}</li>`)
    .join('\n');
  const legend =
    '<p style="font-size:12px;color:#555">Ours: mean [95% Student-t CI] n = repeats; the thesis\'s values are observer figures (ping every second), so compare them with the observer columns. ' +
    "Where the thesis gives one mean over several configurations, ours is the mean of our configurations' means over the configurations we ran, which may be other memory sizes: the scope is in the configuration column.</p>";
  return `${table}\n${legend}${notes ? `\n<p style="font-size:12px;margin-bottom:2px"><b>The thesis's own numbers disagree with themselves here:</b></p><ul style="font-size:12px;margin-top:2px">\n${notes}\n</ul>` : ''}`;
}

/**
 * Ours beside the thesis, one line per group of configurations and thesis value (the Table 6.1 group lines, with
 * provenance).
 */
export function migrationComparisonHtml(comparisons: readonly MigrationComparison[], caption: string): string {
  return htmlTable(
    comparisons,
    [
      { label: 'group', value: (item) => item.group },
      { label: 'metric', value: (item) => `${item.metric} (${item.unit})` },
      { label: 'this host, observer', value: (item) => (item.ours ? item.ours.observer : null), digits: 3 },
      { label: 'this host, QEMU', value: (item) => (item.ours ? item.ours.qemu : null), digits: 3 },
      {
        label: 'this host: configurations',
        value: (item) => (item.ours ? item.ours.configs.join(', ') : (item.oursMissing ?? '')),
      },
      { label: 'thesis', value: (item) => (item.thesis ? thesisValueText(item.thesis) : '–'), align: 'right' },
      { label: 'thesis: printed at', value: (item) => item.thesis?.source ?? '' },
      { label: 'ours (observer) / thesis', value: (item) => item.ratio, digits: 4 },
    ],
    caption,
  );
}

/**
 * Why a backend of a migration campaign has no value: one paragraph per backend none of whose
 * configurations was measured, with the reason its rows carry and the fix campaign.json recorded.
 * Empty when every backend has values.
 */
export function migrationGapsHtml(
  configs: readonly MigrationConfigSummary[],
  missing: readonly MissingCapability[],
): string {
  const backends = [...new Set(configs.map((config) => config.backend))];
  return backends
    .flatMap((backend) => {
      const mine = configs.filter((config) => config.backend === backend);
      if (mine.some((config) => config.state === 'ok')) return [];
      const first = mine[0];
      const fix = missing.find((item) => item.capability.endsWith(`:${backend}`) && item.fix)?.fix;
      return [
        `<p><b>${escapeHtml(backendDescriptor(backend).title)}: migration ${escapeHtml(first?.state ?? 'not measured')} on this host:</b> ${escapeHtml(first?.reason ?? 'no reason recorded')}${fix ? `<br><b>Fix:</b> ${escapeHtml(fix)}` : ''}</p>`,
      ];
    })
    .join('\n');
}

/**
 * Downtime by vantage point, one line per (backend, configuration) measured: QEMU's pause, the observer's outage,
 * their paired difference, the probes lost and QEMU's set-up time (mean [95% CI] n). The system is a column of its
 * own: two VM backends' lines of one configuration are two lines, never one.
 */
export function downtimeByVantageHtml(configs: readonly MigrationConfigSummary[], caption: string): string {
  return htmlTable(
    configs.filter((config) => config.state === 'ok'),
    [
      { label: 'system', value: (config) => seriesLabel(config.backend, config.accel), align: 'left' },
      { label: 'configuration', value: (config) => configLabel(config), align: 'left' },
      { label: 'QEMU: guest paused (ms)', value: (config) => meanWithCi(config.downtime.qemu, 1), align: 'right' },
      {
        label: 'observer: service unreachable (ms)',
        value: (config) => meanWithCi(config.downtime.observer, 1),
        align: 'right',
      },
      { label: 'observer − QEMU, paired (ms)', value: (config) => meanWithCi(config.downtimeGap, 1), align: 'right' },
      { label: 'probes lost', value: (config) => meanWithCi(config.probesLost, 1), align: 'right' },
      { label: 'QEMU set-up (ms)', value: (config) => meanWithCi(config.setupTime, 1), align: 'right' },
    ],
    caption,
  );
}
