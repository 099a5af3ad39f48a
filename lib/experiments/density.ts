/**
 * The density experiment (thesis chapter 4): for each N, start N guests, release the workload in
 * all of them at once, record each guest's result, and stop them. Guests stay up across the repeats
 * of one N, as they would on a real host running a benchmark ten times. Runs on the shared cell loop
 * (cell-loop.ts): one group per (backend, N).
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Backend, ExecResult, Guest, GuestScratchSpec, GuestSpec } from '../backends/guest.js';
import { isBackendName, type BackendName } from '../model/backends.js';
import { okRow, valuelessRow, type RowFields } from '../results/rows.js';
import type { MetricName, Sample } from '../results/schema.js';
import { writeRaw } from '../results/store.js';
import { GuestbenchError, firstLine } from '../util/errors.js';
import { anySignal } from '../util/signals.js';
import { lostGuests } from './lost-guests.js';
import { cellFields, runCells, type Cell, type CellGroup, type GroupRun } from './cell-loop.js';
import type { ExperimentContext } from './context.js';
import type { Workload } from './workload.js';

/** Parameters shared by every density experiment. */
export interface DensityParams {
  experiment: string;
  workload: Workload;
  guests: Partial<Record<BackendName, number[]>>;
  repeats: number;
  vcpus: number;
  memoryMiB: number;
  /** bound on one workload run, milliseconds */
  runTimeoutMs: number;
  /** bound on a guest becoming ready, milliseconds */
  readyTimeoutMs: number;
  /** private scratch storage for each guest (backends need the scratch capability) */
  scratch?: GuestScratchSpec;
  /** bound on one guest's untimed prepare, milliseconds (default `runTimeoutMs`) */
  prepareTimeoutMs?: number;
}

/** Bound on one guest's cleanup, milliseconds. */
const CLEANUP_TIMEOUT_MS = 120_000;

/** The metric an errored or unsupported cell is recorded under. */
const PRIMARY_METRIC: MetricName = 'total_time';

/** Starts N guests at once; if any fails, the others are stopped and the error is thrown. */
async function startGuests(
  backend: Backend,
  specs: GuestSpec[],
  params: DensityParams,
  signal: AbortSignal,
): Promise<Guest[]> {
  const started: Guest[] = [];
  const results = await Promise.allSettled(
    specs.map(async (spec) => {
      const guest = await backend.start(spec, { signal });
      started.push(guest);
      await guest.waitReady({ signal, timeoutMs: params.readyTimeoutMs });
      return guest;
    }),
  );
  const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await stopGuests(started);
    throw failure.reason;
  }
  return started;
}

async function stopGuests(guests: readonly Guest[]): Promise<void> {
  await Promise.allSettled(guests.map((guest) => guest.stop()));
}

/** Turns one guest's run into rows: one per metric, or a single errored row. */
function rowsFor(fields: RowFields, workload: Workload, outcome: PromiseSettledResult<ExecResult>): Sample[] {
  const at = new Date().toISOString();
  const errored = (reason: string): Sample[] => [valuelessRow(fields, PRIMARY_METRIC, 'errored', reason, at)];
  if (outcome.status === 'rejected') return errored(firstLine(outcome.reason));
  const result = outcome.value;
  if (result.exitCode !== 0) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').at(-1) ?? '';
    return errored(`exited with code ${result.exitCode}: ${result.argv.join(' ')}${detail ? `: ${detail}` : ''}`);
  }
  try {
    return workload.parse(result.stdout).map(([metric, value]) => okRow(fields, metric, value, at));
  } catch (error) {
    return errored(firstLine(error));
  }
}

/** Runs the workload's untimed prepare in every guest at once; throws the first failure. */
async function prepareGuests(params: DensityParams, started: readonly Guest[], signal: AbortSignal): Promise<void> {
  const prepare = params.workload.prepare;
  if (!prepare) return;
  const timeoutMs = params.prepareTimeoutMs ?? params.runTimeoutMs;
  const outcomes = await Promise.allSettled(
    started.map((guest) => prepare.call(params.workload, guest, anySignal(signal, AbortSignal.timeout(timeoutMs)))),
  );
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (failure) throw new GuestbenchError(`prepare failed: ${firstLine(failure.reason)}`, { cause: failure.reason });
}

/** The workload's cleanup in every guest, each with its own deadline; failures are logged, not thrown. */
async function cleanupGuests(
  context: ExperimentContext,
  params: DensityParams,
  started: readonly Guest[],
): Promise<void> {
  const cleanup = params.workload.cleanup;
  if (!cleanup) return;
  const outcomes = await Promise.allSettled(
    started.map((guest) => cleanup.call(params.workload, guest, AbortSignal.timeout(CLEANUP_TIMEOUT_MS))),
  );
  outcomes.forEach((outcome, index) => {
    if (outcome.status === 'rejected') {
      context.log(
        `${params.experiment}: cleanup failed in ${started[index]?.spec.name ?? 'a guest'}: ${firstLine(outcome.reason)}`,
      );
    }
  });
}

/** N guests started together, prepared once, running the workload once per repeat. */
async function openDensityGroup(
  context: ExperimentContext,
  params: DensityParams,
  backend: Backend,
  group: CellGroup,
): Promise<GroupRun> {
  const tag = randomBytes(2).toString('hex');
  const specs: GuestSpec[] = Array.from({ length: group.guests }, (_, index) => ({
    name: `${context.store.id.slice(-4)}-${tag}-${backend.name}-n${group.guests}-g${index + 1}`,
    vcpus: params.vcpus,
    memoryMiB: params.memoryMiB,
    ...(params.scratch ? { scratch: params.scratch } : {}),
  }));
  context.log(
    `${params.experiment}: ${backend.name} (${backend.accel}) N=${group.guests}: starting ${group.guests} guest(s)`,
  );
  let started: Guest[];
  try {
    started = await startGuests(backend, specs, params, context.signal);
  } catch (error) {
    throw new GuestbenchError(`could not start guests: ${firstLine(error)}`, { cause: error });
  }
  try {
    await prepareGuests(params, started, context.signal);
  } catch (error) {
    await cleanupGuests(context, params, started);
    await stopGuests(started);
    throw error;
  }
  return {
    measure: async (cell) => measureRepeat(context, params, started, cell),
    lost: () => lostGuests(started),
    async close() {
      await cleanupGuests(context, params, started);
      await stopGuests(started);
    },
  };
}

/** One repeat: all N runs issued in the same tick, so every guest starts its workload together. */
async function measureRepeat(
  context: ExperimentContext,
  params: DensityParams,
  started: readonly Guest[],
  cell: Cell,
): Promise<Sample[]> {
  const outcomes = await Promise.allSettled(
    started.map((guest) =>
      guest.exec(params.workload.commandFor?.(guest) ?? params.workload.command, {
        signal: context.signal,
        timeoutMs: params.runTimeoutMs,
      }),
    ),
  );
  return outcomes.flatMap((outcome, index) => {
    const raw =
      outcome.status === 'fulfilled'
        ? writeRaw(
            context.store,
            `${params.experiment}-${cell.backend}-n${cell.guests}-r${cell.repeat}-g${index + 1}`,
            outcome.value.stdout + outcome.value.stderr,
          )
        : undefined;
    const fields: RowFields = {
      ...cellFields(context, params.experiment, cell),
      guest: index + 1,
      ...(raw === undefined ? {} : { raw }),
    };
    return rowsFor(fields, params.workload, outcome);
  });
}

/** "total_time 0.71 0.70 s" (and how many guests errored): the log's words for one repeat. */
function describeRepeat(rows: readonly Sample[]): string {
  const times = rows.flatMap((row) =>
    row.metric === 'total_time' && row.state === 'ok' ? [row.value.toFixed(2)] : [],
  );
  const failed = rows.filter((row) => row.state === 'errored');
  const measured = times.length > 0 ? `total_time ${times.join(' ')} s` : 'no total_time';
  return `${measured}${failed.length ? `, ${failed.length} errored: ${failed[0]?.reason ?? ''}` : ''}`;
}

/** Runs a density experiment over every backend and N, skipping cells already done. */
export async function runDensity(context: ExperimentContext, params: DensityParams): Promise<void> {
  // every guest's prepare and commands listen on the campaign's signal: more than Node's default of
  // 10 listeners is expected at N > 4, not a leak
  const largest = Math.max(0, ...Object.values(params.guests).flatMap((counts) => counts ?? []));
  setMaxListeners(Math.max(10, 4 * largest + 10), context.signal);
  // in the order the campaign asked for its backends
  const groups: CellGroup[] = Object.keys(params.guests)
    .filter(isBackendName)
    .flatMap((backend) =>
      (params.guests[backend] ?? []).map((guests) => ({ backend, guests, repeats: params.repeats })),
    );
  await runCells(context, {
    experiment: params.experiment,
    groups,
    ...(params.scratch ? { requires: 'scratch' as const } : {}),
    valuelessRows: (cell, state, reason) => [
      valuelessRow({ ...cellFields(context, params.experiment, cell), guest: 0 }, PRIMARY_METRIC, state, reason),
    ],
    openGroup: (backend, group) => openDensityGroup(context, params, backend, group),
    describe: describeRepeat,
  });
}
