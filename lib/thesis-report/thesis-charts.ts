/**
 * Charts of the values the thesis states for its figures. The thesis printed its figures as images,
 * so only the values its text states (and, for Figure 5.1, the tables the figure plots) survive:
 * these charts show those values per backend and N (or per migration configuration), with hedged
 * values ("about", "almost", words) drawn as hollow markers. Pure functions: data in, plotly spec out.
 */
import { backendColor, type Figure, type Trace } from '../figures/plotly-spec.js';
import { backendDescriptor, type BackendName } from '../model/backends.js';
import {
  THESIS_BACKENDS,
  ThesisLookupError,
  isNumericRow,
  type ThesisExperiment,
  type ThesisMetricName,
  type ThesisNumericRow,
} from '../thesis/index.js';
import { printedText, thesisLabel, type ThesisReportData } from './format.js';
import { METRIC_WORDS, statedComparisons } from './stated-comparisons.js';
import { finishFigure } from '../figures/figure-layout.js';

/** The charts, one per figure family, in thesis order. */
export const THESIS_CHARTS = [
  'figure-4.1',
  'figures-4.2-4.3',
  'figures-4.4-4.7',
  'figures-4.8-4.9',
  'figures-4.14-4.15',
  'figures-4.16-4.17',
  'figure-5.1',
  'figures-5.1-5.2-ratios',
  'figures-6.3-6.5-total-time',
  'figures-6.3-6.5-downtime',
] as const;
/** One of THESIS_CHARTS. */
export type ThesisChartId = (typeof THESIS_CHARTS)[number];

/**
 * A plotly spec with the options these charts use beyond lib/figures/plotly-spec.ts (plotly.js
 * >= 2.19): markers of different backends side by side within a category (`scattermode: 'group'`,
 * one `offsetgroup` per backend), categories in thesis order, and a legend even for one trace (it
 * names the backend). Assignable to `Figure`.
 */
export interface ThesisFigure extends Figure {
  data: Array<Trace & { offsetgroup?: string }>;
  layout: Figure['layout'] & {
    scattermode?: 'group';
    showlegend?: boolean;
    xaxis: Figure['layout']['xaxis'] & { categoryorder?: 'array'; categoryarray?: string[] };
  };
}

/** A value the text states, placed on a chart. */
export interface StatedPoint {
  row: ThesisNumericRow;
  backend: BackendName;
  /** category on the x axis */
  x: string;
  /** value in the chart's unit */
  y: number;
}

interface StatedValuesSpec {
  kind: 'stated-values';
  title: string;
  experiment: ThesisExperiment;
  metrics: readonly ThesisMetricName[];
  yTitle: string;
  /** stored unit -> chart unit */
  scale?: number;
  /** x category of a row */
  x: (row: ThesisNumericRow, metricCount: number) => string;
}

type ChartSpec = StatedValuesSpec | { kind: 'boot-tables' } | { kind: 'chapter-5-ratios' };

const byGuests = (row: ThesisNumericRow, metricCount: number): string => {
  const n = `N=${String(row.guests)}`;
  return metricCount > 1 ? `${METRIC_WORDS[row.metric] ?? row.metric}, ${n}` : n;
};

function memoryWords(mib: number): string {
  return mib >= 1024 ? `${mib / 1024} GB` : `${mib} MB`;
}

/** Migration configurations in words (thesis section 6.3). */
function migrationConfig(row: ThesisNumericRow): string {
  if (row.backend !== null && backendDescriptor(row.backend).kind === 'container') return 'container';
  const aggregated = (list: readonly number[] | undefined, words: (items: readonly number[]) => string) =>
    list ? ` (mean over ${words(list)})` : '';
  if (row.load === 'clean')
    return `VM idle, ${String(row.vcpus ?? '?')} vCPU${aggregated(row.aggregates?.memoryMiB, (list) => list.map(memoryWords).join(', '))}`;
  if (row.load === 'loaded')
    return `VM under mprime, ${memoryWords(row.memoryMiB ?? 0)}${aggregated(row.aggregates?.vcpus, (list) => `${list.join(', ')} vCPUs`)}`;
  return 'VM, all configurations';
}

const SPECS: Record<ThesisChartId, ChartSpec> = {
  'figure-4.1': {
    kind: 'stated-values',
    title: 'Figure 4.1: CPU test, total time per guest (values stated in the text)',
    experiment: 'density-cpu',
    metrics: ['total_time'],
    yTitle: 'total time (s)',
    x: byGuests,
  },
  'figures-4.2-4.3': {
    kind: 'stated-values',
    title: 'Figures 4.2 & 4.3: CPU test, time per request (values stated in the text)',
    experiment: 'density-cpu',
    metrics: ['latency_min', 'latency_avg', 'latency_p95', 'latency_max'],
    yTitle: 'time per request (ms)',
    x: byGuests,
  },
  'figures-4.4-4.7': {
    kind: 'stated-values',
    title: 'Figures 4.4-4.7: file I/O test, events, reads and writes (values stated in the text)',
    experiment: 'density-fileio',
    metrics: ['events', 'reads', 'writes'],
    yTitle: 'count per run',
    x: byGuests,
  },
  'figures-4.8-4.9': {
    kind: 'stated-values',
    title: 'Figures 4.8 & 4.9: file I/O test, transfer rate (values stated in the text)',
    experiment: 'density-fileio',
    metrics: ['total_mib_per_s'],
    yTitle: 'read + written (MiB/s; the thesis prints Mbps/Kbps)',
    x: byGuests,
  },
  'figures-4.14-4.15': {
    kind: 'stated-values',
    title: 'Figures 4.14 & 4.15: MySQL OLTP, transactions per second (values stated in the text)',
    experiment: 'density-mysql',
    metrics: ['transactions_per_s'],
    yTitle: 'transactions/s',
    x: byGuests,
  },
  'figures-4.16-4.17': {
    kind: 'stated-values',
    title: 'Figures 4.16 & 4.17: MySQL OLTP, events per run (values stated in the text)',
    experiment: 'density-mysql',
    metrics: ['events'],
    yTitle: 'events',
    x: byGuests,
  },
  'figure-5.1': { kind: 'boot-tables' },
  'figures-5.1-5.2-ratios': { kind: 'chapter-5-ratios' },
  'figures-6.3-6.5-total-time': {
    kind: 'stated-values',
    title: 'Figures 6.3-6.5: total live-migration time (values stated in the text)',
    experiment: 'migration',
    metrics: ['total_time'],
    yTitle: 'total migration time (s)',
    x: migrationConfig,
  },
  'figures-6.3-6.5-downtime': {
    kind: 'stated-values',
    title: 'Figures 6.3-6.5: migration downtime (values stated in the text)',
    experiment: 'migration',
    metrics: ['downtime'],
    yTitle: 'downtime (s)',
    scale: 1 / 1000,
    x: migrationConfig,
  },
};

const HOLLOW_NOTE =
  'Hollow markers: values the thesis hedges (about, almost, around) or gives in words. Hover for the printed value and its line.';

function sourceText(row: ThesisNumericRow): string {
  const flags = row.inconsistencies.length > 0 ? `; inconsistency ${row.inconsistencies.join(', ')}` : '';
  return `${row.approximate ? '≈ ' : ''}${printedText(row)}; ${row.source.ref}, line ${row.source.line}${flags}`;
}

/**
 * The stated values a chart shows: means of the experiment and metrics, not from a table, one per
 * backend and x category; two values the thesis gives for the same place keep both (their x
 * categories then name their lines).
 */
export function statedPoints(data: ThesisReportData, id: ThesisChartId): StatedPoint[] {
  const spec = SPECS[id];
  if (spec.kind !== 'stated-values') return [];
  const rows = data.rows
    .filter(isNumericRow)
    .filter(
      (row) => row.experiment === spec.experiment && spec.metrics.includes(row.metric) && row.statistic === 'mean',
    )
    .filter((row) => row.restates === null && row.source.kind !== 'table' && row.backend !== null)
    .sort(
      (a, b) =>
        spec.metrics.indexOf(a.metric) - spec.metrics.indexOf(b.metric) ||
        (a.guests ?? 0) - (b.guests ?? 0) ||
        a.source.line - b.source.line,
    );
  const points = rows.map((row) => ({
    row,
    backend: row.backend as BackendName,
    x: spec.x(row, spec.metrics.length),
    y: Number((row.value * (spec.scale ?? 1)).toPrecision(12)),
  }));
  const clashes = new Map<string, number>();
  for (const point of points)
    clashes.set(`${point.backend} ${point.x}`, (clashes.get(`${point.backend} ${point.x}`) ?? 0) + 1);
  return points.map((point) =>
    (clashes.get(`${point.backend} ${point.x}`) ?? 0) > 1
      ? { ...point, x: `${point.x} (line ${point.row.source.line})` }
      : point,
  );
}

function statedTrace(
  points: readonly StatedPoint[],
  backend: BackendName,
  approximate: boolean,
): ThesisFigure['data'][number] {
  const name = `${thesisLabel(backend)}${approximate ? ' (approximate)' : ''}`;
  return {
    type: 'scatter',
    mode: 'markers',
    name,
    x: points.map((point) => point.x),
    y: points.map((point) => point.y),
    marker: { symbol: approximate ? 'circle-open' : 'circle', size: 12, color: backendColor(backend) },
    legendgroup: backend,
    offsetgroup: backend,
    text: points.map((point) => sourceText(point.row)),
    hovertemplate: `%{y} (%{text})<extra>${name}</extra>`,
  };
}

function note(text: string): NonNullable<Figure['layout']['annotations']>[number] {
  return { text, xref: 'paper', yref: 'paper', x: 0, y: -0.28, showarrow: false, font: { size: 11 } };
}

function statedValuesChart(data: ThesisReportData, id: ThesisChartId, spec: StatedValuesSpec): ThesisFigure {
  const points = statedPoints(data, id);
  if (points.length === 0) {
    throw new ThesisLookupError(
      `Chart ${id} has no values: data/thesis/values.jsonl states no ${spec.metrics.join('/')} mean for ${spec.experiment}`,
      { candidates: [] },
    );
  }
  const traces: ThesisFigure['data'] = [];
  for (const backend of THESIS_BACKENDS) {
    for (const approximate of [false, true]) {
      const group = points.filter((point) => point.backend === backend && point.row.approximate === approximate);
      if (group.length > 0) traces.push(statedTrace(group, backend, approximate));
    }
  }
  return finishFigure({
    data: traces,
    layout: {
      title: { text: spec.title },
      xaxis: {
        title: {
          text:
            spec.metrics.length > 1
              ? 'statistic, guests running at once (N)'
              : spec.experiment === 'migration'
                ? 'configuration'
                : 'guests running at once (N)',
        },
        type: 'category',
        // categories in the order the points were sorted (metric, then N), not first appearance per trace
        categoryorder: 'array',
        categoryarray: [...new Set(points.map((point) => point.x))],
      },
      scattermode: 'group',
      yaxis: { title: { text: spec.yTitle }, rangemode: 'tozero' },
      showlegend: true,
      legend: { orientation: 'h' },
      margin: { t: 50, b: 110 },
      annotations: [note(HOLLOW_NOTE)],
    },
  });
}

/** Figure 5.1 plots what Tables 5.1 and 5.2 print: boot and shutdown time against N. */
function bootTablesChart(data: ThesisReportData): ThesisFigure {
  const rows = data.rows
    .filter(isNumericRow)
    .filter((row) => row.source.kind === 'table' && (row.source.ref === 'Table 5.1' || row.source.ref === 'Table 5.2'));
  const traces: Trace[] = [];
  for (const [backend, table] of [
    ['kvm', 'Table 5.1'],
    ['docker', 'Table 5.2'],
  ] as const) {
    for (const metric of ['boot_time', 'shutdown_time'] as const) {
      const series = rows
        .filter((row) => row.source.ref === table && row.metric === metric)
        .sort((a, b) => (a.guests ?? 0) - (b.guests ?? 0));
      const name = `${thesisLabel(backend)}, ${METRIC_WORDS[metric] ?? metric} (${table})`;
      traces.push({
        type: 'scatter',
        mode: 'lines+markers',
        name,
        x: series.map((row) => row.guests ?? 0),
        y: series.map((row) => row.value),
        line: { color: backendColor(backend), dash: metric === 'boot_time' ? 'solid' : 'dash' },
        marker: { size: 8, color: backendColor(backend) },
        legendgroup: backend,
        text: series.map(
          (row) =>
            `${row.id}, line ${row.source.line}${row.inconsistencies.length > 0 ? `; inconsistency ${row.inconsistencies.join(', ')}` : ''}`,
        ),
        hovertemplate: `%{y:.2f} s at N=%{x} (%{text})<extra>${name}</extra>`,
      });
    }
  }
  const guests = [...new Set(rows.map((row) => row.guests ?? 0))].sort((a, b) => a - b);
  return finishFigure({
    data: traces,
    layout: {
      title: { text: 'Figure 5.1: boot and shutdown time vs guests (the values of Tables 5.1 and 5.2)' },
      xaxis: { title: { text: 'guests running at once (N)' }, tickvals: guests },
      yaxis: { title: { text: 'time (s)' }, rangemode: 'tozero' },
      legend: { orientation: 'h' },
      margin: { t: 50, b: 110 },
      annotations: [
        note(
          'The text states only comparisons for Figure 5.1 (see the table of stated comparisons); the figure shows what the tables print.',
        ),
      ],
    },
  });
}

/** The ratios chapter 5 states, beside the ratio Tables 5.1 and 5.2 give where both sides are printed. */
function chapter5RatiosChart(data: ThesisReportData): ThesisFigure {
  const ratios = statedComparisons(data, ['latency', 'latency-restore']).filter(
    (item) => item.row.statistic === 'ratio',
  );
  const x = ratios.map((item) => item.label);
  const stated = (approximate: boolean): ThesisFigure['data'][number] => {
    const group = ratios.filter((item) => item.row.approximate === approximate);
    const name = `stated in the text${approximate ? ' (approximate)' : ''}`;
    return {
      type: 'scatter',
      mode: 'markers',
      name,
      x: group.map((item) => item.label),
      y: group.map((item) => item.row.value),
      marker: { symbol: approximate ? 'diamond-open' : 'diamond', size: 12, color: '#555555' },
      legendgroup: 'stated',
      offsetgroup: 'stated',
      text: group.map((item) => sourceText(item.row)),
      hovertemplate: `%{y} (%{text})<extra>${name}</extra>`,
    };
  };
  const computed = ratios.flatMap((item) => item.computed.map((result) => ({ item, result })));
  const traces = [stated(false), stated(true)].filter((trace) => trace.x.length > 0);
  if (computed.length > 0) {
    traces.push({
      type: 'scatter',
      mode: 'markers',
      name: 'from the printed tables',
      x: computed.map(({ item }) => item.label),
      y: computed.map(({ result }) => Math.round(result.value * 1000) / 1000),
      marker: { symbol: 'x', size: 11, color: '#2ca02c' },
      legendgroup: 'computed',
      offsetgroup: 'computed',
      text: computed.map(
        ({
          result: {
            from: [a, b],
          },
        }) => `${printedText(a)} / ${printedText(b)}, lines ${a.source.line} and ${b.source.line}`,
      ),
      hovertemplate: '%{y:.2f} (%{text})<extra>from the printed tables</extra>',
    });
  }
  return finishFigure({
    data: traces,
    layout: {
      title: { text: 'Figures 5.1 & 5.2: ratios the text states, and what the tables give' },
      xaxis: {
        title: { text: 'comparison (first / second)' },
        type: 'category',
        categoryorder: 'array',
        categoryarray: [...new Set(x)],
      },
      scattermode: 'group',
      yaxis: { title: { text: 'ratio' }, rangemode: 'tozero' },
      legend: { orientation: 'h' },
      margin: { t: 50, b: 160 },
      annotations: [note(`${x.length} stated ratios. Hollow markers: hedged (about, almost) or in words.`)],
    },
  });
}

/** The chart `id` as a plotly figure spec (display it with figureHtml). */
export function thesisChart(data: ThesisReportData, id: ThesisChartId): ThesisFigure {
  if (!Object.hasOwn(SPECS, id))
    throw new ThesisLookupError(`Unknown thesis chart \`${id}\``, {
      candidates: [],
      fix: `use one of ${THESIS_CHARTS.join(', ')}`,
    });
  const spec = SPECS[id];
  if (spec.kind === 'boot-tables') return bootTablesChart(data);
  if (spec.kind === 'chapter-5-ratios') return chapter5RatiosChart(data);
  return statedValuesChart(data, id, spec);
}
