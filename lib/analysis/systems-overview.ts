/**
 * Every system side by side (notebook 06): per backend, its cold start and shutdown, its restore
 * from a saved state, how fast the density workloads degrade per added guest relative to the bare
 * host, the host memory one idle guest holds, and what it could not do here and why. Read from the
 * campaigns of the experiments that measure each (latency, latency-restore, density-*, footprint).
 *
 * ```ts
 * const overview = systemsOverview(found.byExperiment);
 * overview.rows.map((row) => [row.backend, row.coldStart?.mean]);   // [['docker', 0.41], ...] (s)
 * ```
 */
import { BACKEND_NAMES, backendDescriptor, type BackendName } from '../model/backends.js';
import type { Accel, Sample } from '../results/schema.js';
import type { LoadedCampaign } from './load-campaign.js';
import { summarizeRestore } from './latency-restore-summary.js';
import { relativeToNative } from './relative.js';
import type { Stats } from './statistics.js';
import { summarize, type SummaryRow } from './summarize.js';

/** The experiments the overview reads, in the order its "could not" list names them. */
export const SYSTEMS_EXPERIMENTS = [
  'latency',
  'latency-restore',
  'density-cpu',
  'density-fileio',
  'density-mysql',
  'migration',
  'footprint',
] as const;
export type SystemsExperiment = (typeof SYSTEMS_EXPERIMENTS)[number];

/** Each density experiment's headline value per guest, as its thesis figures plot it. */
export const DENSITY_HEADLINES: ReadonlyArray<{ experiment: SystemsExperiment; metric: string; what: string }> = [
  { experiment: 'density-cpu', metric: 'total_time', what: 'sysbench cpu time per guest' },
  { experiment: 'density-fileio', metric: 'total_mib_per_s', what: 'fileio throughput per guest' },
  { experiment: 'density-mysql', metric: 'transactions_per_s', what: 'MariaDB transactions/s per guest' },
];

/** How one backend's headline value changes per added guest, as a multiple of the bare host's N = 1 value. */
export interface DensitySlope {
  experiment: SystemsExperiment;
  metric: string;
  backend: BackendName;
  accel: Accel;
  /** least-squares slope of (mean at N / native mean at N = 1) over N: the change per added guest */
  slope: number;
  /** `slope` divided by the bare host's own slope (N copies side by side); null without one or when it is ~0 */
  vsNative: number | null;
  /** the N the line was fitted over */
  guests: number[];
}

/** Something a backend could not do here, with why (unsupported), or a run that failed (errored). */
export interface CouldNot {
  backend: BackendName;
  experiment: string;
  state: 'unsupported' | 'errored';
  reason: string;
  /** rows with this reason */
  rows: number;
}

/** One system in the overview. */
export interface SystemRow {
  backend: BackendName;
  /** the accelerator its values were measured under ('none' for containers and the bare host) */
  accel: Accel | null;
  /** latency: boot_time of one guest on an otherwise idle host (N = 0), s */
  coldStart: Stats | null;
  /** latency: shutdown_time at N = 0, s */
  shutdown: Stats | null;
  /** latency-restore: restore_time, s, and cold / restore per repeat */
  restore: Stats | null;
  restoreSpeedup: Stats | null;
  /** footprint: host memory one idle guest holds (bytes) at N = 1 and at the largest N measured */
  footprintOne: Stats | null;
  footprintMost: { guests: number; stats: Stats } | null;
  slopes: DensitySlope[];
  couldNot: CouldNot[];
  /** the experiments whose campaign ran this backend */
  measuredIn: SystemsExperiment[];
}

/** The overview, and what was not there to read. */
export interface SystemsOverview {
  rows: SystemRow[];
  /** experiments with no campaign: their columns are empty */
  missing: SystemsExperiment[];
}

/** Below this (1% of the bare host's N = 1 value per added guest) the bare host's slope is no yardstick. */
const FLAT = 0.01;

function leastSquaresSlope(points: ReadonlyArray<[number, number]>): number | null {
  if (points.length < 2) return null;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  if (sxx === 0) return null;
  return points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0) / sxx;
}

/** The density slopes of one density campaign's summary (empty without the bare host's N = 1). */
export function densitySlopes(
  summary: readonly SummaryRow[],
  experiment: SystemsExperiment,
  metric: string,
): DensitySlope[] {
  const relative = relativeToNative(summary, metric);
  const fitted = BACKEND_NAMES.flatMap((backend) => {
    const rows = relative.filter((row) => row.backend === backend).sort((a, b) => a.guests - b.guests);
    const slope = leastSquaresSlope(rows.map((row) => [row.guests, row.mean]));
    const first = rows[0];
    return slope === null || !first
      ? []
      : [{ backend, accel: first.accel, slope, guests: rows.map((row) => row.guests) }];
  });
  const native = fitted.find((item) => backendDescriptor(item.backend).kind === 'host')?.slope;
  return fitted.map((item) => ({
    experiment,
    metric,
    ...item,
    vsNative: native === undefined || Math.abs(native) < FLAT ? null : item.slope / native,
  }));
}

function couldNot(samples: readonly Sample[], experiment: string): CouldNot[] {
  const found = new Map<string, CouldNot>();
  for (const sample of samples) {
    if (sample.state === 'ok') continue;
    const key = `${sample.backend}\u0000${sample.state}\u0000${sample.reason}`;
    const seen = found.get(key);
    if (seen) seen.rows += 1;
    else found.set(key, { backend: sample.backend, experiment, state: sample.state, reason: sample.reason, rows: 1 });
  }
  return [...found.values()];
}

function at(
  summary: readonly SummaryRow[],
  backend: BackendName,
  metric: string,
  guests: number,
): SummaryRow | undefined {
  return summary.find((row) => row.backend === backend && row.metric === metric && row.guests === guests);
}

/** The overview of the campaigns found, one row per backend that any of them ran, in legend order. */
export function systemsOverview(campaigns: Partial<Record<SystemsExperiment, LoadedCampaign>>): SystemsOverview {
  const summaries = new Map<SystemsExperiment, SummaryRow[]>();
  for (const experiment of SYSTEMS_EXPERIMENTS) {
    const campaign = campaigns[experiment];
    if (campaign) summaries.set(experiment, summarize(campaign.samples));
  }
  const latency = summaries.get('latency') ?? [];
  const footprint = summaries.get('footprint') ?? [];
  const restore = campaigns['latency-restore'] ? summarizeRestore(campaigns['latency-restore'].samples) : [];
  const slopes = DENSITY_HEADLINES.flatMap(({ experiment, metric }) =>
    densitySlopes(summaries.get(experiment) ?? [], experiment, metric),
  );
  const problems = SYSTEMS_EXPERIMENTS.flatMap((experiment) =>
    couldNot(campaigns[experiment]?.samples ?? [], experiment),
  );
  const rows = BACKEND_NAMES.flatMap((backend): SystemRow[] => {
    const measuredIn = SYSTEMS_EXPERIMENTS.filter((experiment) =>
      campaigns[experiment]?.samples.some((sample) => sample.backend === backend),
    );
    if (measuredIn.length === 0) return [];
    const ok = SYSTEMS_EXPERIMENTS.flatMap((experiment) => campaigns[experiment]?.samples ?? []).find(
      (sample) => sample.backend === backend && sample.state === 'ok',
    );
    const footprints = footprint
      .filter((row) => row.backend === backend && row.metric === 'memory_footprint')
      .sort((a, b) => a.guests - b.guests);
    const most = footprints.at(-1);
    const restored = restore.find((row) => row.backend === backend && row.guests === 0);
    return [
      {
        backend,
        accel: ok?.accel ?? null,
        coldStart: at(latency, backend, 'boot_time', 0) ?? null,
        shutdown: at(latency, backend, 'shutdown_time', 0) ?? null,
        restore: restored?.restore ?? null,
        restoreSpeedup: restored?.speedup ?? null,
        footprintOne: footprints.find((row) => row.guests === 1) ?? null,
        footprintMost: most ? { guests: most.guests, stats: most } : null,
        slopes: slopes.filter((slope) => slope.backend === backend),
        couldNot: problems.filter((problem) => problem.backend === backend),
        measuredIn,
      },
    ];
  });
  return { rows, missing: SYSTEMS_EXPERIMENTS.filter((experiment) => !campaigns[experiment]) };
}
