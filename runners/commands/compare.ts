/**
 * `guestbench compare A B`: one campaign against another, cell by cell (docs/statistics.md).
 */
import {
  compareCampaigns,
  COMPARE_DEFAULTS,
  summaryLine,
  type CampaignComparison,
  type CellComparison,
} from '../../lib/analysis/campaign-compare.js';
import { checkGate, GATE_SETS, parseGateSet, type GateResult } from '../../lib/analysis/compare-gate.js';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import {
  cellLabel,
  formatMeasured,
  formatRatio,
  oneSidedLines,
  qText,
  ratioCiText,
  reasonText,
  verdictText,
} from '../../lib/figures/compare-tables.js';
import { parsePercentOrFraction, parseProbability } from '../../lib/util/cli-args.js';
import { UsageError } from '../../lib/util/errors.js';
import { defaultResultsDir } from '../../lib/util/paths.js';
import type { Command } from '../cli.js';

/** Columns padded to their widest cell, two spaces apart; `right` columns right-aligned. */
function textTable(header: string[], rows: string[][], right: ReadonlySet<number>): string {
  const widths = header.map((title, index) => Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => (right.has(index) ? cell.padStart(widths[index]!) : cell.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function hostsText(comparison: CampaignComparison): string {
  return textTable(
    ['', 'what', 'A', 'B'],
    comparison.hosts.map((line) => [line.differs ? '*' : '', line.label, line.a, line.b]),
    new Set(),
  );
}

function cellsText(cells: readonly CellComparison[]): string {
  const rows = cells.map((cell) => {
    if (cell.state !== 'compared') throw new Error('only compared cells are tabulated');
    const label = cellLabel(cell.key);
    return [
      label.guest,
      label.n,
      label.metric,
      String(cell.a.n),
      String(cell.b.n),
      formatMeasured(cell.a.mean),
      formatMeasured(cell.b.mean),
      formatRatio(cell.ratio),
      ratioCiText(cell),
      cell.p.toPrecision(2),
      qText(cell),
      verdictText(cell),
      reasonText(cell),
    ];
  });
  return textTable(
    ['guest', 'N', 'metric', 'nA', 'nB', 'mean A', 'mean B', 'B/A', '95% CI', 'p', 'q', 'verdict', 'why'],
    rows,
    new Set([1, 3, 4, 5, 6, 7, 8, 9, 10]),
  );
}

function report(comparison: CampaignComparison): string {
  const { a, b } = comparison;
  const compared = comparison.cells.filter((cell) => cell.state === 'compared');
  const effect = `${(comparison.minEffect * 100).toPrecision(3).replace(/\.?0+$/, '')}%`;
  return [
    `A: ${a.id} (${a.meta.experiment}, ${a.meta.profile}) in ${a.dir}`,
    `B: ${b.id} (${b.meta.experiment}, ${b.meta.profile}) in ${b.dir}`,
    '',
    'Hosts, versions and campaigns (* where they differ):',
    hostsText(comparison),
    '',
    ...comparison.warnings.map((warning) => `warning: ${warning}`),
    ...(comparison.warnings.length > 0 ? [''] : []),
    `Cells both campaigns have: means of per-repeat values (the guests of a repeat averaged), B/A with its`,
    `95% interval (Welch, log scale), two-sided Mann-Whitney U p and its Benjamini-Hochberg q among the`,
    `${comparison.summary.family} tested cells; flagged when q < ${comparison.alpha} and B/A is beyond ±${effect} (at least ` +
      `${(1 + comparison.minEffect).toPrecision(3)}x or at most ${(1 / (1 + comparison.minEffect)).toPrecision(3)}x).`,
    cellsText(compared),
    ...(compared.length < comparison.cells.length
      ? ['', 'Cells only one campaign has:', ...oneSidedLines(comparison.cells).map((line) => `  ${line}`)]
      : []),
    '',
    summaryLine(comparison.summary),
    '',
  ].join('\n');
}

function gateText(gate: GateResult): string {
  const lines = gate.regressed.map((cell) => {
    const label = cellLabel(cell.key);
    return `  regressed: ${label.guest} N=${label.n} ${label.metric}: ${formatRatio(cell.ratio)} ${ratioCiText(cell)}, ${cell.reason}`;
  });
  const untestable = gate.untestable > 0 ? ` (${gate.untestable} untestable: too few repeats)` : '';
  return [
    `gate ${gate.set}: ${gate.passed ? 'passed' : 'FAILED'}: ${gate.regressed.length} of ${gate.checked} cells regressed${untestable}`,
    ...lines,
    '',
  ].join('\n');
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'compare two campaigns cell by cell: ratio with its 95% CI, rank test, BH q-values, flagged changes',
  usage: `Usage: guestbench compare A B [--results DIR] [--min-effect PCT] [--alpha Q] [--json] [--gate SET]

Compares campaign B against campaign A (each a campaign id in the results directory or a campaign
directory) for every cell both have (experiment, backend, accelerator, N, configuration, metric,
who measured): the means of the per-repeat values (the guests of one repeat averaged first), the
ratio B/A with its 95% interval (Welch's t on the log scale), and a two-sided Mann-Whitney U test
(exact, on midranks where values tie, for small samples). The p-values of all tested cells (the
family, its size printed) get Benjamini-Hochberg q-values; a change is flagged only when q < alpha
and larger than the minimum effect. A cell with too few repeats for the test to reach alpha is
reported as untestable; one without a flag as "no significant change" (not evidence of none).
Prints the two hosts' fingerprints and tool versions side by side, warns when the two campaigns'
workloads differ, then the per-cell table and a one-line summary (docs/statistics.md).

Options:
  --results DIR     results directory the ids are looked up in (default: $GUESTBENCH_RESULTS or ./results)
  --min-effect PCT  smallest change flagged, e.g. 5% or 0.05 (default ${COMPARE_DEFAULTS.minEffect * 100}%)
  --alpha Q         false discovery rate a flagged cell's q-value must be below, between 0 and 1
                    (default ${COMPARE_DEFAULTS.alpha})
  --json            print the comparison as JSON (hosts, warnings, one record per cell with p and
                    q, summary with the family size; with --gate, the gate's outcome)
  --gate SET        CI check of B against the baseline A: exit 1 when any cell of SET regressed
                    (flagged, and slower: a time higher or a rate lower), listing those cells.
                    SET: ${Object.entries(GATE_SETS)
                      .map(([name, words]) => `${name} (${words})`)
                      .join(', ')}, or metric names,
                    e.g. boot_time,events_per_s
  -h, --help        show this help

Exit status: 0 when it compared (flagged changes included; with --gate, no cell of the set
regressed), 1 with --gate when a cell of the set regressed, 2 for bad usage (an unknown campaign,
two campaigns without a cell in common, a bad option value, a gate whose cells are all untestable).`,
  maxPositionals: 2,
  options: {
    results: { type: 'string' },
    'min-effect': { type: 'string' },
    alpha: { type: 'string' },
    json: { type: 'boolean' },
    gate: { type: 'string' },
  },
  async run(values, positionals) {
    if (positionals.length !== 2) {
      throw new UsageError(`Expected two campaigns, got \`${positionals.join(' ') || 'nothing'}\``, {
        fix: 'for example `guestbench compare 2026-11-21T23-53-45Z-04de 2026-12-02T01-20-32Z-d09e`',
      });
    }
    const options = {
      alpha: typeof values.alpha === 'string' ? parseProbability(values.alpha, '--alpha') : COMPARE_DEFAULTS.alpha,
      minEffect:
        typeof values['min-effect'] === 'string'
          ? parsePercentOrFraction(values['min-effect'], '--min-effect')
          : COMPARE_DEFAULTS.minEffect,
    };
    const resultsDir = typeof values.results === 'string' ? values.results : defaultResultsDir();
    const [a, b] = positionals.map((which) => loadCampaign(which, { resultsDir })) as [
      ReturnType<typeof loadCampaign>,
      ReturnType<typeof loadCampaign>,
    ];
    const gateSet = typeof values.gate === 'string' ? parseGateSet(values.gate) : null;
    const comparison = compareCampaigns(a, b, options);
    const gate = gateSet === null ? null : checkGate(comparison, gateSet);
    if (values.json === true) {
      const { a: left, b: right, ...rest } = comparison;
      const gated =
        gate === null
          ? {}
          : {
              gate: {
                ...gate,
                regressed: gate.regressed.map((cell) => ({
                  key: cell.key,
                  ratio: cell.ratio,
                  q: cell.q,
                  reason: cell.reason,
                })),
              },
            };
      process.stdout.write(
        `${JSON.stringify({ a: { id: left.id, dir: left.dir }, b: { id: right.id, dir: right.dir }, ...rest, ...gated }, null, 2)}\n`,
      );
    } else process.stdout.write(`${report(comparison)}${gate === null ? '' : gateText(gate)}`);
    return gate === null || gate.passed ? 0 : 1;
  },
};
