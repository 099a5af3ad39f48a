/**
 * Notebook 06's figures: every system side by side. Start-up (cold start, restore, shutdown) per
 * system on a log axis; host memory per idle guest vs N; how fast each density workload degrades
 * per added guest, relative to the bare host. Pure functions: the overview in, a plotly figure out.
 */
import type { SummaryRow } from '../analysis/summarize.js';
import { DENSITY_HEADLINES, type SystemRow, type SystemsOverview } from '../analysis/systems-overview.js';
import { BACKEND_NAMES, seriesLabel } from '../model/backends.js';
import { ciBarTrace, ciMarkerTrace, countText, noteAbove, type BarStats } from './ci-bars.js';
import { LEGEND_BELOW, measuredTrace } from './density-figures.js';
import type { BarFigure } from './latency-figures.js';
import { backendColor, type Figure } from './plotly-spec.js';
import { finishFigure } from './figure-layout.js';

const MIB = 1024 * 1024;

/** A system's name on a category axis: its series label with the accelerator ("microVMs (tcg)"). */
export function systemLabel(row: Pick<SystemRow, 'backend' | 'accel'>): string {
  return seriesLabel(row.backend, row.accel ?? 'unknown');
}

/**
 * Cold start, restore from a saved state and shutdown of one guest on an otherwise idle host, per
 * system (markers in the system's colour, 95% CI; a log axis, where a bar's length would mean
 * nothing). A system without a value gets no marker for it.
 */
export function systemsStartFigure(overview: SystemsOverview, title: string): Figure {
  const rows = overview.rows.filter((row) => row.coldStart || row.restore || row.shutdown);
  const x = rows.map(systemLabel);
  const colors = rows.map((row) => backendColor(row.backend));
  const measures: Array<{ name: string; symbol: string; pick: (row: SystemRow) => BarStats }> = [
    // each measure names its campaign: cold start and restore come from two campaigns with their own "ready"
    { name: 'cold start, N = 0 (latency campaign)', symbol: 'circle', pick: (row) => row.coldStart },
    {
      name: 'restore from a saved state (latency-restore campaign)',
      symbol: 'diamond-open',
      pick: (row) => row.restore,
    },
    { name: 'shutdown (latency campaign)', symbol: 'x', pick: (row) => row.shutdown },
  ];
  const series = measures.map(({ name, symbol, pick }) => {
    const stats = rows.map(pick).map(onLogAxis);
    const text = rows
      .map(pick)
      .map((item) =>
        !item
          ? 'no value'
          : item.ciLow !== null && item.ciLow <= 0
            ? `n=${item.n}, the 95% CI reaches below 0`
            : countText(item),
      );
    // the points carry their system's colour; the legend names the measure, in grey
    return {
      ...ciMarkerTrace(name, colors, x, stats, { unit: 's', symbol, text }),
      legendgroup: name,
      showlegend: false,
    };
  });
  const legend = measures.map(({ name, symbol }) => ({
    type: 'scatter' as const,
    mode: 'markers' as const,
    name,
    x: [x[0] ?? ''],
    y: [null],
    marker: { symbol, size: 10, color: '#7f7f7f' },
    legendgroup: name,
  }));
  return finishFigure({
    data: [...series, ...legend],
    layout: {
      title: { text: title },
      xaxis: { title: { text: 'system' }, type: 'category' },
      yaxis: { title: { text: 'time (s, log scale)' }, type: 'log' },
      legend: LEGEND_BELOW,
      margin: { t: 60, b: 130 },
      scattermode: 'group',
    },
  });
}

/**
 * On a log axis an interval reaching 0 or below cannot be drawn: its lower whisker is dropped (the
 * hover says so) rather than drawn to the bottom of the plot.
 */
function onLogAxis(stats: BarStats): BarStats {
  if (!stats || stats.ciLow === null || stats.ciLow > 0) return stats;
  return { ...stats, ciLow: stats.mean };
}

/**
 * Host memory held per idle guest vs N, one line per system in its colour (MiB, log scale: a VM
 * holds about a hundred times what a container does). `summary` is the footprint campaign's.
 */
export function footprintFigure(summary: readonly SummaryRow[], title: string): Figure {
  const data = BACKEND_NAMES.flatMap((backend) => {
    const rows = summary.filter((row) => row.backend === backend && row.metric === 'memory_footprint');
    const first = rows[0];
    if (!first) return [];
    const inMiB = rows.map((row) => ({
      ...row,
      mean: row.mean / MIB,
      // a lower bound at or below 0 cannot be drawn on the log axis: no lower whisker
      ciLow: row.ciLow === null ? null : row.ciLow > 0 ? row.ciLow / MIB : row.mean / MIB,
      ciHigh: row.ciHigh === null ? null : row.ciHigh / MIB,
    }));
    const trace = measuredTrace(inMiB, seriesLabel(backend, first.accel), backendColor(backend));
    // the rows' unit is bytes; the values drawn are MiB
    return [{ ...trace, hovertemplate: trace.hovertemplate?.replace(' bytes at ', ' MiB at ') }];
  });
  return finishFigure({
    data,
    layout: {
      title: { text: title },
      xaxis: {
        title: { text: 'idle guests running (N)' },
        type: 'log',
        tickvals: [1, 2, 4, 8],
        ticktext: ['1', '2', '4', '8'],
      },
      yaxis: { title: { text: 'host memory per guest (MiB, log scale)' }, type: 'log' },
      legend: LEGEND_BELOW,
      margin: { t: 60, b: 120 },
    },
  });
}

/**
 * The density slopes: for each density workload, how much its per-guest value changes per added
 * guest, as a multiple of the bare host's N = 1 value (grouped bars, one per system in its
 * colour, the bare host's own slope the yardstick; whiskers: the slope's 95% interval; hover: the
 * same slope divided by the bare host's). Positive for time, negative for throughput: further from
 * zero is worse. Notes above the plot say which N the lines cover (the same for every system where
 * the runs allow), which N were left out, and why a system, the bare host included, has no bar.
 */
export function densitySlopeFigure(overview: SystemsOverview, title: string): BarFigure {
  // only the workloads some campaign measured: an empty category would read as a zero
  const headlines = DENSITY_HEADLINES.filter((headline) =>
    overview.rows.some((row) => row.slopes.some((slope) => slope.experiment === headline.experiment)),
  );
  const categories = headlines.map((headline) => headline.what);
  const data = overview.rows
    .filter((row) => row.slopes.length > 0)
    .map((row) => {
      const slopes = headlines.map((headline) => row.slopes.find((slope) => slope.experiment === headline.experiment));
      const trace = ciBarTrace(
        systemLabel(row),
        backendColor(row.backend),
        categories,
        slopes.map((slope) =>
          slope ? { mean: slope.slope, ciLow: slope.ciLow, ciHigh: slope.ciHigh, n: slope.n } : null,
        ),
        {
          unit: '× bare host N=1 per guest',
          text: slopes.map((slope) =>
            slope
              ? `N=${slope.guests.join(',')}; ${slope.vsNative === null ? (slope.vsNativeMissing ?? 'no yardstick') : `${slope.vsNative.toFixed(2)}× the bare host's slope`}`
              : 'not measured',
          ),
        },
      );
      return { ...trace, textposition: 'none' as const };
    });
  const notes = headlines.flatMap((headline) => {
    const common = overview.slopeGuests[headline.experiment];
    const fitted = overview.rows.flatMap((row) =>
      row.slopes.filter((slope) => slope.experiment === headline.experiment),
    );
    const leftOut = fitted
      .filter((slope) => slope.leftOut.length > 0)
      .map((slope) => `${systemLabel(slope)} N=${slope.leftOut.join(',')}`);
    const range =
      common === null || common === undefined
        ? `${headline.what}: the systems share fewer than two N, so each line covers its own N (${fitted.map((slope) => `${systemLabel(slope)} N=${slope.guests.join(',')}`).join('; ')})`
        : `${headline.what}: every line over N=${common.join(',')}${leftOut.length ? ` (left out, not run by every system: ${leftOut.join('; ')})` : ''}`;
    const gaps = overview.rows.flatMap((row) =>
      row.slopeGaps
        .filter((gap) => gap.experiment === headline.experiment)
        .map((gap) => `${headline.what}, ${systemLabel(gap)}: ${gap.reason}`),
    );
    return [range, ...gaps];
  });
  return finishFigure({
    data,
    layout: {
      title: { text: title },
      xaxis: { title: { text: 'workload' }, type: 'category' },
      yaxis: { title: { text: 'change per added guest (× the bare host at N = 1)' } },
      legend: LEGEND_BELOW,
      margin: { t: 60 + 20 * notes.length, b: 120 },
      annotations: notes.map((text, slot) => noteAbove(text, slot)),
      barmode: 'group',
    },
  });
}
