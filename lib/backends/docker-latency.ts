/**
 * The Docker backend's timed start and shutdown (the latency experiments). "Ready" is the main
 * process's marker on stdout, read from an attach made before start; the engine's own `start` event
 * (events API, subscribed before create) is set beside the runner's view. The timed containers'
 * main process exits on SIGTERM, as a well-behaved service does, so `docker stop` returns as soon as
 * it has exited.
 */
import { seconds } from '../util/clock.js';
import type { MeasuredValues, StartTiming, StepOptions, TimedStart } from './capabilities.js';
import { ContainerEventLog, wallMinusMonotonicNs, type DockerEvent } from './docker-events.js';
import { CONTAINER_READY_MARKER, containerCommand } from './docker-main-process.js';
import type { DockerBackend, DockerGuest } from './docker.js';
import type { GuestSpec } from './guest.js';

/** One container start (monotonic clock, nanoseconds). */
export interface ContainerBootTimes {
  /** just before the create request */
  requestedNs: bigint;
  createdNs: bigint;
  attachedNs: bigint;
  /** the start request was answered */
  startedNs: bigint;
  /** the ready marker arrived on the attach stream */
  markerNs: bigint;
  /** the engine's `start` event, mapped onto the monotonic clock; undefined if not seen */
  engineStartNs: bigint | undefined;
}

/** One container stop (monotonic clock, nanoseconds) and how its main process ended. */
export interface ContainerShutdownTimes {
  requestedNs: bigint;
  /** the engine answered the stop request */
  stoppedNs: bigint;
  /** 137 = SIGKILL after the grace period */
  exitCode: number;
}

/**
 * boot_time (create request -> marker) = create + attach + start (start request -> marker), and the
 * engine's view beside the runner's: create request -> engine `start` event, and that event -> the
 * start reply (the harness's lag behind the engine).
 */
export function containerBootValues(times: ContainerBootTimes): MeasuredValues {
  const values: MeasuredValues = [
    ['boot_time', seconds(times.requestedNs, times.markerNs)],
    ['phase_create', seconds(times.requestedNs, times.createdNs)],
    ['phase_attach', seconds(times.createdNs, times.attachedNs)],
    // the main process prints its marker before the engine's start reply arrives: the start phase
    // ends at the marker, and the reply is compared with the engine's own start event instead
    ['phase_start', seconds(times.attachedNs, times.markerNs)],
  ];
  if (times.engineStartNs !== undefined) {
    values.push(['engine_start_time', seconds(times.requestedNs, times.engineStartNs)]);
    values.push(['harness_overhead', seconds(times.engineStartNs, times.startedNs)]);
  }
  return values;
}

/** shutdown_time (stop request -> stopped) and whether the engine had to kill the main process. */
export function containerShutdownValues(times: ContainerShutdownTimes): MeasuredValues {
  return [
    ['shutdown_time', seconds(times.requestedNs, times.stoppedNs)],
    ['shutdown_killed', times.exitCode === 137 ? 1 : 0],
  ];
}

/** A started container, when each step of its start happened, and the engine's own events. */
export interface MeasuredContainerBoot {
  guest: DockerGuest;
  times: ContainerBootTimes;
  /** the container's engine events (open until close(); shutdown events arrive here too) */
  events: ContainerEventLog;
  /** wall clock minus monotonic clock, nanoseconds (maps engine timestamps onto the runner's clock) */
  wallMinusMonotonicNs: bigint;
}

/** Engine event time on the runner's monotonic clock. */
export function engineMonotonicNs(event: DockerEvent | undefined, wallMinusMonotonic: bigint): bigint | undefined {
  return event === undefined ? undefined : event.timeNano - wallMinusMonotonic;
}

/**
 * Starts one container and times it: create, attach, start, ready marker; and reads the engine's
 * `start` event. On failure the container is removed and the error thrown. Close `events` when done.
 */
export async function measureContainerBoot(
  docker: DockerBackend,
  spec: GuestSpec,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<MeasuredContainerBoot> {
  // subscribed before create: the engine's create and start events cannot be missed
  const events = await ContainerEventLog.open(`guestbench-${spec.name}`, {
    client: await docker.engine.client(),
    signal: options.signal,
  });
  const offset = wallMinusMonotonicNs();
  let guest: DockerGuest | undefined;
  try {
    guest = await docker.start(spec, { signal: options.signal });
    await guest.waitReady({ timeoutMs: options.timeoutMs, signal: options.signal });
    const start = await events.waitFor('start', 2000);
    const times: ContainerBootTimes = {
      ...guest.times,
      markerNs: guest.times.markerNs ?? process.hrtime.bigint(),
      engineStartNs: engineMonotonicNs(start, offset),
    };
    return { guest, times, events, wallMinusMonotonicNs: offset };
  } catch (error) {
    events.close();
    await guest?.stop();
    throw error;
  }
}

/** Events as plain JSON for the raw record (timeNano as a decimal string). */
export function eventsForRecord(events: readonly DockerEvent[]): Array<Record<string, string>> {
  return events.map((event) => ({ action: event.action, timeNano: event.timeNano.toString(), ...event.attributes }));
}

/** `docker stop`'s grace period between SIGTERM and SIGKILL, seconds (the engine's default). */
export const STOP_GRACE_SECONDS = 10;

/** The main process of a timed container: prints the marker, exits 0 on SIGTERM. */
export const TIMED_MAIN_PROCESS = containerCommand(true);

/** A container backend's timed start and shutdown (any engine with the Docker-compatible API). */
export function containerStartTiming(docker: DockerBackend): StartTiming {
  const timed = docker.derive({ exitOnSigterm: true });
  return {
    readiness:
      `the main process (\`${TIMED_MAIN_PROCESS.join(' ')}\`) prints "${CONTAINER_READY_MARKER}" on stdout, read from the attach stream (attached before start; ${docker.name} under ${docker.runtime}); ` +
      "boot_time = the create request -> the marker read, on the runner's monotonic clock; the engine's own `start` event (events API) beside it",
    shutdown:
      `docker stop semantics (${docker.name}'s Docker-compatible API): the engine sends SIGTERM to the main process and SIGKILL after ${STOP_GRACE_SECONDS} s; the main process exits on SIGTERM (shell trap), so no grace is waited out ` +
      '(shutdown_killed = 1 would say the engine had to kill it); shutdown_time = stop request -> the engine answered (container stopped); removal is not timed',
    background: timed,
    parallelStarts: 8,
    timedStart: async (spec, options) => timedContainerStart(timed, spec, options),
  };
}

async function timedContainerStart(docker: DockerBackend, spec: GuestSpec, options: StepOptions): Promise<TimedStart> {
  const boot = await measureContainerBoot(docker, spec, options);
  return {
    guest: boot.guest,
    values: containerBootValues(boot.times),
    record: { mainProcess: TIMED_MAIN_PROCESS, boot: boot.times, wallMinusMonotonicNs: boot.wallMinusMonotonicNs },
    async timedShutdown({ signal }) {
      const down = await boot.guest.shutdown({ graceSeconds: STOP_GRACE_SECONDS, signal });
      await boot.events.waitFor('destroy', 1000);
      return { values: containerShutdownValues(down), record: { shutdownTimes: down } };
    },
    async close() {
      boot.events.close();
      await boot.guest.stop().catch(() => undefined);
      return { engineEvents: eventsForRecord(boot.events.events) };
    },
  };
}
