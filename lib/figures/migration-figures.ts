/**
 * Figure builders for chapter 6 (live migration): total time and downtime vs memory size (Figure 6.3,
 * and the growth with memory and load), the loaded guest by vCPU count (Figure 6.4), VM against
 * container (Figure 6.5), and QEMU's downtime beside the observer's. Pure functions: summaries and
 * thesis values in, a plotly figure out. Measured series are named with the accelerator and "this
 * host"; the thesis's with "thesis"; the two never share a trace.
 */
import type {
  MigrationComparedMetric,
  MigrationComparison,
  MigrationConfigSummary,
  MigrationThesisValue,
} from '../analysis/migration-summary.js';
import type { SummaryRow } from '../analysis/summarize.js';
import type { MigrationLoad, TimingSource } from '../results/schema.js';
import { ciBarTrace, ciMarkerTrace, noteAbove, type BarStats, type Note } from './ci-bars.js';
import { BACKEND_NAMES, backendDescriptor, byBackend, seriesLabel, type BackendName } from '../model/backends.js';
import { LEGEND_BELOW, measuredTrace, type SeriesAxis } from './density-figures.js';
import type { BarFigure } from './latency-figures.js';
import { backendColor, type Figure, type Trace } from './plotly-spec.js';
import { finishFigure } from './figure-layout.js';

const WHO: Record<TimingSource, string> = { observer: 'observer', qemu: 'QEMU' };
const FIELD: Record<MigrationComparedMetric, 'totalTime' | 'downtime'> = {
  total_time: 'totalTime',
  downtime: 'downtime',
};
const AXIS_TITLE: Record<MigrationComparedMetric, string> = {
  total_time: 'total migration time (s)',
  downtime: 'downtime (ms)',
};
// colour is the backend's (one colour, one backend): load is the line's dash, vCPUs the marker's
// shape, the vantage point filled (observer) or open (QEMU)
const LOAD_DASH: Record<MigrationLoad, 'solid' | 'dot'> = { clean: 'solid', loaded: 'dot' };
const VCPU_SYMBOLS = ['circle', 'square', 'triangle-up', 'diamond', 'cross'];
// filled: the observer (the thesis's vantage point); open: QEMU
const WHO_SYMBOL: Record<TimingSource, string> = { observer: 'circle', qemu: 'circle-open' };
/** The thesis's VMs ran under KVM (section 6.4.1: KVM + QEMU + libvirt). */
const THESIS_VMS = 'VMs (KVM), thesis';

function vcpuWords(count: number): string {
  return `${count} vCPU${count === 1 ? '' : 's'}`;
}

function listWords(values: readonly number[], unit = ''): string {
  return `${values.join(', ')}${unit}`;
}

// one line under the title saying what the VMs ran on, when any ran under TCG
function titleWithAccel(title: string, configs: ReadonlyArray<{ backend: BackendName; accel: string | null }>): string {
  const tcg = configs.some((config) => isVm(config.backend) && config.accel === 'tcg');
  return tcg
    ? `${title}<br><sub>this host's VMs ran under TCG (QEMU's software CPU emulation), the thesis's under KVM</sub>`
    : title;
}

// the thesis's VMs in the VM colour (its values carry their backend)
function thesisVmColor(values: readonly MigrationThesisValue[]): string {
  const first = values[0];
  const vm = first?.backend ?? BACKEND_NAMES.find(isVm);
  return vm ? backendColor(vm) : '#444444';
}

function isVm(backend: BackendName): boolean {
  return backendDescriptor(backend).kind === 'vm';
}

function vmConfigs(configs: readonly MigrationConfigSummary[], load?: MigrationLoad): MigrationConfigSummary[] {
  return configs.filter(
    (config) => isVm(config.backend) && config.memoryMiB !== null && (load === undefined || config.load === load),
  );
}

/** The backends of `configs`, in legend order: every figure draws one series (or bar) per backend. */
function backendsOf(configs: ReadonlyArray<{ backend: BackendName }>): BackendName[] {
  return [...new Set(configs.map((config) => config.backend))].sort((a, b) =>
    byBackend({ backend: a }, { backend: b }),
  );
}

/** The measured row of `config` for one metric and vantage point. */
function rowOf(config: MigrationConfigSummary, metric: MigrationComparedMetric, who: TimingSource): SummaryRow | null {
  return config[FIELD[metric]][who];
}

/** Options of {@link migrationVsMemoryFigure}. */
export interface MigrationVsMemoryOptions {
  title: string;
  metric: MigrationComparedMetric;
  /** one load only (Figure 6.3: clean); default both */
  load?: MigrationLoad;
  /** log y axis: the thesis's minutes and this host's seconds differ by orders of magnitude (default true) */
  logY?: boolean;
}

/**
 * Total time or downtime vs guest memory (log x axis): one series per (backend, load, vCPUs) and vantage point
 * measured here, in the backend's colour (dash: the load; filled markers: observer, open: QEMU; 95% CI error
 * bars), and the thesis's means (dashed, hollow diamonds; a mean the thesis took over several memory sizes is a
 * flat segment across them,
 * not a point per size). Figure 6.3 with `load: 'clean'`; without `load`, how the time grows with
 * memory and load.
 */
export function migrationVsMemoryFigure(
  configs: readonly MigrationConfigSummary[],
  thesis: readonly MigrationThesisValue[],
  options: MigrationVsMemoryOptions,
): Figure {
  const ours = vmConfigs(configs, options.load);
  const memoryOf = (row: SummaryRow) =>
    ours.find((config) => config.backend === row.backend && config.config === row.config)?.memoryMiB ?? 0;
  const axis: SeriesAxis = { x: memoryOf, hover: '%{x} MiB' };
  const vcpuCounts = [...new Set(ours.map((config) => config.vcpus ?? 1))].sort((a, b) => a - b);
  const data: Trace[] = [];
  // one series per backend (kvm and microvm are both VMs, never one line), load, vCPU count and vantage point
  for (const backend of backendsOf(ours)) {
    for (const load of ['clean', 'loaded'] as const) {
      for (const vcpus of vcpuCounts) {
        const series = ours.filter(
          (config) => config.backend === backend && config.load === load && config.vcpus === vcpus,
        );
        for (const who of ['observer', 'qemu'] as const) {
          const rows = series
            .map((config) => rowOf(config, options.metric, who))
            .filter((row): row is SummaryRow => row !== null);
          const first = rows[0];
          if (!first) continue;
          const trace = measuredTrace(
            rows,
            `${load}, ${vcpuWords(vcpus)}: ${WHO[who]}, ${seriesLabel(backend, first.accel)}, this host`,
            backendColor(backend),
            LOAD_DASH[load],
            axis,
          );
          const shape = VCPU_SYMBOLS[vcpuCounts.indexOf(vcpus) % VCPU_SYMBOLS.length] as string;
          data.push({ ...trace, marker: { ...trace.marker, symbol: who === 'qemu' ? `${shape}-open` : shape } });
        }
      }
    }
  }
  const points = thesis.filter(
    (value) =>
      isVm(value.backend) &&
      value.metric === options.metric &&
      value.load !== null &&
      (options.load === undefined || value.load === options.load),
  );
  for (const load of ['clean', 'loaded'] as const) {
    const perSize = points
      .filter((value) => value.load === load && value.memoryMiB !== null)
      .sort((a, b) => (a.memoryMiB as number) - (b.memoryMiB as number));
    if (perSize.length > 0) {
      const over = [...new Set(perSize.flatMap((value) => value.vcpusCovered))].sort((a, b) => a - b);
      const name = `${load}${over.length > 0 ? `, mean over ${listWords(over)} vCPUs` : ''}: ${THESIS_VMS}`;
      data.push(
        thesisTrace(
          name,
          thesisVmColor(points),
          perSize.map((value) => value.memoryMiB as number),
          perSize,
        ),
      );
    }
    for (const value of points.filter(
      (candidate) => candidate.load === load && candidate.memoryMiB === null && candidate.memoryCovered.length > 0,
    )) {
      const sizes = [...value.memoryCovered].sort((a, b) => a - b);
      const name = `${load}, one mean over ${listWords(sizes, ' MiB')}: ${THESIS_VMS}`;
      data.push({
        ...thesisTrace(name, thesisVmColor(points), [sizes[0] as number, sizes.at(-1) as number], [value, value]),
        mode: 'lines',
      });
    }
  }
  const sizes = [
    ...new Set([
      ...ours.map((config) => config.memoryMiB as number),
      ...points.flatMap((value) => value.memoryCovered),
    ]),
  ].sort((a, b) => a - b);
  const logY = options.logY ?? true;
  return finishFigure({
    data,
    layout: {
      title: { text: titleWithAccel(options.title, ours) },
      xaxis: { title: { text: 'guest memory (MiB, log scale)' }, type: 'log', tickvals: sizes },
      yaxis: {
        title: { text: `${AXIS_TITLE[options.metric]}${logY ? ', log scale' : ''}` },
        ...(logY ? { type: 'log' as const } : { rangemode: 'tozero' as const }),
      },
      legend: LEGEND_BELOW,
      margin: { t: 70, b: 150 },
    },
  });
}

/** The thesis's values as hollow diamonds on a dashed line, with where each is printed on hover. */
function thesisTrace(
  name: string,
  color: string,
  x: Array<number | string>,
  values: readonly MigrationThesisValue[],
): Trace {
  return {
    type: 'scatter',
    mode: values.length > 1 ? 'lines+markers' : 'markers',
    name,
    x,
    y: values.map((value) => value.value),
    line: { color, dash: 'dash', width: 1 },
    marker: { symbol: 'diamond-open', size: 11, color },
    legendgroup: name,
    text: values.map(
      (value) =>
        `${value.approximate ? '~' : ''}${value.printed ? `printed ${value.printed.value} ${value.printed.unit}, ` : ''}${value.source}`,
    ),
    hovertemplate: `%{y} ${values[0]?.unit ?? ''} (%{text})<extra>${name}</extra>`,
  };
}

/** Options of {@link loadedByVcpusFigure}. */
export interface LoadedByVcpusOptions {
  title: string;
  metric: MigrationComparedMetric;
  /** log y axis (default true) */
  logY?: boolean;
}

/**
 * Figure 6.4, the loaded guest: a dot plot (log axis: a bar's length would mean nothing), one group
 * per memory size, a marker per backend, vCPU count and vantage point measured here (observer filled, QEMU
 * open; 95% CI), and the thesis's mean over its vCPU counts per memory size as a hollow diamond.
 * Memory sizes only one side ran stay, empty on the other.
 */
export function loadedByVcpusFigure(
  configs: readonly MigrationConfigSummary[],
  thesis: readonly MigrationThesisValue[],
  options: LoadedByVcpusOptions,
): Figure {
  const ours = vmConfigs(configs, 'loaded');
  const points = thesis.filter(
    (value) =>
      isVm(value.backend) && value.load === 'loaded' && value.memoryMiB !== null && value.metric === options.metric,
  );
  const sizes = [
    ...new Set([
      ...ours.map((config) => config.memoryMiB as number),
      ...points.map((value) => value.memoryMiB as number),
    ]),
  ].sort((a, b) => a - b);
  const labels = sizes.map((size) => `${size} MiB`);
  const vcpuCounts = [...new Set(ours.map((config) => config.vcpus ?? 1))].sort((a, b) => a - b);
  const data: Trace[] = [];
  // a marker per backend, vCPU count and vantage point: two VM backends are two series, never one
  for (const backend of backendsOf(ours)) {
    vcpuCounts.forEach((vcpus, index) => {
      const shape = VCPU_SYMBOLS[index % VCPU_SYMBOLS.length] as string;
      const mine = ours.filter((config) => config.backend === backend && config.vcpus === vcpus);
      const measured = mine[0];
      if (!measured) return;
      for (const who of ['observer', 'qemu'] as const) {
        const stats: BarStats[] = sizes.map((size) => {
          const config = mine.find((candidate) => candidate.memoryMiB === size);
          return config ? rowOf(config, options.metric, who) : null;
        });
        const name = `${vcpuWords(vcpus)}: ${WHO[who]}, ${seriesLabel(backend, measured.accel)}, this host`;
        data.push(
          ciMarkerTrace(name, backendColor(backend), labels, stats, {
            unit: options.metric === 'total_time' ? 's' : 'ms',
            symbol: who === 'qemu' ? `${shape}-open` : shape,
          }),
        );
      }
    });
  }
  if (points.length > 0) {
    const over = [...new Set(points.flatMap((value) => value.vcpusCovered))].sort((a, b) => a - b);
    const sorted = [...points].sort((a, b) => (a.memoryMiB as number) - (b.memoryMiB as number));
    data.push({
      ...thesisTrace(
        `mean over ${listWords(over)} vCPUs: ${THESIS_VMS}`,
        thesisVmColor(sorted),
        sorted.map((value) => `${value.memoryMiB} MiB`),
        sorted,
      ),
      mode: 'markers',
    });
  }
  const logY = options.logY ?? true;
  return finishFigure({
    data,
    layout: {
      title: { text: titleWithAccel(options.title, ours) },
      xaxis: { title: { text: 'guest memory' }, type: 'category' },
      yaxis: {
        title: { text: `${AXIS_TITLE[options.metric]}${logY ? ', log scale' : ''}` },
        ...(logY ? { type: 'log' as const } : { rangemode: 'tozero' as const }),
      },
      legend: LEGEND_BELOW,
      margin: { t: 70, b: 170 },
      scattermode: 'group',
    },
  });
}

/** Options of {@link vmVsContainerFigure}. */
export interface VmVsContainerOptions {
  title: string;
  metric: MigrationComparedMetric;
  /** one line under the plot, e.g. the thesis's stated ratios */
  note?: string;
  /** log y axis (default true) */
  logY?: boolean;
}

/**
 * Figure 6.5: VMs against containers, a dot plot on a log axis, a category per backend of ours.
 * Ours: the mean over every configuration measured here (observer filled, QEMU open); the thesis's
 * overall values as hollow diamonds (where it printed two values for one quantity, both), its Docker
 * containers' beside each container backend of ours that stands for them. A backend without a value
 * of ours gets a note with the reason above the plot, never a marker.
 */
export function vmVsContainerFigure(
  comparisons: readonly MigrationComparison[],
  options: VmVsContainerOptions,
): Figure {
  const overall = comparisons.filter(
    (item) => item.metric === options.metric && item.load === null && item.memoryMiB === null,
  );
  const kinds = [...new Set(overall.map((item) => item.backend))].sort((a, b) =>
    byBackend({ backend: a }, { backend: b }),
  );
  const labels = kinds.map((backend) => backendDescriptor(backend).label);
  const oursOf = (backend: BackendName) => overall.find((item) => item.backend === backend)?.ours ?? null;
  const accel = overall.find((item) => isVm(item.backend) && item.ours !== null)?.accel ?? null;
  const unit = options.metric === 'total_time' ? 's' : 'ms';
  const data: Trace[] = (['observer', 'qemu'] as const).map((who) => {
    const stats: BarStats[] = kinds.map((backend) => {
      const mean = oursOf(backend)?.[who];
      return mean === null || mean === undefined
        ? null
        : { mean, ciLow: null, ciHigh: null, n: oursOf(backend)?.configs.length ?? 0 };
    });
    const text = kinds.map((backend) => {
      const ours = oursOf(backend);
      return ours ? `mean over ${ours.configs.length} configuration(s): ${ours.configs.join(', ')}` : 'no value';
    });
    const name = `${WHO[who]}, this host${accel ? ` (VMs under ${accel})` : ''}`;
    return ciMarkerTrace(name, kinds.map(backendColor), labels, stats, { unit, text, symbol: WHO_SYMBOL[who] });
  });
  const thesis = overall.flatMap((item) =>
    item.thesis ? [{ label: backendDescriptor(item.backend).label, value: item.thesis, backend: item.backend }] : [],
  );
  if (thesis.length > 0) {
    const trace = thesisTrace(
      'thesis (VMs under KVM; its Docker containers beside each container engine of ours)',
      '#444444',
      thesis.map((item) => item.label),
      thesis.map((item) => item.value),
    );
    // each hollow diamond in its backend's colour
    data.push({
      ...trace,
      mode: 'markers',
      marker: { ...trace.marker, color: thesis.map((item) => backendColor(item.backend)) },
    });
  }
  const missing = kinds.flatMap((backend, index) => {
    const item = overall.find((candidate) => candidate.backend === backend);
    return item && item.ours === null ? [`${labels[index]}: not measured here, ${item.oursMissing ?? ''}`] : [];
  });
  const annotations: Note[] = missing.map((text, slot) => noteAbove(text, slot));
  if (options.note)
    annotations.push({
      text: options.note,
      xref: 'paper',
      yref: 'paper',
      x: 0,
      y: -0.56,
      showarrow: false,
      font: { size: 10 },
    });
  const logY = options.logY ?? true;
  return finishFigure({
    data,
    layout: {
      title: {
        text: titleWithAccel(
          options.title,
          overall.map((item) => ({ backend: item.backend, accel: item.ours ? item.accel : null })),
        ),
      },
      xaxis: { title: { text: 'system' }, type: 'category' },
      yaxis: {
        title: { text: `${AXIS_TITLE[options.metric]}${logY ? ', log scale' : ''}` },
        ...(logY ? { type: 'log' as const } : { rangemode: 'tozero' as const }),
      },
      legend: LEGEND_BELOW,
      margin: { t: 90 + 20 * missing.length, b: 200 },
      annotations,
      scattermode: 'group',
    },
  });
}

/** "clean, 1 vCPU, 256 MiB", or the configuration id (the container). */
export function configLabel(config: Pick<MigrationConfigSummary, 'config' | 'load' | 'vcpus' | 'memoryMiB'>): string {
  return config.load === null || config.vcpus === null || config.memoryMiB === null
    ? config.config
    : `${config.load}, ${vcpuWords(config.vcpus)}, ${config.memoryMiB} MiB`;
}

/**
 * Downtime as QEMU counts it (the guest paused while the last dirty pages and device state move)
 * beside the outage the observer saw (last answer from the source -> first from the target), and the
 * difference paired per repeat: the time the network needed to find the guest on the target after
 * the switch-over. One group per configuration, in it three bars per backend in the backend's colour (kvm and
 * microvm side by side, never stacked or merged); configurations without values get a note.
 */
export function downtimeSourcesFigure(
  configs: readonly MigrationConfigSummary[],
  options: { title: string },
): BarFigure {
  // QEMU's account exists for VMs only
  const vms = configs.filter((config) => isVm(config.backend));
  const measured = vms.filter((config) => config.downtime.qemu || config.downtime.observer);
  const labels = [...new Set(measured.map(configLabel))];
  // colour is the backend (each its own bars, side by side in a group); the three accounts are solid, hatched, dotted
  const accounts = [
    ['QEMU: guest paused', '/', (config: MigrationConfigSummary) => config.downtime.qemu],
    ['observer: service unreachable', undefined, (config: MigrationConfigSummary) => config.downtime.observer],
    [
      'observer − QEMU, paired per repeat: network re-convergence',
      '.',
      (config: MigrationConfigSummary) => config.downtimeGap,
    ],
  ] as const;
  const data: Trace[] = backendsOf(measured).flatMap((backend) => {
    const mine = measured.filter((config) => config.backend === backend);
    const series = seriesLabel(backend, mine[0]?.accel ?? 'unknown');
    return accounts.map(([what, pattern, pick]) =>
      ciBarTrace(
        `${what}, ${series}, this host`,
        backendColor(backend),
        labels,
        labels.map((label) => {
          const config = mine.find((candidate) => configLabel(candidate) === label);
          return config ? pick(config) : null;
        }),
        { unit: 'ms', ...(pattern ? { pattern } : {}) },
      ),
    );
  });
  const missing = vms
    .filter((config) => config.state !== 'ok')
    .map(
      (config) =>
        `${backendDescriptor(config.backend).label} ${configLabel(config)}: ${config.state}, ${config.reason ?? 'no reason recorded'}`,
    );
  return finishFigure({
    data,
    layout: {
      title: { text: titleWithAccel(options.title, measured) },
      xaxis: { title: { text: 'configuration (load, vCPUs, memory)' }, type: 'category' },
      yaxis: { title: { text: 'downtime (ms)' }, rangemode: 'tozero' },
      legend: LEGEND_BELOW,
      margin: { t: 90 + 20 * missing.length, b: 170 },
      annotations: missing.map((text, slot) => noteAbove(text, slot)),
      barmode: 'group',
    },
  });
}

/**
 * Where a container's downtime goes: per configuration, the three steps of its stop-and-copy as
 * guestbench timed them around podman's commands, stacked (checkpoint and export on the source, the
 * archive over the shaped link, import and restore on the target), beside the outage the observer
 * saw and the time CRIU held the processes frozen (inside the checkpoint step); 95% CIs.
 * Configurations without container values are left out; none at all gives an empty figure with a note.
 */
export function containerMigrationStepsFigure(
  configs: readonly MigrationConfigSummary[],
  options: { title: string },
): BarFigure {
  const measured = configs.filter((config) => config.checkpoint !== null && config.state === 'ok');
  const labels = measured.map((config) => `${configLabel(config)}<br>${backendDescriptor(config.backend).label}`);
  const steps = [
    [
      'checkpoint + export (source)',
      '#9ecae1',
      (config: MigrationConfigSummary) => config.checkpoint?.checkpointStepMs,
    ],
    ['archive over the link', '#4292c6', (config: MigrationConfigSummary) => config.checkpoint?.transferStepMs],
    ['import + restore (target)', '#08519c', (config: MigrationConfigSummary) => config.checkpoint?.restoreStepMs],
  ] as const;
  // the steps' means stacked, without whiskers (intervals of a stack's parts do not add up); n on hover
  const data: Trace[] = steps.map(([what, color, pickStep]) => ({
    ...ciBarTrace(
      `${what}: guestbench's clock, this host`,
      color,
      labels,
      measured.map((config) => {
        const row = pickStep(config);
        return row ? { mean: row.mean, n: row.n, ciLow: null, ciHigh: null } : null;
      }),
      { unit: 'ms' },
    ),
    textposition: 'none' as const,
  }));
  data.push(
    ciMarkerTrace(
      'observer: service unreachable, this host',
      '#d62728',
      labels,
      measured.map((config) => config.downtime.observer),
      {
        unit: 'ms',
        symbol: 'diamond',
      },
    ),
    ciMarkerTrace(
      'CRIU: processes frozen (within the checkpoint), this host',
      '#444444',
      labels,
      measured.map((config) => config.checkpoint?.frozenMs),
      {
        unit: 'ms',
        symbol: 'x',
      },
    ),
  );
  const annotations: Note[] =
    measured.length === 0 ? [noteAbove('no container migration in this campaign: nothing to break down', 0)] : [];
  return finishFigure({
    data,
    layout: {
      title: { text: options.title },
      xaxis: {
        title: { text: "configuration (load, vCPUs, memory: the container's cgroup limits)" },
        type: 'category',
      },
      yaxis: { title: { text: 'milliseconds' }, rangemode: 'tozero' },
      legend: { ...LEGEND_BELOW, traceorder: 'normal' },
      margin: { t: 90, b: 190 },
      annotations,
      barmode: 'stack',
    },
  });
}
