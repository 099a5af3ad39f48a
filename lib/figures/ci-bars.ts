/**
 * Means with their 95% confidence intervals at categories: as bars, or as markers (a dot plot, the
 * honest choice on a log axis, where a bar's length means nothing). A category without a value
 * gets nothing drawn (null), never a zero.
 */
import type { Stats } from '../analysis/statistics.js';
import type { Figure, Trace } from './plotly-spec.js';

/**
 * What a bar or marker needs of a group's statistics (and why it has no interval, where a row says);
 * null: no value for that category.
 */
export type BarStats =
  (Pick<Stats, 'mean' | 'ciLow' | 'ciHigh' | 'n'> & Partial<Pick<Stats, 'intervalNote'>>) | null | undefined;

/** The whisker above and below a mean: null where there is no interval (none is drawn there). */
export function whiskers(stats: readonly BarStats[]): {
  array: Array<number | null>;
  arrayminus: Array<number | null>;
  visible: boolean;
} {
  const has = (item: BarStats) => item?.ciLow !== null && item?.ciLow !== undefined && item.ciHigh !== null;
  return {
    array: stats.map((item) => (has(item) ? (item!.ciHigh as number) - item!.mean : null)),
    arrayminus: stats.map((item) => (has(item) ? item!.mean - (item!.ciLow as number) : null)),
    // no whiskers at all where no value has an interval
    visible: stats.some(has),
  };
}

/** Hover text of one category: `n=3`, `n=2, too few repeats (n=2) for an interval`, or `no value`. */
export function countText(item: BarStats): string {
  if (!item) return 'no value';
  return item.ciLow === null && item.intervalNote ? `n=${item.n}, ${item.intervalNote}` : `n=${item.n}`;
}

/** Options of {@link ciBarTrace} and {@link ciMarkerTrace}. */
export interface CiBarOptions {
  /** the values' unit, shown on hover */
  unit: string;
  /** per-category hover text (default `n=<n>`, or `no value`) */
  text?: string[];
  opacity?: number;
}

function values(stats: readonly BarStats[]): Pick<Trace, 'y' | 'error_y'> {
  return {
    y: stats.map((item) => item?.mean ?? null),
    error_y: { type: 'data', symmetric: false, ...whiskers(stats) },
  };
}

function hover(name: string, stats: readonly BarStats[], options: CiBarOptions): Pick<Trace, 'text' | 'hovertemplate'> {
  return {
    text: options.text ?? stats.map(countText),
    // "95% CI" only where some value has an interval (a mean of means has none)
    hovertemplate: `%{y:.3f} ${options.unit} (%{text}${stats.some((item) => item?.ciLow !== null && item?.ciLow !== undefined) ? ', 95% CI' : ''})<extra>${name}</extra>`,
  };
}

/** Bars at `x` with heights `stats[i].mean` and asymmetric 95% CI error bars (none where there is no CI). */
export function ciBarTrace(
  name: string,
  color: string,
  x: string[],
  stats: readonly BarStats[],
  options: CiBarOptions,
): Trace {
  return {
    type: 'bar',
    name,
    x,
    ...values(stats),
    marker: { color },
    ...(options.opacity === undefined ? {} : { opacity: options.opacity }),
    ...hover(name, stats, options),
  };
}

/**
 * The same as markers (`symbol`, e.g. `circle-open`); with layout.scattermode 'group' they sit side by side per
 * category.
 */
export function ciMarkerTrace(
  name: string,
  color: string | string[],
  x: string[],
  stats: readonly BarStats[],
  options: CiBarOptions & { symbol: string },
): Trace {
  return {
    type: 'scatter',
    mode: 'markers',
    name,
    x,
    ...values(stats),
    marker: { symbol: options.symbol, size: 10, color },
    ...(options.opacity === undefined ? {} : { opacity: options.opacity }),
    ...hover(name, stats, options),
  };
}

/** A plotly annotation in paper coordinates. */
export type Note = NonNullable<Figure['layout']['annotations']>[number];

/** `text` cut to `max` characters, with an ellipsis when cut. */
export function clip(text: string, max = 110): string {
  return `${text.slice(0, max)}${text.length > max ? '…' : ''}`;
}

/** A small one-line note above the plot, in row `slot` (0 = lowest): e.g. why a value is missing. */
export function noteAbove(text: string, slot: number): Note {
  return { text, xref: 'paper', yref: 'paper', x: 0, y: 1.02 + 0.06 * slot, showarrow: false, font: { size: 10 } };
}
