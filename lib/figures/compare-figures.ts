/**
 * The comparison of two campaigns as one figure: B/A per cell on a log axis (1 = no change), with
 * its 95% interval (Welch, log scale) where there is one, the minimum effect as a band around 1, and the points
 * coloured by verdict (flagged, no significant change, untestable). Here colour means the verdict, not the
 * backend: each row names its backend.
 */
import type { CampaignComparison, CellVerdict, ComparedCell } from '../analysis/campaign-compare.js';
import { cellLabel, formatRatio } from './compare-tables.js';
import type { Figure, Trace } from './plotly-spec.js';
import { finishFigure } from './figure-layout.js';

/** Colour and symbol per verdict. */
const VERDICT_STYLE: Record<CellVerdict, { name: string; color: string; symbol: string }> = {
  changed: { name: 'flagged: significant and beyond the minimum effect', color: '#000000', symbol: 'circle' },
  'no significant change': { name: 'no significant change', color: '#8c8c8c', symbol: 'circle-open' },
  untestable: { name: 'untestable: too few repeats', color: '#bdbdbd', symbol: 'x-thin-open' },
};

/** Options of {@link compareRatioFigure}. */
export interface CompareRatioOptions {
  title: string;
  /** only these metrics (default every compared cell with a ratio) */
  metrics?: readonly string[];
}

/** The height in pixels the figure needs for its rows (pass to figureHtml). */
export function compareRatioHeight(figure: Figure): number {
  const rows = new Set(figure.data.flatMap((trace) => trace.y)).size;
  return 200 + 18 * rows;
}

function rowLabel(cell: ComparedCell): string {
  const label = cellLabel(cell.key);
  return `${label.guest} N=${label.n} ${cell.key.metric}`;
}

/** B/A per compared cell with a ratio, one row each, on a log x axis. */
export function compareRatioFigure(comparison: CampaignComparison, options: CompareRatioOptions): Figure {
  const cells = comparison.cells.filter(
    (cell): cell is ComparedCell =>
      cell.state === 'compared' &&
      cell.ratio !== null &&
      cell.ratio > 0 &&
      (options.metrics === undefined || options.metrics.includes(cell.key.metric)),
  );
  const data: Trace[] = (['changed', 'no significant change', 'untestable'] as const).flatMap((verdict) => {
    const group = cells.filter((cell) => cell.verdict === verdict);
    if (group.length === 0) return [];
    const style = VERDICT_STYLE[verdict];
    const ci = (cell: ComparedCell) => (cell.ratioInterval.state === 'ok' ? cell.ratioInterval : null);
    return [
      {
        type: 'scatter' as const,
        mode: 'markers' as const,
        name: style.name,
        x: group.map((cell) => cell.ratio),
        y: group.map(rowLabel),
        error_x: {
          type: 'data' as const,
          symmetric: false as const,
          array: group.map((cell) => (ci(cell) ? ci(cell)!.high - (cell.ratio as number) : null)),
          arrayminus: group.map((cell) => (ci(cell) ? (cell.ratio as number) - ci(cell)!.low : null)),
          visible: group.some((cell) => ci(cell) !== null),
        },
        marker: { symbol: style.symbol, size: 9, color: style.color },
        text: group.map(
          (cell) =>
            `${formatRatio(cell.ratio)}${ci(cell) ? ` [${ci(cell)!.low.toPrecision(3)}, ${ci(cell)!.high.toPrecision(3)}]` : ''}, p=${cell.p.toPrecision(2)}${cell.q === null ? '' : `, q=${cell.q.toPrecision(2)}`}, n=${cell.a.n}/${cell.b.n}: ${cell.reason}`,
        ),
        hovertemplate: `%{y}: %{text}<extra></extra>`,
      },
    ];
  });
  const high = 1 + comparison.minEffect;
  return finishFigure({
    data,
    layout: {
      title: { text: options.title },
      xaxis: { title: { text: 'B / A (log scale; 1 = no change; whiskers: 95% CI)' }, type: 'log' },
      yaxis: { title: { text: '' }, type: 'category', autorange: 'reversed', automargin: true },
      shapes: [
        {
          type: 'rect',
          xref: 'x',
          yref: 'paper',
          x0: 1 / high,
          x1: high,
          y0: 0,
          y1: 1,
          fillcolor: 'rgba(0,0,0,0.06)',
          line: { width: 0 },
          layer: 'below',
        },
        { type: 'line', xref: 'x', yref: 'paper', x0: 1, x1: 1, y0: 0, y1: 1, line: { color: '#444444', width: 1 } },
      ],
      // above the plot, under the title: below it the legend's distance from the axis title would depend on the height
      legend: { orientation: 'h', x: 0, y: 1, yanchor: 'bottom' },
      showlegend: true,
      margin: { t: 110, b: 70 },
    },
  });
}
