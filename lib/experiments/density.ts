/**
 * The density experiment (thesis chapter 4): for each N, start N guests, release the workload in
 * all of them at once, record each guest's result, and stop them. Guests stay up across the repeats
 * of one N, as they would on a real host running a benchmark ten times.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Backend, ExecResult, Guest, GuestSpec, ScratchSpec } from '../backends/guest.js';
import { appendSamples, writeRaw } from '../results/store.js';
import { METRICS, type Accel, type BackendName, type MetricName, type Sample } from '../results/schema.js';
import { AbortedError, GuestbenchError, firstLine } from '../util/errors.js';
import { anySignal } from '../util/signals.js';
import { cellKey, type ExperimentContext } from './context.js';
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
  /** private scratch storage for each guest (VM disk, container volume; native guests ignore it) */
  scratch?: ScratchSpec;
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
function rowsFor(
  base: Omit<Sample, 'metric' | 'value' | 'unit' | 'state' | 'at'>,
  workload: Workload,
  outcome: PromiseSettledResult<ExecResult>,
): Sample[] {
  const at = new Date().toISOString();
  const errored = (reason: string): Sample[] => [
    { ...base, metric: PRIMARY_METRIC, value: null, unit: METRICS[PRIMARY_METRIC], at, state: 'errored', reason },
  ];
  if (outcome.status === 'rejected') return errored(firstLine(outcome.reason));
  const result = outcome.value;
  if (result.exitCode !== 0) {
    const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').at(-1) ?? '';
    return errored(`exited with code ${result.exitCode}: ${result.argv.join(' ')}${detail ? `: ${detail}` : ''}`);
  }
  try {
    return workload
      .parse(result.stdout)
      .map(([metric, value]) => ({ ...base, metric, value, unit: METRICS[metric], at, state: 'ok' as const }));
  } catch (error) {
    return errored(firstLine(error));
  }
}

/** One valueless row per repeat, for cells that produced no measurement (errored or unsupported). */
function valuelessRows(
  context: ExperimentContext,
  params: DensityParams,
  cell: { backend: BackendName; accel: Accel; guests: number },
  repeats: readonly number[],
  state: 'errored' | 'unsupported',
  reason: string,
): Sample[] {
  const at = new Date().toISOString();
  return repeats.map((repeat) => ({
    campaign: context.store.id,
    experiment: params.experiment,
    ...cell,
    guest: 0,
    repeat,
    metric: PRIMARY_METRIC,
    value: null,
    unit: METRICS[PRIMARY_METRIC],
    at,
    state,
    reason,
  }));
}

/** Records `unsupported` rows for every remaining cell of a backend the host cannot run. */
function recordUnsupported(
  context: ExperimentContext,
  params: DensityParams,
  backend: BackendName,
  reason: string,
): void {
  for (const guests of params.guests[backend] ?? []) {
    const repeats = Array.from({ length: params.repeats }, (_, index) => index + 1).filter(
      (repeat) => !context.done.has(cellKey({ backend, guests, repeat })),
    );
    // the accelerator a backend that cannot start would have used is not known
    appendSamples(
      context.store,
      valuelessRows(
        context,
        params,
        { backend, accel: backend === 'kvm' ? 'unknown' : 'none', guests },
        repeats,
        'unsupported',
        reason,
      ),
    );
  }
}

/** Runs the remaining repeats of one (backend, N) group. */
async function runGroup(
  context: ExperimentContext,
  params: DensityParams,
  backend: Backend,
  guests: number,
  repeats: number[],
): Promise<void> {
  const tag = randomBytes(2).toString('hex');
  const specs: GuestSpec[] = Array.from({ length: guests }, (_, index) => ({
    name: `${context.store.id.slice(-4)}-${tag}-${backend.name}-n${guests}-g${index + 1}`,
    vcpus: params.vcpus,
    memoryMiB: params.memoryMiB,
    ...(params.scratch ? { scratch: params.scratch } : {}),
  }));
  context.log(`${params.experiment}: ${backend.name} (${backend.accel}) N=${guests}: starting ${guests} guest(s)`);
  let started: Guest[];
  try {
    started = await startGuests(backend, specs, params, context.signal);
  } catch (error) {
    if (context.signal.aborted) throw new AbortedError('Campaign interrupted while starting guests', { cause: error });
    if (context.failFast) throw error;
    context.log(`${params.experiment}: ${backend.name} N=${guests}: could not start guests: ${firstLine(error)}`);
    appendSamples(
      context.store,
      valuelessRows(
        context,
        params,
        { backend: backend.name, accel: backend.accel, guests },
        repeats,
        'errored',
        `could not start guests: ${firstLine(error)}`,
      ),
    );
    return;
  }
  try {
    if (!(await prepareGuests(context, params, started, backend, guests, repeats))) return;
    for (const repeat of repeats) {
      // all N runs are issued in the same tick, so every guest starts its workload together
      const outcomes = await Promise.allSettled(
        started.map((guest) =>
          guest.exec(params.workload.commandFor?.(guest) ?? params.workload.command, {
            signal: context.signal,
            timeoutMs: params.runTimeoutMs,
          }),
        ),
      );
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted during a run');
      const rows = outcomes.flatMap((outcome, index) => {
        const raw =
          outcome.status === 'fulfilled'
            ? writeRaw(
                context.store,
                `${params.experiment}-${backend.name}-n${guests}-r${repeat}-g${index + 1}`,
                outcome.value.stdout + outcome.value.stderr,
              )
            : undefined;
        const base = {
          campaign: context.store.id,
          experiment: params.experiment,
          backend: backend.name,
          accel: backend.accel,
          guests,
          guest: index + 1,
          repeat,
          ...(raw === undefined ? {} : { raw }),
        };
        return rowsFor(base, params.workload, outcome);
      });
      appendSamples(context.store, rows);
      const failed = rows.filter((row) => row.state === 'errored');
      const times = rows
        .filter((row) => row.metric === 'total_time' && row.value !== null)
        .map((row) => (row.value ?? 0).toFixed(2));
      context.log(
        `${params.experiment}: ${backend.name} N=${guests} repeat ${repeat}/${params.repeats}: total_time ${times.join(' ')} s${failed.length ? `, ${failed.length} errored` : ''}`,
      );
      if (failed.length > 0 && context.failFast) {
        throw new GuestbenchError(`A guest failed (--fail-fast): ${failed[0]?.reason ?? ''}`);
      }
    }
  } finally {
    await cleanupGuests(context, params, started);
    await stopGuests(started);
  }
}

/**
 * Runs the workload's untimed prepare in every guest at once. A failure becomes errored rows for the
 * group's repeats (false: skip the runs), or is thrown with --fail-fast or on interruption.
 */
async function prepareGuests(
  context: ExperimentContext,
  params: DensityParams,
  started: Guest[],
  backend: Backend,
  guests: number,
  repeats: number[],
): Promise<boolean> {
  const prepare = params.workload.prepare;
  if (!prepare) return true;
  const timeoutMs = params.prepareTimeoutMs ?? params.runTimeoutMs;
  const outcomes = await Promise.allSettled(
    started.map((guest) =>
      prepare.call(params.workload, guest, anySignal(context.signal, AbortSignal.timeout(timeoutMs))),
    ),
  );
  const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
  if (!failure) return true;
  if (context.signal.aborted)
    throw new AbortedError('Campaign interrupted while preparing guests', { cause: failure.reason });
  if (context.failFast) throw failure.reason;
  context.log(`${params.experiment}: ${backend.name} N=${guests}: prepare failed: ${firstLine(failure.reason)}`);
  appendSamples(
    context.store,
    valuelessRows(
      context,
      params,
      { backend: backend.name, accel: backend.accel, guests },
      repeats,
      'errored',
      `prepare failed: ${firstLine(failure.reason)}`,
    ),
  );
  return false;
}

/** The workload's cleanup in every guest, each with its own deadline; failures are logged, not thrown. */
async function cleanupGuests(context: ExperimentContext, params: DensityParams, started: Guest[]): Promise<void> {
  const cleanup = params.workload.cleanup;
  if (!cleanup) return;
  const outcomes = await Promise.allSettled(
    started.map((guest) => cleanup.call(params.workload, guest, AbortSignal.timeout(CLEANUP_TIMEOUT_MS))),
  );
  outcomes.forEach((outcome, index) => {
    if (outcome.status === 'rejected')
      context.log(
        `${params.experiment}: cleanup failed in ${started[index]?.spec.name ?? 'a guest'}: ${firstLine(outcome.reason)}`,
      );
  });
}

/** Runs a density experiment over every backend and N, skipping cells already done. */
export async function runDensity(context: ExperimentContext, params: DensityParams): Promise<void> {
  // every guest's prepare and commands listen on the campaign's signal: more than Node's default of
  // 10 listeners is expected at N > 4, not a leak
  const largest = Math.max(0, ...Object.values(params.guests).flatMap((counts) => counts ?? []));
  setMaxListeners(Math.max(10, 4 * largest + 10), context.signal);
  for (const name of Object.keys(params.guests) as BackendName[]) {
    const unusable = context.unusable[name];
    if (unusable !== undefined) {
      context.log(`${params.experiment}: ${name}: unsupported on this host: ${unusable}`);
      recordUnsupported(context, params, name, unusable);
      continue;
    }
    const backend = context.backends[name];
    if (!backend) continue;
    for (const guests of params.guests[name] ?? []) {
      const repeats = Array.from({ length: params.repeats }, (_, index) => index + 1).filter(
        (repeat) => !context.done.has(cellKey({ backend: name, guests, repeat })),
      );
      if (repeats.length === 0) continue;
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted');
      await runGroup(context, params, backend, guests, repeats);
    }
  }
}
