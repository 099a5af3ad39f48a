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
import { cellValues } from './cell-values.js';
import type { LoadedCampaign } from './load-campaign.js';
import { summarizeRestore } from './latency-restore-summary.js';
import { mean, MIN_INTERVAL_N, tQuantile975, type Stats } from './statistics.js';
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
  /**
   * least-squares slope of (value at N / the bare host's mean at N = 1) over N, fitted to every repeat's per-guest
   * mean: the change per added guest
   */
  slope: number;
  /**
   * 95% interval of the slope (Student t with points − 2 degrees of freedom; the bare host's N = 1 mean is taken as
   * exact); null with fewer than 3 points
   */
  ciLow: number | null;
  ciHigh: number | null;
  /** points fitted: one per repeat and N */
  n: number;
  /** `slope` divided by the bare host's own slope (N copies side by side); null without one or when it is ~0 */
  vsNative: number | null;
  /** why `vsNative` is null; null when it is not */
  vsNativeMissing: string | null;
  /** the N the line was fitted over: the same for every system of the experiment where their runs allow */
  guests: number[];
  /** N this backend ran that were left out, so that every system's line covers the same N */
  leftOut: number[];
}

/** A backend of a density campaign without a slope, and why (the bare host ran N = 1 only, a single N, ...). */
export interface SlopeGap {
  experiment: SystemsExperiment;
  metric: string;
  backend: BackendName;
  accel: Accel;
  reason: string;
}

/** The slopes of one density campaign, the backends without one, and whether every line covers the same N. */
export interface DensityFit {
  slopes: DensitySlope[];
  gaps: SlopeGap[];
  /** the N every slope was fitted over; null when the systems share fewer than two N and each has its own */
  commonGuests: number[] | null;
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
  /** latency-restore: restore_time, s */
  restore: Stats | null;
  /**
   * latency-restore: the cold boot of the same campaign (cold_boot_time, s) in the repeats that also restored (the
   * state each restore loads): `restoreSpeedup` pairs these with `restore`, never with `coldStart` (another
   * campaign, its own "ready")
   */
  restoreCold: Stats | null;
  /** latency-restore: restoreCold / restore per repeat */
  restoreSpeedup: Stats | null;
  /** footprint: host memory one idle guest holds (bytes) at N = 1 and at the largest N measured */
  footprintOne: Stats | null;
  footprintMost: { guests: number; stats: Stats } | null;
  slopes: DensitySlope[];
  /** density campaigns that ran this backend without giving it a slope, with why */
  slopeGaps: SlopeGap[];
  couldNot: CouldNot[];
  /** the experiments whose campaign ran this backend */
  measuredIn: SystemsExperiment[];
}

/** The overview, and what was not there to read. */
export interface SystemsOverview {
  rows: SystemRow[];
  /** per density experiment with a campaign: the N its lines were fitted over (null: each system its own) */
  slopeGuests: Partial<Record<SystemsExperiment, number[] | null>>;
  /** experiments with no campaign: their columns are empty */
  missing: SystemsExperiment[];
}

/** Below this (1% of the bare host's N = 1 value per added guest) the bare host's slope is no yardstick. */
const FLAT = 0.01;

interface Line {
  slope: number;
  ciLow: number | null;
  ciHigh: number | null;
}

// ordinary least squares through (x, y); the slope's interval from the residuals (t, n - 2 df)
function fitLine(points: ReadonlyArray<readonly [number, number]>): Line | null {
  if (points.length < 2) return null;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  const sxx = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0);
  if (sxx === 0) return null;
  const slope = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0) / sxx;
  const df = points.length - 2;
  if (points.length < MIN_INTERVAL_N || df < 1) return { slope, ciLow: null, ciHigh: null };
  const residuals = points.reduce((sum, [x, y]) => sum + (y - meanY - slope * (x - meanX)) ** 2, 0);
  const half = tQuantile975(df) * Math.sqrt(residuals / df / sxx);
  return { slope, ciLow: slope - half, ciHigh: slope + half };
}

function listN(guests: readonly number[]): string {
  return `N=${guests.join(',')}`;
}

/**
 * The density slopes of one density campaign: per backend, a line through every repeat's per-guest value at each N
 * divided by the bare host's mean at N = 1, fitted over the N every system with two or more N ran (so that one chart
 * compares lines over the same range; N outside it are listed as left out). When the systems share fewer than two N,
 * each is fitted over its own and `commonGuests` is null. Empty without the bare host's N = 1.
 */
export function densitySlopes(samples: readonly Sample[], experiment: SystemsExperiment, metric: string): DensityFit {
  const cells = cellValues(samples).filter((cell) => cell.metric === metric);
  const baselineCell = cells.find((cell) => backendDescriptor(cell.backend).kind === 'host' && cell.guests === 1);
  const baseline = baselineCell ? mean(baselineCell.values) : 0;
  if (!baselineCell || baseline === 0) return { slopes: [], gaps: [], commonGuests: null };
  const runs = BACKEND_NAMES.flatMap((backend) => {
    const mine = cells.filter((cell) => cell.backend === backend).sort((a, b) => a.guests - b.guests);
    const first = mine[0];
    return first ? [{ backend, accel: first.accel, cells: mine, guests: mine.map((cell) => cell.guests) }] : [];
  });
  const lines = runs.filter((run) => run.guests.length >= 2);
  const shared = lines.reduce<number[] | null>(
    (common, run) => (common === null ? run.guests : common.filter((guests) => run.guests.includes(guests))),
    null,
  );
  const commonGuests = shared !== null && shared.length >= 2 ? shared : null;
  const gaps: SlopeGap[] = runs
    .filter((run) => run.guests.length < 2)
    .map((run) => ({
      experiment,
      metric,
      backend: run.backend,
      accel: run.accel,
      reason:
        backendDescriptor(run.backend).kind === 'host'
          ? `the bare host ran ${listN(run.guests)} only in this campaign: the baseline, but no line (run it at more N for a yardstick)`
          : `ran ${listN(run.guests)} only: no line through one N`,
    }));
  const fitted = lines.flatMap((run) => {
    const guests = commonGuests ?? run.guests;
    const points = run.cells
      .filter((cell) => guests.includes(cell.guests))
      .flatMap((cell) => cell.values.map((value) => [cell.guests, value / baseline] as const));
    const line = fitLine(points);
    return line
      ? [
          {
            experiment,
            metric,
            backend: run.backend,
            accel: run.accel,
            ...line,
            n: points.length,
            guests,
            leftOut: run.guests.filter((value) => !guests.includes(value)),
          },
        ]
      : [];
  });
  const native = fitted.find((item) => backendDescriptor(item.backend).kind === 'host');
  const nativeGap = gaps.find((gap) => backendDescriptor(gap.backend).kind === 'host');
  const noYardstick = native
    ? Math.abs(native.slope) < FLAT
      ? `the bare host's slope (${native.slope.toFixed(3)}) is flat: no yardstick`
      : null
    : nativeGap
      ? nativeGap.reason
      : 'the bare host has no line in this campaign';
  return {
    slopes: fitted.map((item) => ({
      ...item,
      vsNative: noYardstick === null && native ? item.slope / native.slope : null,
      vsNativeMissing: noYardstick,
    })),
    gaps,
    commonGuests,
  };
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
  const fits = DENSITY_HEADLINES.flatMap(({ experiment, metric }) => {
    const campaign = campaigns[experiment];
    return campaign ? [{ experiment, fit: densitySlopes(campaign.samples, experiment, metric) }] : [];
  });
  const slopes = fits.flatMap(({ fit }) => fit.slopes);
  const slopeGaps = fits.flatMap(({ fit }) => fit.gaps);
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
        restoreCold: restored?.pairedCold ?? null,
        restoreSpeedup: restored?.speedup ?? null,
        footprintOne: footprints.find((row) => row.guests === 1) ?? null,
        footprintMost: most ? { guests: most.guests, stats: most } : null,
        slopes: slopes.filter((slope) => slope.backend === backend),
        slopeGaps: slopeGaps.filter((gap) => gap.backend === backend),
        couldNot: problems.filter((problem) => problem.backend === backend),
        measuredIn,
      },
    ];
  });
  return {
    rows,
    slopeGuests: Object.fromEntries(fits.map(({ experiment, fit }) => [experiment, fit.commonGuests])),
    missing: SYSTEMS_EXPERIMENTS.filter((experiment) => !campaigns[experiment]),
  };
}
