/**
 * latency (thesis section 5.0.2, Tables 5.1 and 5.2, Figure 5.1): with N guests already running
 * and idle, start one more guest and time its boot, then stop it and time its shutdown; 10 repeats
 * per N in the thesis profile. The background guests stay up across the repeats of one N.
 *
 * What "ready" and "gone" mean is each backend's timed start (its startTiming capability): a VM's
 * init prints a marker on the serial console, a container's main process on stdout; a VM powers off
 * cleanly through its agent, a container stops the way `docker stop` stops it. Every campaign
 * records the definitions it used (campaign.json `methods`).
 */
import { randomBytes } from 'node:crypto';
import type { RawRecord, StartTiming, TimedStart } from '../backends/capabilities.js';
import type { Backend, Guest, GuestSpec } from '../backends/guest.js';
import { isBackendName, type BackendName } from '../model/backends.js';
import type { MetricName, Sample } from '../results/schema.js';
import { writeRaw } from '../results/store.js';
import { pause, recordJson } from '../util/clock.js';
import { AbortedError, GuestbenchError, firstLine } from '../util/errors.js';
import { runCells, type Cell, type CellGroup, type GroupRun } from './cell-loop.js';
import { lostGuests } from './lost-guests.js';
import type { ExperimentContext } from './context.js';
import { guestsFor, peakLoads, type ExperimentDefinition } from './definition.js';
import { okRows, valuelessRow, type MeasurementCell } from './latency-rows.js';
import { guestsPerKind, type ProfileName } from './profiles.js';

/** The parameters of a latency campaign (stored in campaign.json). */
export interface LatencyParams {
  /** N: guests already running when one more is started, per backend */
  guests: Partial<Record<BackendName, number[]>>;
  repeats: number;
  /** guest size; thesis: 1 vCPU, 1024 MB */
  vcpus: number;
  memoryMiB: number;
  /** apply vcpus/memory as container cgroup limits (the thesis did not) */
  containerLimits: boolean;
  /** pause after the background guests are ready, and between repeats, milliseconds */
  settleMs: number;
  /** bound on one boot (and on the background guests becoming ready), milliseconds */
  readyTimeoutMs: number;
  /** bound on one shutdown, milliseconds */
  shutdownTimeoutMs: number;
}

const COMMON = {
  vcpus: 1,
  memoryMiB: 1024,
  containerLimits: false,
  readyTimeoutMs: 300_000,
  shutdownTimeoutMs: 120_000,
};

/**
 * latency per profile: the thesis's N (1..12 VMs, 1..16 containers) plus N = 0; quick fits TCG on
 * 2 cores. The bare host boots nothing: its one N records that it cannot.
 */
export const LATENCY_PROFILES: Record<
  ProfileName,
  Omit<LatencyParams, 'guests'> & { guests: Record<BackendName, number[]> }
> = {
  thesis: {
    ...COMMON,
    guests: guestsPerKind({ host: [0], container: [0, 1, 2, 4, 8, 16], vm: [0, 1, 2, 4, 8, 12] }),
    repeats: 10,
    settleMs: 3000,
  },
  quick: {
    ...COMMON,
    // containers to the thesis's 16: its container claims at N=16 (boot and shutdown flat, shutdown
    // overlapping boot) are decidable on any host, at about 1-3 min for three container systems
    // (docs/claims.md); VMs stay at 2: their N=8 and 12 shapes cost about 11 min under TCG
    guests: guestsPerKind({ host: [0], container: [0, 1, 2, 4, 8, 16], vm: [0, 1, 2] }),
    repeats: 3,
    settleMs: 1000,
  },
};

/** Runs `task` over `items` with at most `limit` at a time; settles all, returns the first failure if any. */
async function pool<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<unknown> {
  let next = 0;
  let failure: unknown;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length && failure === undefined) {
        const item = items[next++] as T;
        await task(item).catch((error: unknown) => {
          failure ??= error;
        });
      }
    }),
  );
  return failure;
}

/** How a latency-like experiment runs: its N and repeats, and what it measures each repeat. */
export interface LatencyLoop {
  experiment: string;
  guests: Partial<Record<BackendName, number[]>>;
  repeats: number;
  vcpus: number;
  memoryMiB: number;
  settleMs: number;
  readyTimeoutMs: number;
  /** the capability a backend needs (its background guests come from its timed start either way) */
  requires: 'startTiming' | 'saveRestore';
  /** metrics that get a valueless row per cell when it has no value */
  primaryMetrics: MetricName[];
  /** one more guest, measured; `name` is unique in the campaign */
  measure(backend: Backend, cell: MeasurementCell, name: string): Promise<Sample[]>;
}

/** The backend's timed start, which latency-like experiments need for their background guests too. */
function startTimingOf(backend: Backend): StartTiming {
  const timing = backend.capabilities.startTiming;
  if (!timing) throw new GuestbenchError(`${backend.name} lacks a timed start and shutdown`);
  return timing;
}

/**
 * Opens one (backend, N) group: N idle background guests (at most the backend's number of starts
 * at a time), ready and settled; closing stops them.
 */
async function openLatencyGroup(
  context: ExperimentContext,
  loop: LatencyLoop,
  backend: Backend,
  group: CellGroup,
): Promise<GroupRun> {
  const tag = randomBytes(2).toString('hex');
  const prefix = `${context.store.id.slice(-4)}-${tag}-${backend.name}-n${group.guests}`;
  const timing = startTimingOf(backend);
  const background: Guest[] = [];
  const close = async (): Promise<void> => {
    await Promise.allSettled(background.map((guest) => guest.stop()));
  };
  if (group.guests > 0) {
    context.log(
      `${loop.experiment}: ${backend.name} (${backend.accel}) N=${group.guests}: starting ${group.guests} background guest(s)`,
    );
    const specs: GuestSpec[] = Array.from({ length: group.guests }, (_, index) => ({
      name: `${prefix}-b${index + 1}`,
      vcpus: loop.vcpus,
      memoryMiB: loop.memoryMiB,
    }));
    const failure = await pool(specs, timing.parallelStarts, async (spec) => {
      const guest = await timing.background.start(spec, { signal: context.signal });
      background.push(guest);
      await guest.waitReady({ signal: context.signal, timeoutMs: loop.readyTimeoutMs });
    });
    if (failure !== undefined) {
      await close();
      throw new GuestbenchError(`could not start the ${group.guests} background guest(s): ${firstLine(failure)}`, {
        cause: failure,
      });
    }
  }
  return {
    async measure(cell) {
      await pause(loop.settleMs, context.signal);
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted');
      const measured: MeasurementCell = {
        campaign: context.store.id,
        experiment: loop.experiment,
        backend: cell.backend,
        accel: cell.accel,
        ...(cell.runtime === undefined ? {} : { runtime: cell.runtime }),
        guests: cell.guests,
        repeat: cell.repeat,
      };
      // a background guest that died would make this N a smaller one
      const before = await lostGuests(background);
      if (before !== undefined) throw new GuestbenchError(`background: ${before}`);
      const rows = await loop.measure(backend, measured, `${prefix}-r${cell.repeat}`);
      const after = await lostGuests(background);
      if (after !== undefined) throw new GuestbenchError(`background: ${after} during the measurement`);
      return rows;
    },
    lost: () => lostGuests(background),
    close,
  };
}

/** "boot_time 0.523 s, shutdown_time errored": the log's words for one measurement. */
function describeMeasurement(rows: readonly Sample[], primary: readonly MetricName[]): string {
  return rows
    .filter((row) => primary.includes(row.metric))
    .map((row) => `${row.metric} ${row.state === 'ok' ? `${row.value.toFixed(3)} s` : `${row.state}: ${row.reason}`}`)
    .join(', ');
}

/**
 * The loop shared by latency and latency-restore, on the campaign cell loop: for each backend and
 * N, start N idle background guests, wait until they are ready and settled, then measure each
 * remaining repeat; stop the background guests. Cells already recorded are skipped.
 */
export async function runLatencyLoop(context: ExperimentContext, loop: LatencyLoop): Promise<void> {
  const groups: CellGroup[] = Object.keys(loop.guests)
    .filter(isBackendName)
    .flatMap((backend) => (loop.guests[backend] ?? []).map((guests) => ({ backend, guests, repeats: loop.repeats })));
  await runCells(context, {
    experiment: loop.experiment,
    groups,
    requires: loop.requires,
    valuelessRows: (cell: Cell, state, reason) =>
      loop.primaryMetrics.map((metric) =>
        valuelessRow(
          {
            campaign: context.store.id,
            experiment: loop.experiment,
            backend: cell.backend,
            accel: cell.accel,
            ...(cell.runtime === undefined ? {} : { runtime: cell.runtime }),
            guests: cell.guests,
            repeat: cell.repeat,
          },
          metric,
          state,
          reason,
        ),
      ),
    openGroup: (backend, group) => openLatencyGroup(context, loop, backend, group),
    describe: (rows) => describeMeasurement(rows, loop.primaryMetrics),
  });
}

/** Start then stop of one more guest, each timed by the backend. */
async function measureStartStop(
  context: ExperimentContext,
  params: LatencyParams,
  backend: Backend,
  cell: MeasurementCell,
  name: string,
): Promise<Sample[]> {
  const timing = startTimingOf(backend);
  const spec = { name, vcpus: params.vcpus, memoryMiB: params.memoryMiB };
  const record: RawRecord = { readiness: timing.readiness, shutdown: timing.shutdown };
  const rawName = `${cell.experiment}-${cell.backend}-n${cell.guests}-r${cell.repeat}`;
  let start: TimedStart;
  try {
    start = await timing.timedStart(spec, { timeoutMs: params.readyTimeoutMs, signal: context.signal });
  } catch (error) {
    if (context.signal.aborted) throw new AbortedError('Campaign interrupted during a start', { cause: error });
    const raw = writeRaw(context.store, rawName, recordJson({ ...record, error: String(error) }));
    const reason = `start failed: ${firstLine(error)}`;
    return [
      valuelessRow({ ...cell, raw }, 'boot_time', 'errored', reason),
      valuelessRow({ ...cell, raw }, 'shutdown_time', 'errored', `not measured: ${reason}`),
    ];
  }
  Object.assign(record, start.record);
  let shutdownRows: Sample[];
  try {
    const down = await start.timedShutdown({ timeoutMs: params.shutdownTimeoutMs, signal: context.signal });
    Object.assign(record, down.record);
    shutdownRows = okRows(cell, down.values);
  } catch (error) {
    if (context.signal.aborted) {
      await start.close();
      throw new AbortedError('Campaign interrupted during a shutdown', { cause: error });
    }
    record.shutdownError = String(error);
    shutdownRows = [valuelessRow(cell, 'shutdown_time', 'errored', `shutdown failed: ${firstLine(error)}`)];
  }
  Object.assign(record, await start.close());
  const raw = writeRaw(context.store, rawName, recordJson(record));
  return [...okRows({ ...cell, raw }, start.values), ...shutdownRows.map((row) => ({ ...row, raw }))];
}

export const latency: ExperimentDefinition<LatencyParams> = {
  name: 'latency',
  summary: 'boot and shutdown time of one more guest while N others run (phases; engine timestamps)',
  thesis: 'Tables 5.1-5.2, Figure 5.1',
  minGuests: 0,
  uses: ['startTiming'],
  parameters(request) {
    const profile = LATENCY_PROFILES[request.profile];
    return { ...profile, guests: guestsFor(request, profile.guests), repeats: request.repeats ?? profile.repeats };
  },
  containerLimits: (params) => params.containerLimits,
  resources: (params) => ({
    loads: peakLoads(params.guests, params.memoryMiB, 1),
    disks: [],
    extraGuests: 'each N adds the one guest timed beside them',
  }),
  run: (context, params) =>
    runLatencyLoop(context, {
      experiment: 'latency',
      guests: params.guests,
      repeats: params.repeats,
      vcpus: params.vcpus,
      memoryMiB: params.memoryMiB,
      settleMs: params.settleMs,
      readyTimeoutMs: params.readyTimeoutMs,
      requires: 'startTiming',
      primaryMetrics: ['boot_time', 'shutdown_time'],
      measure: (backend, cell, name) => measureStartStop(context, params, backend, cell, name),
    }),
};
