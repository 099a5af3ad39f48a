/**
 * The subset of plotly's figure format the builders produce (plain JSON, no plotly import needed).
 */
import { backendDescriptor, type BackendName } from '../model/backends.js';

/** Error bars of a trace; null: no whisker at that point. */
export interface Whiskers {
  type: 'data';
  symmetric: false;
  array: Array<number | null>;
  arrayminus: Array<number | null>;
  visible: boolean;
}

/** How a line is drawn: what tells apart series of one colour (one backend). */
export type Dash = 'solid' | 'dash' | 'dot' | 'dashdot' | 'longdash';

/** One plotly trace. */
export interface Trace {
  type: 'scatter' | 'bar';
  mode?: 'lines' | 'markers' | 'lines+markers';
  name: string;
  x: Array<number | string | null>;
  y: Array<number | string | null>;
  /** whiskers above (`array`) and below (`arrayminus`) each point; null: no whisker at that point */
  error_y?: Whiskers;
  /** the same along x (a horizontal dot plot) */
  error_x?: Whiskers;
  line?: { dash?: Dash; color?: string; width?: number };
  /** `color` per point where the points are of different backends */
  marker?: {
    symbol?: string;
    size?: number;
    color?: string | string[];
    /** hatching of a bar ('/' lines): a second measure in the same backend colours */
    pattern?: {
      shape: '' | '/' | 'x' | '.';
      /** 'overlay': the hatching drawn in `fgcolor` over the bar's own colour */
      fillmode?: 'overlay';
      fgcolor?: string;
    };
    /** a bar's outline (white: a gap between stacked segments) */
    line?: { color: string; width: number };
  };
  /** 0..1; lighter bars for secondary series */
  opacity?: number;
  legendgroup?: string;
  /** false: the trace is not in the legend (a legend-only trace stands for it) */
  showlegend?: boolean;
  hovertemplate?: string;
  text?: string[];
  /** where a bar's `text` shows: 'none' keeps it to the hover */
  textposition?: 'auto' | 'none';
}

/** One axis of a figure. */
export interface Axis {
  title: { text: string };
  type?: 'linear' | 'log' | 'category';
  /** 'array': ticks exactly at tickvals (numbers, or categories) */
  tickmode?: 'array';
  tickvals?: Array<number | string>;
  ticktext?: string[];
  /** degrees; 0 keeps category labels horizontal (they wrap instead) */
  tickangle?: number;
  rangemode?: 'tozero';
  /** 'reversed': the first category at the top */
  autorange?: 'reversed';
  /** the axis's ends, in data units (a log axis: powers of ten, log10 of the values) */
  range?: [number, number];
  /** false: no line at zero (a guests axis whose N = 0 points sit on it) */
  zeroline?: boolean;
  /** true: the margin grows to hold the tick labels and title */
  automargin?: boolean;
}

/** A complete figure: data and layout, ready for Plotly.newPlot. */
export interface Figure {
  data: Trace[];
  layout: {
    title: { text: string };
    xaxis: Axis;
    yaxis: Axis;
    /** lines and bands in data (x) and paper (y) coordinates, e.g. "no change" at x = 1 */
    shapes?: Array<{
      type: 'line' | 'rect';
      xref: 'x';
      yref: 'paper';
      x0: number;
      x1: number;
      y0: number;
      y1: number;
      line?: { color?: string; width?: number; dash?: 'solid' | 'dash' | 'dot' };
      fillcolor?: string;
      layer?: 'below' | 'above';
    }>;
    /** traceorder 'normal': stacked bars' legend in trace order (plotly reverses it otherwise) */
    legend?: {
      orientation?: 'h' | 'v';
      x?: number;
      xanchor?: 'left' | 'right';
      y?: number;
      yanchor?: 'top' | 'bottom';
      traceorder?: 'normal';
      /** said once above the entries: what every entry's name ended with */
      title?: { text: string };
    };
    /** true: a legend even for a single trace (plotly hides it then) */
    showlegend?: boolean;
    margin?: { t?: number; r?: number; b?: number; l?: number };
    /** pixels; the page's div takes this height */
    height?: number;
    annotations?: Array<{
      text: string;
      xref: 'paper';
      yref: 'paper';
      x: number;
      y: number;
      showarrow: false;
      font?: { size?: number };
    }>;
    /** 'group': markers of several traces at one category sit side by side, as grouped bars do */
    scattermode?: 'group' | 'overlay';
    /** with scattermode 'group': the part of the space between two x positions left between groups */
    scattergap?: number;
  };
  /**
   * What the figure wants said under it (why a value is missing, what hollow markers mean): shown as
   * a caption below the plot, where it wraps (not drawn by plotly).
   */
  notes?: string[];
}

/** A backend's colour, the same in every figure: its row of the backend table. */
export function backendColor(backend: BackendName): string {
  return backendDescriptor(backend).color;
}
