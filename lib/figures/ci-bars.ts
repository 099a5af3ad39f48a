/**
 * Means with their 95% confidence intervals at categories: as bars, or as markers (a dot plot, the
 * honest choice on a log axis, where a bar's length means nothing). A category without a value
 * gets nothing drawn (null), never a zero.
 */
import type { Stats } from '../analysis/statistics.js';
import { numberText, valueText } from './number-text.js';
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

/**
 * What a tooltip says of one value: rounded to its precision, with n and both bounds of its 95%
 * interval: `1.23 s, n=5, 95% CI [1.1, 1.37]`, `1.23 s, n=2 (too few repeats (n=2) for an interval)`.
 */
export function valueHoverText(item: BarStats, unit: string): string {
  if (!item) return 'no value';
  const value = valueText(item.mean, unit);
  if (item.ciLow !== null && item.ciHigh !== null)
    return `${value}, n=${item.n}, 95% CI [${numberText(item.ciLow)}, ${numberText(item.ciHigh)}]`;
  return item.intervalNote ? `${value}, n=${item.n} (${item.intervalNote})` : `${value}, n=${item.n}`;
}

/** Options of {@link ciBarTrace} and {@link ciMarkerTrace}. */
export interface CiBarOptions {
  /** the values' unit, shown on hover */
  unit: string;
  /** per-category hover text (default `n=<n>`, or `no value`) */
  text?: string[];
  opacity?: number;
  /** hatching of bars: a second measure drawn in the same (backend) colours */
  pattern?: '/' | 'x' | '.';
}

function values(stats: readonly BarStats[]): Pick<Trace, 'y' | 'error_y'> {
  return {
    y: stats.map((item) => item?.mean ?? null),
    error_y: { type: 'data', symmetric: false, ...whiskers(stats) },
  };
}

function hover(name: string, stats: readonly BarStats[], options: CiBarOptions): Pick<Trace, 'text' | 'hovertemplate'> {
  if (options.text)
    return {
      text: options.text,
      hovertemplate: `%{y:.3~g} ${options.unit} (%{text})<extra>${name}</extra>`,
    };
  // the value rounded, n and the interval's bounds: the whole tooltip is the point's text
  return {
    text: stats.map((item) => valueHoverText(item, options.unit)),
    hovertemplate: `%{text}<extra>${name}</extra>`,
  };
}

/** Bars at `x` with heights `stats[i].mean` and asymmetric 95% CI error bars (none where there is no CI). */
export function ciBarTrace(
  name: string,
  color: string | string[],
  x: string[],
  stats: readonly BarStats[],
  options: CiBarOptions,
): Trace {
  return {
    type: 'bar',
    name,
    x,
    ...values(stats),
    marker: { color, ...(options.pattern ? { pattern: { shape: options.pattern } } : {}) },
    ...(options.opacity === undefined ? {} : { opacity: options.opacity }),
    ...hover(name, stats, options),
    // the text is the tooltip's: drawn on a bar, the whiskers cross it
    textposition: 'none',
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
