/**
 * What a density experiment runs inside each guest: one command and the parser for its output.
 */
import type { GuestScratch } from '../backends/capabilities.js';
import type { Guest } from '../backends/guest.js';
import { CAPABILITY_NAMES } from '../model/backends.js';
import { GuestbenchError } from '../util/errors.js';
import type { MetricName } from '../results/schema.js';
import { cpuCommand, cpuMetrics, parseCpuOutput, type CpuParams } from '../workloads/sysbench-cpu.js';

/** A workload for the density experiments. */
export interface Workload {
  /** short name, used in raw file names */
  name: string;
  /** untimed set-up inside a guest before the timed run (e.g. sysbench fileio prepare) */
  prepare?(guest: Guest, signal?: AbortSignal): Promise<void>;
  /** the timed command */
  command: string[];
  /**
   * the timed command for one guest, where it differs between guests (e.g. a per-guest directory); default `command`
   */
  commandFor?(guest: Guest): string[];
  /** the metric/value pairs in the command's output; throws ParseError on output of a failed run */
  parse(stdout: string): Array<[MetricName, number]>;
  /**
   * untimed tear-down inside a guest after its last repeat, before the guest is stopped, also after
   * a failure or an interruption: whatever the guest's own stop would leave behind (a server started
   * on the bare host, files in a host directory). Gets its own deadline, not the campaign's signal.
   */
  cleanup?(guest: Guest, signal: AbortSignal): Promise<void>;
}

/**
 * The guest's private scratch storage; a workload that writes needs it. A guest without it was
 * started without `GuestSpec.scratch` (the density loop only starts such guests on backends that
 * have the scratch capability).
 */
export function requireScratch(guest: Guest): GuestScratch {
  if (!guest.scratch) {
    throw new GuestbenchError(
      `${guest.spec.name} has no scratch storage: start it with GuestSpec.scratch on a backend that has ${CAPABILITY_NAMES.scratch}`,
    );
  }
  return guest.scratch;
}

/** sysbench cpu with the given parameters. */
export function sysbenchCpuWorkload(params: CpuParams): Workload {
  return {
    name: 'sysbench-cpu',
    command: cpuCommand(params),
    parse: (stdout) => cpuMetrics(parseCpuOutput(stdout)),
  };
}
