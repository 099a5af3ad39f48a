/**
 * Figure builders for chapter 5: boot and shutdown time vs N (Figure 5.1), cold boot vs restore
 * (Figure 5.2), and where the start-up time goes (stacked phases). Pure functions: summaries in, a
 * plotly figure out.
 */
import type { PhaseMean } from '../analysis/latency-phases.js';
import type { RestoreSummary } from '../analysis/latency-restore-summary.js';
import type { SummaryRow } from '../analysis/summarize.js';
import type { MetricName } from '../results/schema.js';
import { ciBarTrace, noteAbove } from './ci-bars.js';
import type { ThesisPoint } from '../analysis/thesis-points.js';
import { BACKEND_NAMES, backendDescriptor, seriesLabel } from '../model/backends.js';
import { LEGEND_BELOW, measuredTrace } from './density-figures.js';
import { backendColor, type Figure, type Trace } from './plotly-spec.js';
import { finishFigure } from './figure-layout.js';

/** A figure whose bars stack or group (plotly's layout.barmode). */
export type BarFigure = Figure & { layout: Figure['layout'] & { barmode: 'stack' | 'group' } };

const METRIC_LABELS: Partial<Record<MetricName, string>> = { boot_time: 'boot', shutdown_time: 'shutdown' };

/** Options of {@link latencyVsGuestsFigure}. */
export interface LatencyFigureOptions {
  title: string;
  /** plotted metrics (default boot_time and shutdown_time) */
  metrics?: MetricName[];
  /** log y axis: VM and container times differ by orders of magnitude (default true) */
  logY?: boolean;
}

/**
 * Figure 5.1: boot and shutdown time of one more guest vs N, for each (backend, accel) measured
 * here (solid: boot, dotted: shutdown; 95% CI error bars), and the thesis's Tables 5.1/5.2 values
 * (hollow diamonds, dashed).
 */
export function latencyVsGuestsFigure(
  summary: readonly SummaryRow[],
  thesis: readonly ThesisPoint[],
  options: LatencyFigureOptions,
): Figure {
  const metrics = options.metrics ?? ['boot_time', 'shutdown_time'];
  const data: Trace[] = [];
  for (const metric of metrics) {
    const dash = metric === 'boot_time' ? 'solid' : 'dot';
    const series = new Map<string, SummaryRow[]>();
    for (const row of summary.filter((candidate) => candidate.metric === metric)) {
      const key = seriesLabel(row.backend, row.accel);
      series.set(key, [...(series.get(key) ?? []), row]);
    }
    for (const [label, group] of series) {
      const backend = group[0]?.backend;
      if (!backend) continue;
      data.push(
        measuredTrace(group, `${label} ${METRIC_LABELS[metric] ?? metric}, this host`, backendColor(backend), dash),
      );
    }
    for (const backend of BACKEND_NAMES) {
      const points = thesis
        .filter((point) => point.backend === backend && point.metric === metric)
        .sort((a, b) => a.guests - b.guests);
      if (points.length === 0) continue;
      const name = `${backendDescriptor(backend).thesisLabel} ${METRIC_LABELS[metric] ?? metric}, thesis`;
      data.push({
        type: 'scatter',
        mode: 'lines+markers',
        name,
        x: points.map((point) => point.guests),
        y: points.map((point) => point.value),
        line: { color: backendColor(backend), dash: 'dash', width: 1 },
        marker: {
          symbol: metric === 'boot_time' ? 'diamond-open' : 'square-open',
          size: 9,
          color: backendColor(backend),
        },
        legendgroup: name,
        text: points.map((point) => point.source),
        hovertemplate: `%{y} s at N=%{x} (%{text})<extra>${name}</extra>`,
      });
    }
  }
  const guests = [...new Set([...summary.map((row) => row.guests), ...thesis.map((point) => point.guests)])].sort(
    (a, b) => a - b,
  );
  const figure: Figure = {
    data,
    layout: {
      title: { text: options.title },
      xaxis: { title: { text: 'guests already running (N)' }, tickvals: guests },
      yaxis: {
        title: { text: `time (s${(options.logY ?? true) ? ', log scale' : ''})` },
        ...((options.logY ?? true) ? {} : { rangemode: 'tozero' as const }),
      },
      legend: LEGEND_BELOW,
      margin: { t: 50, b: 140 },
    },
  };
  if (options.logY ?? true) figure.layout.yaxis.type = 'log';
  return finishFigure(figure);
}

/** Options of {@link restoreFigure}. */
export interface RestoreFigureOptions {
  title: string;
  /** one line under the plot, e.g. the thesis's stated ratios */
  note?: string;
}

/**
 * Figure 5.2: cold boot beside restore from a saved state, one group per kind of guest (95% CI
 * error bars). A kind without a restore value gets an annotation with the reason instead of a bar.
 */
export function restoreFigure(rows: readonly RestoreSummary[], options: RestoreFigureOptions): BarFigure {
  const labels = rows.map(
    (row) => `${seriesLabel(row.backend, row.accel)}${row.guests > 0 ? `, N=${row.guests}` : ''}`,
  );
  // each bar in its backend's colour; restore hatched
  const colors = rows.map((row) => backendColor(row.backend));
  const bar = (name: string, pattern: '/' | undefined, pick: (row: RestoreSummary) => RestoreSummary['cold']): Trace =>
    ciBarTrace(name, colors, labels, rows.map(pick), { unit: 's', ...(pattern ? { pattern } : {}) });
  const annotations: NonNullable<Figure['layout']['annotations']> = rows
    .map((row, index) => ({ row, index }))
    .filter(({ row }) => row.restore === null)
    .map(({ row, index }) =>
      noteAbove(
        `${labels[index]}: restore ${row.restoreState === 'none' ? 'not measured' : row.restoreState}${row.reason ? ` (${row.reason})` : ''}`,
        index,
      ),
    );
  if (options.note)
    annotations.push({
      text: options.note,
      xref: 'paper',
      yref: 'paper',
      x: 0,
      y: -0.32,
      showarrow: false,
      font: { size: 10 },
    });
  return finishFigure({
    data: [
      bar('cold boot', undefined, (row) => row.cold),
      bar('restore from saved state (hatched)', '/', (row) => row.restore),
    ],
    layout: {
      title: { text: options.title },
      xaxis: { title: { text: 'kind of guest' }, type: 'category' },
      yaxis: { title: { text: 'time until the guest runs a command (s)' }, rangemode: 'tozero' },
      legend: LEGEND_BELOW,
      margin: { t: 90, b: 140 },
      annotations,
      barmode: 'group',
    },
  });
}

/** The hatchings that tell a bar's phases apart (its colour is its backend's). */
const PHASE_PATTERNS = ['', '/', '.', 'x'] as const;

/** `hex` (#rrggbb) mixed with white: 0 keeps it, 1 is white. */
function lighter(hex: string, amount: number): string {
  const channel = (at: number): string => {
    const value = parseInt(hex.slice(at, at + 2), 16);
    return Math.round(value + (255 - value) * amount)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(1)}${channel(3)}${channel(5)}`;
}

/**
 * Stacked bars of phase means: one bar per (backend, accel, N, what), one segment per phase, in the
 * phases' order. Every segment keeps its bar's backend colour (red is a VM here as everywhere);
 * phases differ by lightness (the first darkest) and hatching, with a white edge between them.
 * Phases after the headline's end point are drawn lighter still (opacity) and named so.
 */
export function phaseBreakdownFigure(
  means: readonly PhaseMean[],
  options: { title: string; yTitle?: string },
): BarFigure {
  const barKey = (mean: PhaseMean) =>
    `${seriesLabel(mean.backend, mean.accel)} N=${mean.guests}${mean.what ? ` ${mean.what}` : ''}`;
  const bars = [...new Set(means.map(barKey))];
  const barBackend = bars.map((bar) => means.find((mean) => barKey(mean) === bar)?.backend);
  const phases = [...new Set(means.map((mean) => mean.phase))];
  const data: Trace[] = phases.map((phase, index) => {
    const rows = means.filter((mean) => mean.phase === phase);
    const after = rows.some((mean) => !mean.inHeadline);
    const shade = phases.length > 1 ? (0.5 * index) / (phases.length - 1) : 0;
    return {
      type: 'bar',
      name: phase,
      x: bars,
      y: bars.map((bar) => rows.find((mean) => barKey(mean) === bar)?.mean ?? null),
      marker: {
        color: barBackend.map((backend) => lighter(backend ? backendColor(backend) : '#7f7f7f', shade)),
        pattern: {
          shape: PHASE_PATTERNS[index % PHASE_PATTERNS.length] as (typeof PHASE_PATTERNS)[number],
          fillmode: 'overlay',
          fgcolor: '#ffffff',
        },
        line: { color: '#ffffff', width: 1 },
      },
      ...(after ? { opacity: 0.45 } : {}),
      hovertemplate: `%{y:.3f} s<extra>${phase}</extra>`,
    } as Trace;
  });
  return finishFigure({
    data,
    layout: {
      title: { text: options.title },
      xaxis: { title: { text: '' }, type: 'category' },
      yaxis: { title: { text: options.yTitle ?? 'mean time per phase (s)' }, rangemode: 'tozero' },
      legend: { orientation: 'h', y: -0.35 },
      margin: { t: 50, b: 170 },
      barmode: 'stack',
    },
  });
}
