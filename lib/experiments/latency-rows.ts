/**
 * Timings of one guest's start and stop (monotonic clock, nanoseconds) turned into metric values in
 * seconds: pure functions, unit-tested. Which interval each metric is: lib/results/schema.ts METRICS
 * and docs/latency.md.
 */
import { METRICS, type Accel, type BackendName, type MetricName, type Sample } from '../results/schema.js';

/** One VM boot (monotonic clock, nanoseconds). */
export interface VmBootTimes {
  /** just before the launch request (KvmBackend.start) */
  requestedNs: bigint;
  /** QMP answered: QEMU is up */
  qmpNs: bigint;
  /** the runner read the init's ready marker in the console file */
  markerNs: bigint;
  /** the guest agent answered */
  agentNs: bigint;
  /** the guest kernel's uptime printed with the marker, seconds (guest clock) */
  guestUptimeAtMarker: number | undefined;
}

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

/** One VM clean shutdown (monotonic clock, nanoseconds). */
export interface VmShutdownTimes {
  requestedNs: bigint;
  /** QMP SHUTDOWN (the guest powered off); undefined if not seen */
  poweredOffNs: bigint | undefined;
  /** QEMU exited */
  exitedNs: bigint;
}

/** One container stop (monotonic clock, nanoseconds) and how its main process ended. */
export interface ContainerShutdownTimes {
  requestedNs: bigint;
  /** the engine answered the stop request */
  stoppedNs: bigint;
  /** 137 = SIGKILL after the grace period */
  exitCode: number;
}

/** `to - from` in seconds. */
export function seconds(from: bigint, to: bigint): number {
  return Number(to - from) / 1e9;
}

type Values = Array<[MetricName, number]>;

/** boot_time (launch -> marker) and its phases; phase_agent is the step after "ready". */
export function vmBootValues(times: VmBootTimes): Values {
  const values: Values = [
    ['boot_time', seconds(times.requestedNs, times.markerNs)],
    ['phase_vmm', seconds(times.requestedNs, times.qmpNs)],
    ['phase_guest', seconds(times.qmpNs, times.markerNs)],
    ['phase_agent', seconds(times.markerNs, times.agentNs)],
  ];
  if (times.guestUptimeAtMarker !== undefined) values.push(['guest_uptime_at_marker', times.guestUptimeAtMarker]);
  return values;
}

/**
 * boot_time (create request -> marker) = create + attach + start (start request -> marker), and the
 * engine's view beside the runner's: create request -> engine `start` event, and that event -> the
 * start reply (the harness's lag behind the engine).
 */
export function containerBootValues(times: ContainerBootTimes): Values {
  const values: Values = [
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

/** shutdown_time (request -> QEMU exited) and its two phases. */
export function vmShutdownValues(times: VmShutdownTimes): Values {
  const values: Values = [['shutdown_time', seconds(times.requestedNs, times.exitedNs)]];
  if (times.poweredOffNs !== undefined) {
    values.push(['phase_poweroff', seconds(times.requestedNs, times.poweredOffNs)]);
    values.push(['phase_vmm_exit', seconds(times.poweredOffNs, times.exitedNs)]);
  }
  return values;
}

/** shutdown_time (stop request -> stopped) and whether the engine had to kill the main process. */
export function containerShutdownValues(times: ContainerShutdownTimes): Values {
  return [
    ['shutdown_time', seconds(times.requestedNs, times.stoppedNs)],
    ['shutdown_killed', times.exitCode === 137 ? 1 : 0],
  ];
}

/** The identity of one measurement: every row of it shares these fields. */
export interface MeasurementCell {
  campaign: string;
  experiment: string;
  backend: BackendName;
  accel: Accel;
  /** guests already running (N) */
  guests: number;
  repeat: number;
  /** raw record of the measurement, relative to the campaign directory */
  raw?: string;
}

/** Rows of measured values; the measured guest is guest N + 1 (the one more guest). */
export function okRows(cell: MeasurementCell, values: Values, at = new Date().toISOString()): Sample[] {
  return values.map(([metric, value]) => ({
    campaign: cell.campaign,
    experiment: cell.experiment,
    backend: cell.backend,
    accel: cell.accel,
    guests: cell.guests,
    guest: cell.guests + 1,
    repeat: cell.repeat,
    metric,
    value,
    unit: METRICS[metric],
    at,
    state: 'ok' as const,
    ...(cell.raw === undefined ? {} : { raw: cell.raw }),
  }));
}

/** One valueless row (errored: the run failed; unsupported: the host cannot do it), with the reason. */
export function valuelessRow(
  cell: MeasurementCell,
  metric: MetricName,
  state: 'errored' | 'unsupported',
  reason: string,
  at = new Date().toISOString(),
): Sample {
  return {
    campaign: cell.campaign,
    experiment: cell.experiment,
    backend: cell.backend,
    accel: cell.accel,
    guests: cell.guests,
    guest: state === 'unsupported' ? 0 : cell.guests + 1,
    repeat: cell.repeat,
    metric,
    value: null,
    unit: METRICS[metric],
    at,
    state,
    reason,
    ...(cell.raw === undefined ? {} : { raw: cell.raw }),
  };
}
