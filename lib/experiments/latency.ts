/**
 * latency (thesis section 5.0.2, Tables 5.1 and 5.2, Figure 5.1): with N guests already running
 * and idle, start one more guest and time its boot, then stop it and time its shutdown; 10 repeats
 * per N in the thesis profile. The background guests stay up across the repeats of one N.
 *
 * - boot_time: launch request -> a process inside the guest has written its ready marker and the
 *   runner has read it (VM: the init prints GUEST_READY_MARKER on the serial console; container: the
 *   main process prints CONTAINER_READY_MARKER on stdout), with phases (VM: QEMU up, guest to
 *   marker, then the agent; container: create, attach, start, first output; and the engine's own
 *   `start` event beside the runner's view).
 * - shutdown_time: stop request -> the guest is gone. VM: a clean shutdown through the guest agent
 *   (the init syncs, remounts / read-only and powers off), until QEMU has exited. Container:
 *   `docker stop` semantics (SIGTERM, SIGKILL after a 10 s grace), the main process exiting on
 *   SIGTERM, until the engine reports it stopped.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { CONTAINER_READY_MARKER, DockerBackend, containerCommand, type DockerGuest } from '../backends/docker.js';
import type { Backend, Guest, GuestSpec } from '../backends/guest.js';
import { KvmBackend } from '../backends/kvm.js';
import { GUEST_READY_MARKER } from '../images/recipe.js';
import { appendSamples, writeRaw } from '../results/store.js';
import type { Accel, BackendName, MetricName, Sample } from '../results/schema.js';
import { AbortedError, GuestbenchError, firstLine } from '../util/errors.js';
import { cellKey, type ExperimentContext } from './context.js';
import type { ExperimentDefinition, ParameterRequest } from './definition.js';
import { eventsForRecord, measureContainerBoot, measureVmBoot, recordJson } from './latency-measure.js';
import {
  containerBootValues,
  containerShutdownValues,
  okRows,
  valuelessRow,
  vmBootValues,
  vmShutdownValues,
  type MeasurementCell,
} from './latency-rows.js';
import type { ProfileName } from './profiles.js';

/** Backends that start guests (the bare host does not boot). */
export type GuestBackendName = Exclude<BackendName, 'native'>;

/** What "ready" means, recorded with every latency campaign. */
export const READINESS_DEFINITION =
  `ready = a process inside the guest has written a marker and the runner has read it: ` +
  `VM: the init (PID 1) prints "${GUEST_READY_MARKER} uptime=..." on the serial console, read from QEMU's console file (polled every 5 ms); ` +
  `container: the main process prints "${CONTAINER_READY_MARKER}" on stdout, read from the attach stream (attached before start). ` +
  `boot_time = launch request (before KvmBackend.start / the container create request) -> ready, on the runner's monotonic clock (process.hrtime.bigint).`;

/** What "gone" means. */
export const SHUTDOWN_DEFINITIONS = {
  kvm:
    'clean shutdown: guest-agent guest-shutdown (powerdown) runs /sbin/shutdown, which signals the init; it stops qemu-ga, syncs, remounts / read-only and powers off via ACPI (sysrq o); ' +
    'shutdown_time = request -> the QEMU process exited; phase_poweroff = request -> QMP SHUTDOWN event',
  docker:
    'docker stop semantics: the engine sends SIGTERM to the main process and SIGKILL after the grace period; the main process exits on SIGTERM (shell trap), so no grace is waited out ' +
    '(shutdown_killed = 1 would say the engine had to kill it); shutdown_time = stop request -> the engine answered (container stopped); removal is not timed',
} as const;

/** The parameters of a latency campaign (stored in campaign.json). */
export interface LatencyParams {
  /** N: guests already running when one more is started, per backend */
  guests: Partial<Record<GuestBackendName, number[]>>;
  repeats: number;
  /** guest size; thesis: 1 vCPU, 1024 MB */
  vcpus: number;
  memoryMiB: number;
  /** apply vcpus/memory as container cgroup limits (the thesis did not) */
  containerLimits: boolean;
  readiness: string;
  shutdown: { kvm: string; docker: string };
  /** the containers' main process, argv */
  containerMainProcess: string[];
  /** `docker stop` grace period, seconds (the engine's default) */
  containerStopGraceSeconds: number;
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
  readiness: READINESS_DEFINITION,
  shutdown: { ...SHUTDOWN_DEFINITIONS },
  containerMainProcess: containerCommand(true),
  containerStopGraceSeconds: 10,
  readyTimeoutMs: 300_000,
  shutdownTimeoutMs: 120_000,
};

/** latency per profile: the thesis's N (1..12 VMs, 1..16 containers) plus N = 0; quick fits TCG on 2 cores. */
export const LATENCY_PROFILES: Record<
  ProfileName,
  Omit<LatencyParams, 'guests'> & { guests: Record<GuestBackendName, number[]> }
> = {
  thesis: { ...COMMON, guests: { kvm: [0, 1, 2, 4, 8, 12], docker: [0, 1, 2, 4, 8, 16] }, repeats: 10, settleMs: 3000 },
  quick: { ...COMMON, guests: { kvm: [0, 1, 2], docker: [0, 1, 2, 4, 8] }, repeats: 3, settleMs: 1000 },
};

/** The requested guest backends with their N: the request's `--guests` for each, else the profile's. */
export function latencyGuests(
  request: ParameterRequest,
  profile: Record<GuestBackendName, number[]>,
): Partial<Record<GuestBackendName, number[]>> {
  const guests: Partial<Record<GuestBackendName, number[]>> = {};
  for (const backend of request.backends)
    if (backend !== 'native') guests[backend] = request.guests ?? profile[backend];
  return guests;
}

/** Runs `tasks` with at most `limit` at a time; settles all, returns the first failure if any. */
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

/** What a latency-like experiment measures for one (backend, N, repeat), given the background guests. */
export type MeasureOne = (cell: MeasurementCell, name: string) => Promise<Sample[]>;

/** How a latency-like experiment runs: which backends and N, and what to measure each repeat. */
export interface LatencyLoop {
  experiment: string;
  guests: Partial<Record<GuestBackendName, number[]>>;
  repeats: number;
  vcpus: number;
  memoryMiB: number;
  settleMs: number;
  readyTimeoutMs: number;
  /** metrics that get an `unsupported` row per cell when the backend is unusable */
  primaryMetrics: MetricName[];
  /** the backend background guests are started from (e.g. containers that exit on SIGTERM) */
  backgroundBackend(name: GuestBackendName, backend: Backend): Backend;
  measure(name: GuestBackendName, backend: Backend): MeasureOne;
}

/**
 * The loop shared by latency and latency-restore: for each backend and N, start N idle background
 * guests (at most one per host CPU booting at a time), wait until they are ready and settled, then
 * measure each remaining repeat; stop the background guests. Cells already recorded are skipped.
 */
export async function runLatencyLoop(context: ExperimentContext, loop: LatencyLoop): Promise<void> {
  for (const name of ['docker', 'kvm'] as const) {
    const counts = loop.guests[name];
    if (!counts) continue;
    const remaining = (guests: number) =>
      Array.from({ length: loop.repeats }, (_, index) => index + 1).filter(
        (repeat) => !context.done.has(cellKey({ backend: name, guests, repeat })),
      );
    const unusable = context.unusable[name];
    if (unusable !== undefined) {
      context.log(`${loop.experiment}: ${name}: unsupported on this host: ${unusable}`);
      for (const guests of counts) {
        const rows = remaining(guests).flatMap((repeat) =>
          loop.primaryMetrics.map((metric) =>
            valuelessRow(
              {
                campaign: context.store.id,
                experiment: loop.experiment,
                backend: name,
                accel: name === 'kvm' ? 'unknown' : 'none',
                guests,
                repeat,
              },
              metric,
              'unsupported',
              unusable,
            ),
          ),
        );
        appendSamples(context.store, rows);
      }
      continue;
    }
    const backend = context.backends[name];
    if (!backend) continue;
    const measure = loop.measure(name, backend);
    for (const guests of counts) {
      const repeats = remaining(guests);
      if (repeats.length === 0) continue;
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted');
      await runGroup(context, loop, name, backend, guests, repeats, measure);
    }
  }
}

async function runGroup(
  context: ExperimentContext,
  loop: LatencyLoop,
  name: GuestBackendName,
  backend: Backend,
  guests: number,
  repeats: number[],
  measure: MeasureOne,
): Promise<void> {
  const tag = randomBytes(2).toString('hex');
  const prefix = `${context.store.id.slice(-4)}-${tag}-${name}-n${guests}`;
  const accel: Accel = backend.accel;
  const cellOf = (repeat: number): MeasurementCell => ({
    campaign: context.store.id,
    experiment: loop.experiment,
    backend: name,
    accel,
    guests,
    repeat,
  });
  const background: Guest[] = [];
  try {
    if (guests > 0) {
      context.log(`${loop.experiment}: ${name} (${accel}) N=${guests}: starting ${guests} background guest(s)`);
      const specs: GuestSpec[] = Array.from({ length: guests }, (_, index) => ({
        name: `${prefix}-b${index + 1}`,
        vcpus: loop.vcpus,
        memoryMiB: loop.memoryMiB,
      }));
      const starter = loop.backgroundBackend(name, backend);
      // one VM boot per host CPU at a time: twelve TCG boots at once on two cores would time out
      const limit = name === 'kvm' ? Math.max(1, os.availableParallelism()) : 8;
      const failure = await pool(specs, limit, async (spec) => {
        const guest = await starter.start(spec, { signal: context.signal });
        background.push(guest);
        await guest.waitReady({ signal: context.signal, timeoutMs: loop.readyTimeoutMs });
      });
      if (failure !== undefined) {
        if (context.signal.aborted)
          throw new AbortedError('Campaign interrupted while starting background guests', { cause: failure });
        if (context.failFast) throw failure;
        context.log(
          `${loop.experiment}: ${name} N=${guests}: could not start the background guests: ${firstLine(failure)}`,
        );
        const reason = `could not start the ${guests} background guest(s): ${firstLine(failure)}`;
        appendSamples(
          context.store,
          repeats.flatMap((repeat) =>
            loop.primaryMetrics.map((metric) => valuelessRow(cellOf(repeat), metric, 'errored', reason)),
          ),
        );
        return;
      }
    }
    for (const repeat of repeats) {
      await settle(loop.settleMs, context.signal);
      const rows = await measure(cellOf(repeat), `${prefix}-r${repeat}`);
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted during a measurement');
      appendSamples(context.store, rows);
      const failed = rows.filter((row) => row.state === 'errored');
      const shown = rows
        .filter((row) => loop.primaryMetrics.includes(row.metric))
        .map((row) => `${row.metric} ${row.value === null ? row.state : `${row.value.toFixed(3)} s`}`);
      context.log(
        `${loop.experiment}: ${name} (${accel}) N=${guests} repeat ${repeat}/${loop.repeats}: ${shown.join(', ')}`,
      );
      if (failed.length > 0 && context.failFast)
        throw new GuestbenchError(`A measurement failed (--fail-fast): ${failed[0]?.reason ?? ''}`);
    }
  } finally {
    await Promise.allSettled(background.map((guest) => guest.stop()));
  }
}

async function settle(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Boot then shutdown of one more VM. */
function measureVm(context: ExperimentContext, params: LatencyParams, kvm: KvmBackend): MeasureOne {
  return async (cell, name) => {
    const spec = { name, vcpus: params.vcpus, memoryMiB: params.memoryMiB };
    const record: Record<string, unknown> = { readiness: params.readiness, shutdown: params.shutdown.kvm };
    const rawName = `${cell.experiment}-kvm-n${cell.guests}-r${cell.repeat}`;
    let boot;
    try {
      boot = await measureVmBoot(kvm, spec, { timeoutMs: params.readyTimeoutMs, signal: context.signal });
    } catch (error) {
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted during a boot', { cause: error });
      const raw = writeRaw(context.store, rawName, recordJson({ ...record, error: String(error) }));
      const reason = `boot failed: ${firstLine(error)}`;
      return [
        valuelessRow({ ...cell, raw }, 'boot_time', 'errored', reason),
        valuelessRow({ ...cell, raw }, 'shutdown_time', 'errored', `not measured: ${reason}`),
      ];
    }
    record.boot = boot.times;
    record.command = boot.guest.command;
    record.console = boot.console;
    let shutdownRows: Sample[];
    try {
      const down = await boot.guest.shutdown({ timeoutMs: params.shutdownTimeoutMs, signal: context.signal });
      record.shutdownTimes = down;
      shutdownRows = okRows(cell, vmShutdownValues(down));
    } catch (error) {
      await boot.guest.stop();
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted during a shutdown', { cause: error });
      record.shutdownError = String(error);
      shutdownRows = [valuelessRow(cell, 'shutdown_time', 'errored', `shutdown failed: ${firstLine(error)}`)];
    }
    const raw = writeRaw(context.store, rawName, recordJson(record));
    return [...okRows({ ...cell, raw }, vmBootValues(boot.times)), ...shutdownRows.map((row) => ({ ...row, raw }))];
  };
}

/** Start then stop of one more container. */
function measureContainer(context: ExperimentContext, params: LatencyParams, docker: DockerBackend): MeasureOne {
  return async (cell, name) => {
    const spec = { name, vcpus: params.vcpus, memoryMiB: params.memoryMiB };
    const record: Record<string, unknown> = {
      readiness: params.readiness,
      shutdown: params.shutdown.docker,
      mainProcess: params.containerMainProcess,
    };
    const rawName = `${cell.experiment}-docker-n${cell.guests}-r${cell.repeat}`;
    let boot;
    try {
      boot = await measureContainerBoot(docker, spec, { timeoutMs: params.readyTimeoutMs, signal: context.signal });
    } catch (error) {
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted during a start', { cause: error });
      const raw = writeRaw(context.store, rawName, recordJson({ ...record, error: String(error) }));
      const reason = `start failed: ${firstLine(error)}`;
      return [
        valuelessRow({ ...cell, raw }, 'boot_time', 'errored', reason),
        valuelessRow({ ...cell, raw }, 'shutdown_time', 'errored', `not measured: ${reason}`),
      ];
    }
    const guest: DockerGuest = boot.guest;
    record.boot = boot.times;
    record.wallMinusMonotonicNs = boot.wallMinusMonotonicNs;
    let shutdownRows: Sample[];
    try {
      const down = await guest.shutdown({ graceSeconds: params.containerStopGraceSeconds, signal: context.signal });
      record.shutdownTimes = down;
      shutdownRows = okRows(cell, containerShutdownValues(down));
      await boot.events.waitFor('destroy', 1000);
    } catch (error) {
      await guest.stop().catch(() => undefined);
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted during a stop', { cause: error });
      record.shutdownError = String(error);
      shutdownRows = [valuelessRow(cell, 'shutdown_time', 'errored', `stop failed: ${firstLine(error)}`)];
    } finally {
      boot.events.close();
    }
    record.engineEvents = eventsForRecord(boot.events.events);
    const raw = writeRaw(context.store, rawName, recordJson(record));
    return [
      ...okRows({ ...cell, raw }, containerBootValues(boot.times)),
      ...shutdownRows.map((row) => ({ ...row, raw })),
    ];
  };
}

export const latency: ExperimentDefinition<LatencyParams> = {
  name: 'latency',
  summary: 'boot and shutdown time of one more guest while N others run (phases; engine timestamps)',
  thesis: 'Tables 5.1-5.2, Figure 5.1',
  minGuests: 0,
  parameters(request) {
    const profile = LATENCY_PROFILES[request.profile];
    return { ...profile, guests: latencyGuests(request, profile.guests), repeats: request.repeats ?? profile.repeats };
  },
  containerLimits: (params) => params.containerLimits,
  run: (context, params) => {
    if (context.backends.native || context.unusable.native !== undefined)
      context.log('latency: native: not applicable (the bare host does not boot); skipped');
    return runLatencyLoop(context, {
      experiment: 'latency',
      guests: params.guests,
      repeats: params.repeats,
      vcpus: params.vcpus,
      memoryMiB: params.memoryMiB,
      settleMs: params.settleMs,
      readyTimeoutMs: params.readyTimeoutMs,
      primaryMetrics: ['boot_time', 'shutdown_time'],
      backgroundBackend: (name, backend) =>
        name === 'docker' && backend instanceof DockerBackend ? backend.derive({ exitOnSigterm: true }) : backend,
      measure: (name, backend) => {
        if (name === 'kvm' && backend instanceof KvmBackend) return measureVm(context, params, backend);
        if (name === 'docker' && backend instanceof DockerBackend)
          return measureContainer(context, params, backend.derive({ exitOnSigterm: true }));
        throw new GuestbenchError(`latency: unexpected backend ${name}`);
      },
    });
  },
};
