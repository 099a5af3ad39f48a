/**
 * What a density experiment runs inside each guest: one command and the parser for its output.
 */
import type { Guest } from '../backends/guest.js';
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
  /** the metric/value pairs in the command's output; throws ParseError on output of a failed run */
  parse(stdout: string): Array<[MetricName, number]>;
}

/** sysbench cpu with the given parameters. */
export function sysbenchCpuWorkload(params: CpuParams): Workload {
  return {
    name: 'sysbench-cpu',
    command: cpuCommand(params),
    parse: (stdout) => cpuMetrics(parseCpuOutput(stdout)),
  };
}
