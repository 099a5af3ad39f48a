/**
 * The layout rules every figure follows, applied once by each builder to what it drew (so no figure
 * lays itself out by hand):
 * - notes leave the plot for the caption under it (HTML wraps them; plotly would truncate or let
 *   them collide with the legend and axis titles);
 * - the legend sits right of the plot, where plotly reserves its margin;
 * - an axis whose values span more than a decade is logarithmic, with ticks at 1-2-5 steps
 *   labelled with their magnitude (0.1, 1, 10), never plotly's bare minor digits "2 3 4 5";
 * - a guests axis has a tick at every N a series has (measured or the thesis's);
 * - series sharing a guests axis sit side by side at each N (plotly's scattermode 'group') so no
 *   point hides under another;
 * - long category labels wrap instead of running into the next figure, and the figure grows to fit;
 * - what every legend entry ends with (", VMs (tcg), this host") is said once, as the legend's
 *   title, so long names do not squeeze the plot.
 */
import { numberText } from './number-text.js';
import type { Axis, Figure, Trace } from './plotly-spec.js';

/** A figure's height in pixels unless its builder says otherwise. */
export const FIGURE_HEIGHT = 420;
/** A span (max / min) beyond which an axis turns logarithmic: "more than about a decade". */
export const LOG_SPAN = 10;
/** Characters of a category label per line at most, however few categories share the axis. */
const LABEL_WIDTH = 22;
/** About the figure's width in characters of tick-label text (a 1280 px page). */
const FIGURE_CHARACTERS = 150;
/** Of the space between two Ns, the part left empty between groups of points (0.7: a third holds them). */
const SCATTER_GAP = 0.7;
/** Pixels per line of a wrapped category label. */
const LINE_HEIGHT = 14;

/** Lays `figure` out by the rules above; returns a new figure (the input is not changed). */
export function finishFigure<F extends Figure>(figure: F): F {
  const notes = [...(figure.notes ?? []), ...(figure.layout.annotations ?? []).map((note) => note.text)];
  const data = figure.data.map((trace) => ({ ...trace }));
  const layout: Figure['layout'] = {
    ...figure.layout,
    xaxis: { ...figure.layout.xaxis },
    yaxis: { ...figure.layout.yaxis },
  };
  delete layout.annotations;
  layout.legend = {
    ...(figure.layout.legend?.traceorder ? { traceorder: figure.layout.legend.traceorder } : {}),
    orientation: 'v',
    x: 1.02,
    xanchor: 'left',
    y: 1,
    yanchor: 'top',
  };
  const shared = sharedSuffix(data);
  if (shared) {
    for (const trace of data) if (trace.showlegend !== false) trace.name = trace.name.slice(0, -shared.length);
    layout.legend.title = { text: shared.replace(/^, /, '') };
  }
  const stacked = (layout as { barmode?: string }).barmode === 'stack';
  layout.yaxis = scaleAxis(layout.yaxis, values(data, 'y'), stacked);
  if (layout.xaxis.type === 'log') layout.xaxis = scaleAxis(layout.xaxis, values(data, 'x'), false);
  if (isGuestsAxis(layout.xaxis)) {
    const ticks = [
      ...new Set([
        ...(layout.xaxis.tickvals ?? []).filter((tick): tick is number => typeof tick === 'number'),
        ...numbersOf(data, 'x'),
      ]),
    ].sort((a, b) => a - b);
    layout.xaxis.tickvals = ticks;
    // N = 0 (the first guest, nothing running yet) is a point like any other, not a line across it
    layout.xaxis.zeroline = false;
    // series side by side at each N (as grouped bars), so no point hides under another
    if (data.filter((trace) => trace.type === 'scatter').length > 1) {
      layout.scattermode = 'group';
      layout.scattergap = SCATTER_GAP;
    }
  }
  const lines = wrapCategories(layout.xaxis, data);
  layout.xaxis.automargin = true;
  layout.yaxis.automargin = true;
  const titleLines = layout.title.text.split('<br>').length;
  layout.margin = { ...layout.margin, t: Math.max(layout.margin?.t ?? 0, 30 + 24 * titleLines), b: 20 };
  layout.height = (figure.layout.height ?? FIGURE_HEIGHT) + LINE_HEIGHT * (lines - 1);
  const finished = { ...figure, data, layout } as F;
  if (notes.length > 0) finished.notes = notes;
  else delete finished.notes;
  return finished;
}

/**
 * The ", ..." part every legend entry ends with (two entries or more, each keeping a name of its
 * own), or undefined.
 */
function sharedSuffix(data: readonly Trace[]): string | undefined {
  const names = data.filter((trace) => trace.showlegend !== false).map((trace) => trace.name);
  if (names.length < 2) return undefined;
  const parts = names.map((name) => name.split(', '));
  let shared = 0;
  while (
    parts.every((part) => part.length > shared + 1) &&
    parts.every((part) => part.at(-1 - shared) === parts[0]?.at(-1 - shared))
  )
    shared += 1;
  if (shared === 0) return undefined;
  return `, ${(parts[0] as string[]).slice(-shared).join(', ')}`;
}

// a guests axis: numbers with ticks of their own (the builders set tickvals to the Ns)
function isGuestsAxis(axis: Axis): boolean {
  return axis.type !== 'log' && axis.type !== 'category' && axis.tickvals !== undefined && axis.ticktext === undefined;
}

function numbersOf(data: readonly Trace[], key: 'x' | 'y'): number[] {
  return data.flatMap((trace) => trace[key].filter((value): value is number => typeof value === 'number'));
}

// every value an axis must show: the points and the ends of their whiskers
function values(data: readonly Trace[], key: 'x' | 'y'): number[] {
  const all: number[] = [];
  for (const trace of data) {
    const bars = key === 'y' ? trace.error_y : trace.error_x;
    trace[key].forEach((value, index) => {
      if (typeof value !== 'number') return;
      all.push(value);
      if (bars?.visible) {
        const up = bars.array[index];
        const down = bars.arrayminus[index];
        if (typeof up === 'number') all.push(value + up);
        if (typeof down === 'number') all.push(value - down);
      }
    });
  }
  return all;
}

/**
 * A value axis: logarithmic when its positive values span more than {@link LOG_SPAN} (or when the
 * builder chose log), then with ticks at 1-2-5 steps labelled in full; stacked bars stay linear
 * (a segment's length is what they show).
 */
function scaleAxis(axis: Axis, numbers: readonly number[], stacked: boolean): Axis {
  if (axis.type === 'category' || numbers.length === 0) return axis;
  const low = Math.min(...numbers);
  const high = Math.max(...numbers);
  const wide = low > 0 && high / low > LOG_SPAN;
  if (axis.type !== 'log' && (stacked || !wide)) return axis;
  if (low <= 0) return axis;
  const { rangemode: _linearOnly, ...rest } = axis;
  // the builder's ticks (the memory sizes measured) stay; otherwise 1-2-5 steps
  const given = axis.tickvals?.filter((tick): tick is number => typeof tick === 'number');
  const title = /log/.test(axis.title.text) ? axis.title : { ...axis.title, text: `${axis.title.text}, log scale` };
  if (given !== undefined && given.length > 0)
    return { ...rest, title, type: 'log', tickvals: given, ticktext: given.map((value) => numberText(value)) };
  // the axis ends at the ticks around the values, so the lowest and highest are labelled
  const tickvals = logTicks(low, high);
  const bottom = Math.log10(tickvals[0] as number);
  const top = Math.log10(tickvals.at(-1) as number);
  const pad = (top - bottom) * 0.03;
  return {
    ...rest,
    title,
    type: 'log',
    tickvals,
    ticktext: tickvals.map((value) => numberText(value)),
    range: [bottom - pad, top + pad],
  };
}

/**
 * Ticks at 1, 2 and 5 times each power of ten (1 only past 3 decades), from the last at or below
 * `low` to the first at or above `high`: every value has a labelled tick below and above it.
 */
export function logTicks(low: number, high: number): number[] {
  const decades = Math.log10(high / low);
  const steps = decades > 3 ? [1] : [1, 2, 5];
  const candidates: number[] = [];
  for (let power = Math.floor(Math.log10(low)) - 1; power <= Math.ceil(Math.log10(high)) + 1; power += 1)
    for (const step of steps) candidates.push(Number((step * 10 ** power).toPrecision(1)));
  const first = candidates.filter((value) => value <= low).at(-1) ?? (candidates[0] as number);
  const last = candidates.find((value) => value >= high) ?? (candidates.at(-1) as number);
  return candidates.filter((value) => value >= first && value <= last);
}

/** Long category labels on x wrapped into lines; returns the most lines a label takes. */
function wrapCategories(axis: Axis, data: readonly Trace[]): number {
  const categories = [
    ...new Set(data.flatMap((trace) => trace.x.filter((value): value is string => typeof value === 'string'))),
  ];
  if (categories.length === 0 || axis.tickvals !== undefined) return 1;
  // each category gets its share of the axis, less a gap; the legend at the right takes its longest name
  const legend = Math.max(
    0,
    ...data.filter((trace) => trace.showlegend !== false).map((trace) => trace.name.length + 6),
  );
  const axisCharacters = Math.max(40, FIGURE_CHARACTERS - legend);
  const width = Math.max(8, Math.min(LABEL_WIDTH, Math.floor(axisCharacters / categories.length) - 2));
  const wrapped = categories.map((category) => wrapText(category, width));
  if (wrapped.every((lines) => lines.length === 1)) return 1;
  axis.tickmode = 'array';
  axis.tickvals = categories;
  axis.ticktext = wrapped.map((lines) => lines.join('<br>'));
  axis.tickangle = 0;
  return Math.max(...wrapped.map((lines) => lines.length));
}

/** `text` broken at spaces into lines of at most `width` characters (a longer word keeps its line). */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  // a number stays with the word after it, its unit ("256 MiB", "2 vCPUs")
  const words: string[] = [];
  for (const word of text.split(' ')) {
    const previous = words.at(-1);
    if (previous !== undefined && /^[\d.,]+$/.test(previous)) words[words.length - 1] = `${previous} ${word}`;
    else words.push(word);
  }
  for (const word of words) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}
