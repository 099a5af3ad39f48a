/**
 * Every figure and table builder keys its series on the backend, never on the backend's kind: each
 * builder is given two backends of one kind (kvm + microvm, docker + podman, podman + lxc) with values
 * that differ, and must draw two series (or two bars, or two lines of a table), each carrying its
 * own backend's values in its own colour. Merging them into one "VMs" series would zig-zag between the
 * two backends' points; stacking them doubles every bar; picking the first drops the other.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCampaigns } from '../../lib/analysis/campaign-compare.js';
import type { PhaseMean } from '../../lib/analysis/latency-phases.js';
import { summarizeRestore } from '../../lib/analysis/latency-restore-summary.js';
import { loadCampaign, type LoadedCampaign } from '../../lib/analysis/load-campaign.js';
import {
  compareMigrationWithThesis,
  migrationThesisValues,
  summarizeMigration,
} from '../../lib/analysis/migration-summary.js';
import { summarize } from '../../lib/analysis/summarize.js';
import { systemsOverview } from '../../lib/analysis/systems-overview.js';
import { compareRatioFigure } from '../../lib/figures/compare-figures.js';
import { metricVsGuestsFigure, perRequestFigure } from '../../lib/figures/density-figures.js';
import { latencyVsGuestsFigure, phaseBreakdownFigure, restoreFigure } from '../../lib/figures/latency-figures.js';
import {
  containerMigrationStepsFigure,
  downtimeSourcesFigure,
  loadedByVcpusFigure,
  migrationVsMemoryFigure,
  vmVsContainerFigure,
} from '../../lib/figures/migration-figures.js';
import { downtimeByVantageHtml, migrationTableHtml } from '../../lib/figures/migration-tables.js';
import { backendColor, type Figure, type Trace } from '../../lib/figures/plotly-spec.js';
import { densitySlopeFigure, footprintFigure, systemsStartFigure } from '../../lib/figures/systems-figures.js';
import { footprintPartsHtml, systemsTableHtml } from '../../lib/figures/systems-tables.js';
import { BACKEND_NAMES, backendDescriptor, type BackendName } from '../../lib/model/backends.js';
import type { MetricName, Sample } from '../../lib/results/schema.js';
import { rowMaker } from '../helpers/samples.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/campaigns');
const REPEATS = [1, 2, 3];
// the two backends' values differ by a factor the whiskers cannot bridge
const SPREAD = [0.98, 1, 1.02];

/** Three repeats of one value per cell, `scale` x the base: backend A at 1x, B at 2x. */
function rowsFor(
  make: ReturnType<typeof rowMaker>,
  backends: readonly BackendName[],
  cells: ReadonlyArray<{ guests?: number; metric: MetricName; value: number; extra?: Partial<Sample> }>,
): Sample[] {
  return backends.flatMap((backend, index) =>
    cells.flatMap((cell) =>
      REPEATS.map((repeat) =>
        make({
          backend,
          accel: backendDescriptor(backend).kind === 'vm' ? 'tcg' : 'none',
          guests: cell.guests ?? 1,
          repeat,
          metric: cell.metric,
          value: cell.value * (index + 1) * (SPREAD[repeat - 1] as number),
          ...(cell.extra as object),
        }),
      ),
    ),
  );
}

const label = (backend: BackendName) => backendDescriptor(backend).label;

/**
 * The traces drawn for `backend` (named after it in their legend entry, or in the legend's title when every entry
 * shares it), each in its colour.
 */
function tracesOf(figure: Figure, backend: BackendName): Trace[] {
  const other = (candidate: BackendName) => candidate !== backend && label(candidate).includes(label(backend));
  const legend = (trace: Trace) => `${trace.name ?? ''}, ${figure.layout.legend?.title?.text ?? ''}`;
  const traces = figure.data.filter(
    (trace) =>
      legend(trace).includes(label(backend)) &&
      !BACKEND_NAMES.some((candidate) => other(candidate) && legend(trace).includes(label(candidate))),
  );
  for (const trace of traces) {
    const color = trace.marker?.color ?? trace.line?.color;
    expect(color, `${trace.name}: the backend's colour`).toBe(backendColor(backend));
  }
  return traces;
}

const numbers = (trace: Trace): number[] =>
  (trace.y as Array<number | null>).filter((value): value is number => typeof value === 'number');

/** Two series, one per backend, B's values twice A's. */
function expectTwoSeries(figure: Figure, a: BackendName, b: BackendName): void {
  const ofA = tracesOf(figure, a);
  const ofB = tracesOf(figure, b);
  expect(ofA.length, `a series of ${a}`).toBeGreaterThan(0);
  expect(ofB.length, `a series of ${b}`).toBe(ofA.length);
  ofA.forEach((trace, index) => {
    const mine = numbers(trace);
    const theirs = numbers(ofB[index] as Trace);
    expect(mine.length, `${trace.name} has values`).toBeGreaterThan(0);
    expect(theirs.length).toBe(mine.length);
    theirs.forEach((value, at) => expect(value).toBeCloseTo(2 * (mine[at] as number), 6));
  });
}

/** One category per backend on x; `trace`'s value at B's is twice A's, and each point is in its backend's colour. */
function expectTwoCategories(trace: Trace, a: string, b: string): void {
  const x = trace.x as string[];
  const y = trace.y as number[];
  const at = (name: string) => x.findIndex((category) => category.startsWith(name));
  expect(at(a), `${a} in ${x.join(' | ')}`).toBeGreaterThanOrEqual(0);
  expect(at(b), `${b} in ${x.join(' | ')}`).toBeGreaterThanOrEqual(0);
  expect(at(a)).not.toBe(at(b));
  expect(y[at(b)]).toBeCloseTo(2 * (y[at(a)] as number), 6);
}

const density = rowMaker({ experiment: 'density-cpu' });
const DENSITY_CELLS = [1, 2, 4].flatMap((guests) =>
  (['total_time', 'latency_avg', 'latency_min', 'latency_p95', 'latency_max'] as const).map((metric) => ({
    guests,
    metric,
    value: 10 * guests,
  })),
);

describe('density figures: docker and podman (both containers) are two series', () => {
  const summary = summarize(rowsFor(density, ['docker', 'podman'], DENSITY_CELLS));
  it('metric vs N', () => {
    expectTwoSeries(
      metricVsGuestsFigure(summary, [], { title: 't', metric: 'total_time', yTitle: 's' }),
      'docker',
      'podman',
    );
  });
  it('per-request latency: one figure per backend, each with its own values', () => {
    const docker = perRequestFigure(summary, [], { backend: 'docker', title: 'docker' });
    const podman = perRequestFigure(summary, [], { backend: 'podman', title: 'podman' });
    expect(docker.data.length).toBe(podman.data.length);
    docker.data.forEach((trace, index) => {
      expect(trace.line?.color).toBe(backendColor('docker'));
      expect(podman.data[index]?.line?.color).toBe(backendColor('podman'));
      numbers(podman.data[index] as Trace).forEach((value, at) =>
        expect(value).toBeCloseTo(2 * (numbers(trace)[at] as number), 6),
      );
    });
  });
});

describe('latency figures: kvm and microvm (both VMs) are two series', () => {
  const latency = rowMaker({ experiment: 'latency' });
  const summary = summarize(
    rowsFor(
      latency,
      ['kvm', 'microvm'],
      [0, 1, 2].flatMap((guests) => [
        { guests, metric: 'boot_time' as const, value: 3 },
        { guests, metric: 'shutdown_time' as const, value: 0.5 },
      ]),
    ),
  );
  it('boot and shutdown vs N', () => {
    expectTwoSeries(latencyVsGuestsFigure(summary, [], { title: 't' }), 'kvm', 'microvm');
  });
  it('cold boot vs restore', () => {
    const restore = rowMaker({ experiment: 'latency-restore' });
    const rows = summarizeRestore(
      rowsFor(
        restore,
        ['kvm', 'microvm'],
        [
          { guests: 0, metric: 'cold_boot_time', value: 4 },
          { guests: 0, metric: 'restore_time', value: 0.4 },
        ],
      ),
    );
    const figure = restoreFigure(rows, { title: 't' });
    for (const trace of figure.data) expectTwoCategories(trace, 'VMs (tcg)', 'microVMs (tcg)');
    expect((figure.data[0]?.marker?.color as string[]).slice(0, 2)).toEqual([
      backendColor('kvm'),
      backendColor('microvm'),
    ]);
  });
  it('phase breakdown', () => {
    const means: PhaseMean[] = (['kvm', 'microvm'] as const).flatMap(
      (backend, index) =>
        ['firmware', 'kernel'].map((phase) => ({
          backend,
          accel: 'tcg' as const,
          guests: 0,
          what: 'boot',
          phase,
          mean: (index + 1) * (phase === 'kernel' ? 2 : 1),
          inHeadline: true,
        })) as unknown as PhaseMean[],
    );
    const figure = phaseBreakdownFigure(means, { title: 't' });
    for (const trace of figure.data) expectTwoCategories(trace, 'VMs (tcg)', 'microVMs (tcg)');
  });
});

describe('migration figures and tables: kvm and microvm (both VMs) are two series', () => {
  const migration = rowMaker({ experiment: 'migration' });
  const configCells = (
    [
      ['clean', 1, 256],
      ['clean', 1, 512],
      ['loaded', 1, 256],
      ['loaded', 2, 256],
    ] as const
  ).flatMap(([load, vcpus, memory]) =>
    (['observer', 'qemu'] as const).flatMap((who) => [
      {
        metric: 'total_time' as const,
        value: memory / 100 + vcpus,
        extra: { config: `${load}-${vcpus}cpu-${memory}m`, load, vcpus, memory_mib: memory, measured_by: who },
      },
      {
        metric: 'downtime' as const,
        value: who === 'qemu' ? 50 : 190,
        extra: { config: `${load}-${vcpus}cpu-${memory}m`, load, vcpus, memory_mib: memory, measured_by: who },
      },
    ]),
  );
  const configs = summarizeMigration(rowsFor(migration, ['kvm', 'microvm'], configCells));
  const thesis = migrationThesisValues();
  it('Figure 6.3: total time and downtime vs memory', () => {
    for (const metric of ['total_time', 'downtime'] as const)
      expectTwoSeries(migrationVsMemoryFigure(configs, [], { title: 't', metric, load: 'clean' }), 'kvm', 'microvm');
    expectTwoSeries(migrationVsMemoryFigure(configs, [], { title: 't', metric: 'total_time' }), 'kvm', 'microvm');
  });
  it('Figure 6.4: the loaded guest by vCPUs keeps both backends', () => {
    expectTwoSeries(loadedByVcpusFigure(configs, [], { title: 't', metric: 'downtime' }), 'kvm', 'microvm');
  });
  it("QEMU's and the observer's downtime: side by side per backend, never stacked into one bar", () => {
    const figure = downtimeSourcesFigure(configs, { title: 't' });
    expectTwoSeries(figure, 'kvm', 'microvm');
    expect(figure.layout.barmode).toBe('group');
    // the observer's clean 256 MiB bar of kvm is kvm's own mean (190 ms), not the two backends' sum
    const observer = tracesOf(figure, 'kvm').find((trace) => trace.name?.startsWith('observer: service'));
    expect(numbers(observer as Trace)[0]).toBeCloseTo(190, 6);
  });
  it('Figure 6.5: a category per backend', () => {
    const comparisons = compareMigrationWithThesis(configs, thesis);
    const figure = vmVsContainerFigure(comparisons, { title: 't', metric: 'total_time' });
    expectTwoCategories(figure.data[0] as Trace, 'VMs', 'microVMs');
  });
  it('the tables: a line per backend and configuration, the system named', () => {
    const html = downtimeByVantageHtml(configs, 'caption');
    expect(html.match(/<td[^>]*>VMs \(tcg\)<\/td>/g)?.length).toBe(4);
    expect(html.match(/<td[^>]*>microVMs \(tcg\)<\/td>/g)?.length).toBe(4);
    const table = migrationTableHtml(configs, compareMigrationWithThesis(configs, thesis), { caption: 'c' });
    expect(table).toContain('VMs (tcg), this host');
    expect(table).toContain('microVMs (tcg), this host');
  });
  it("a container's migration steps: a bar group per container backend", () => {
    const steps = summarizeMigration(
      rowsFor(
        migration,
        ['podman', 'lxc'],
        [
          ['phase_checkpoint', 'runner'],
          ['phase_transfer', 'runner'],
          ['phase_restore', 'runner'],
          ['criu_frozen_time', 'criu'],
        ].map(([metric, who]) => ({
          metric: metric as MetricName,
          value: 100,
          extra: { config: 'clean-1cpu-256m', load: 'clean', vcpus: 1, memory_mib: 256, measured_by: who },
        })) as never,
      ),
    );
    const figure = containerMigrationStepsFigure(steps, { title: 't' });
    for (const trace of figure.data.filter((candidate) => candidate.type === 'bar'))
      expect(trace.x).toEqual([
        'clean, 1 vCPU, 256 MiB<br>podman containers',
        'clean, 1 vCPU, 256 MiB<br>LXC containers',
      ]);
    const first = figure.data[0] as Trace;
    expect(numbers(first)[1]).toBeCloseTo(2 * (numbers(first)[0] as number), 6);
  });
});

describe('systems figures and tables: two backends of each kind are two series', () => {
  const example = (id: string): LoadedCampaign => loadCampaign(path.join(FIXTURES, id));
  const latency = example('2026-12-02T01-18-46Z-e71b');
  const footprint = example('2026-12-02T01-23-24Z-34d3');
  const densityCpu = example('2026-12-02T01-20-32Z-d09e');
  const make = rowMaker({ experiment: 'latency' });
  const footprintRows = rowsFor(
    rowMaker({ experiment: 'footprint' }),
    ['kvm', 'microvm'],
    [1, 2].flatMap((guests) => [{ guests, metric: 'memory_footprint' as const, value: 300 * 2 ** 20 }]),
  );
  const overview = systemsOverview({
    latency: {
      ...latency,
      samples: rowsFor(make, ['docker', 'podman'], [{ guests: 0, metric: 'boot_time', value: 0.3 }]),
    },
    footprint: { ...footprint, samples: footprintRows },
    'density-cpu': {
      ...densityCpu,
      samples: rowsFor(
        density,
        ['native', 'kvm', 'microvm'],
        [1, 2, 4].map((guests) => ({
          guests,
          metric: 'total_time' as const,
          value: 10 * guests,
        })),
      ),
    },
  });
  it('start-up per system', () => {
    const figure = systemsStartFigure(overview, 't');
    expectTwoCategories(figure.data[0] as Trace, 'Docker containers', 'podman containers');
  });
  it('memory per guest vs N', () => {
    expectTwoSeries(footprintFigure(summarize(footprintRows), 't'), 'kvm', 'microvm');
  });
  it('density slopes: a bar per system', () => {
    const figure = densitySlopeFigure(overview, 't');
    const kvm = tracesOf(figure, 'kvm');
    const microvm = tracesOf(figure, 'microvm');
    expect(kvm).toHaveLength(1);
    expect(microvm).toHaveLength(1);
    // microvm's values are 2x native's per N: its relative slope is twice kvm's... minus the same N = 1 ratio
    expect(numbers(microvm[0] as Trace)[0]).not.toBeCloseTo(numbers(kvm[0] as Trace)[0] as number, 6);
  });
  it('the tables: a line per system', () => {
    const table = systemsTableHtml(overview, [], 'c');
    expect(table).toContain('Docker containers');
    expect(table).toContain('podman containers');
    const parts = footprintPartsHtml(summarize(footprintRows), 'c');
    expect(parts.match(/VMs \(tcg\)/g)?.length).toBeGreaterThanOrEqual(2);
    expect(parts.match(/microVMs \(tcg\)/g)?.length).toBeGreaterThanOrEqual(2);
  });
});

describe('the comparison of two campaigns: a row per backend', () => {
  it('docker and podman cells are separate rows', () => {
    const base = loadCampaign(path.join(FIXTURES, '2026-12-02T01-20-32Z-d09e'));
    const a = { ...base, samples: rowsFor(density, ['docker', 'podman'], DENSITY_CELLS) };
    const b = { ...base, samples: rowsFor(density, ['docker', 'podman'], DENSITY_CELLS) };
    const figure = compareRatioFigure(compareCampaigns(a, b), {
      title: 't',
      metrics: ['total_time'],
    });
    const rows = figure.data.flatMap((trace) => trace.y as string[]);
    expect(rows.filter((row) => row.startsWith('Docker containers'))).toHaveLength(3);
    expect(rows.filter((row) => row.startsWith('podman containers'))).toHaveLength(3);
  });
});
