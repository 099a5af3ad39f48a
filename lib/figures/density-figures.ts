/**
 * Figure builders for the density experiments (thesis Figures 4.1-4.3 and their file I/O and MySQL
 * siblings). Pure functions: summaries and thesis points in, a plotly figure out.
 */
import type { SummaryRow } from '../analysis/summarize.js';
import type { ThesisPoint } from '../analysis/thesis-points.js';
import { BACKEND_NAMES, backendDescriptor, seriesLabel, type BackendName } from '../model/backends.js';
import type { MetricName } from '../results/schema.js';
import { valueHoverText, whiskers } from './ci-bars.js';
import { backendColor, type Dash, type Figure, type Trace } from './plotly-spec.js';
import { finishFigure } from './figure-layout.js';

/** A horizontal legend below the x-axis title, clear of it. */
export const LEGEND_BELOW = { orientation: 'h', y: -0.25 } as const;

/** Where a measured series puts its points along x, and how hover text names that position. */
export interface SeriesAxis {
  x: (row: SummaryRow) => number;
  /** plotly hover text for the position, e.g. `N=%{x}` */
  hover: string;
}

/** x = number of guests (N): the density and latency figures. */
export const GUESTS_AXIS: SeriesAxis = { x: (row) => row.guests, hover: 'N=%{x}' };

/**
 * A measured series with 95% CI error bars (rows of one series; sorted along x here, by N unless `axis` says
 * otherwise).
 */
export function measuredTrace(
  rows: readonly SummaryRow[],
  name: string,
  color: string,
  dash: Dash = 'solid',
  axis: SeriesAxis = GUESTS_AXIS,
): Trace {
  const sorted = [...rows].sort((a, b) => axis.x(a) - axis.x(b));
  return {
    type: 'scatter',
    mode: 'lines+markers',
    name,
    x: sorted.map(axis.x),
    y: sorted.map((row) => row.mean),
    error_y: { type: 'data', symmetric: false, ...whiskers(sorted) },
    line: { color, dash },
    marker: { size: 7, color },
    legendgroup: name,
    text: sorted.map((row) => `${valueHoverText(row, row.unit)}${row.errored ? `, ${row.errored} errored` : ''}`),
    hovertemplate: `%{text} at ${axis.hover}<extra>${name}</extra>`,
  };
}

/** The thesis's printed values as hollow markers on a dashed line. */
function thesisTrace(points: ThesisPoint[], name: string, color: string, symbol = 'diamond-open'): Trace {
  const sorted = [...points].sort((a, b) => a.guests - b.guests);
  return {
    type: 'scatter',
    mode: sorted.length > 1 ? 'lines+markers' : 'markers',
    name,
    x: sorted.map((point) => point.guests),
    y: sorted.map((point) => point.value),
    line: { color, dash: 'dash', width: 1 },
    marker: { symbol, size: 10, color },
    legendgroup: name,
    text: sorted.map((point) => `${point.approximate ? '~' : ''}${point.source}`),
    hovertemplate: `%{y} at N=%{x} (%{text})<extra>${name}</extra>`,
  };
}

/** Options shared by the density figures. */
export interface DensityFigureOptions {
  title: string;
  metric: MetricName;
  yTitle: string;
}

/**
 * One metric vs number of guests: a series per (backend, accel) measured here with 95% CIs, and
 * the thesis's values per backend beside them (Figure 4.1 for total_time).
 */
export function metricVsGuestsFigure(
  summary: readonly SummaryRow[],
  thesis: readonly ThesisPoint[],
  options: DensityFigureOptions,
): Figure {
  const rows = summary.filter((row) => row.metric === options.metric);
  const series = new Map<string, SummaryRow[]>();
  for (const row of rows) {
    const key = seriesLabel(row.backend, row.accel);
    series.set(key, [...(series.get(key) ?? []), row]);
  }
  const data: Trace[] = [];
  for (const [name, group] of series) {
    const backend = group[0]?.backend;
    if (backend) data.push(measuredTrace(group, `${name}, this host`, backendColor(backend)));
  }
  for (const backend of BACKEND_NAMES) {
    const points = thesis.filter((point) => point.backend === backend && point.metric === options.metric);
    if (points.length > 0)
      data.push(thesisTrace(points, `${backendDescriptor(backend).thesisLabel}, thesis`, backendColor(backend)));
  }
  const guests = [...new Set([...rows.map((row) => row.guests), ...thesis.map((point) => point.guests)])].sort(
    (a, b) => a - b,
  );
  return finishFigure({
    data,
    layout: {
      title: { text: options.title },
      xaxis: { title: { text: 'guests running at once (N)' }, tickvals: guests },
      yaxis: { title: { text: options.yTitle }, rangemode: 'tozero' },
      margin: { t: 50, b: 110 },
    },
  });
}

// one backend per figure, so one colour: the statistic is the dash and the marker's shape
const PER_REQUEST: Array<{ metric: MetricName; label: string; dash: Dash; symbol: string }> = [
  { metric: 'latency_min', label: 'min', dash: 'dot', symbol: 'triangle-down' },
  { metric: 'latency_avg', label: 'avg', dash: 'solid', symbol: 'circle' },
  { metric: 'latency_p95', label: 'p95', dash: 'dash', symbol: 'square' },
  { metric: 'latency_max', label: 'max', dash: 'longdash', symbol: 'triangle-up' },
];

/**
 * Per-request latency (min, avg, p95, max) vs N for one backend (Figures 4.2 containers, 4.3 VMs),
 * with the thesis's values for that backend.
 */
export function perRequestFigure(
  summary: readonly SummaryRow[],
  thesis: readonly ThesisPoint[],
  options: { backend: BackendName; title: string },
): Figure {
  const data: Trace[] = [];
  const color = backendColor(options.backend);
  for (const { metric, label, dash, symbol } of PER_REQUEST) {
    const rows = summary.filter((row) => row.backend === options.backend && row.metric === metric);
    if (rows.length > 0) {
      const trace = measuredTrace(
        rows,
        `${label}, this host${rows[0] && backendDescriptor(rows[0].backend).kind === 'vm' ? ` (${rows[0].accel})` : ''}`,
        color,
        dash,
      );
      data.push({ ...trace, marker: { ...trace.marker, symbol } });
    }
    const points = thesis.filter((point) => point.backend === options.backend && point.metric === metric);
    if (points.length > 0) data.push(thesisTrace(points, `${label}, thesis`, color, `${symbol}-open`));
  }
  return finishFigure({
    data,
    layout: {
      title: { text: options.title },
      xaxis: {
        title: { text: 'guests running at once (N)' },
        tickvals: [...new Set(summary.filter((row) => row.backend === options.backend).map((row) => row.guests))].sort(
          (a, b) => a - b,
        ),
      },
      yaxis: { title: { text: 'time per request (ms)' }, rangemode: 'tozero' },
      margin: { t: 50, b: 110 },
    },
  });
}
