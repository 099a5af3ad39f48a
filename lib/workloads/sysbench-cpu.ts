/**
 * The sysbench cpu workload (thesis section 4.5.1): command builder, parser and the rows it yields.
 */
import type { MetricName } from '../results/schema.js';
import { ParseError } from '../util/errors.js';
import { parseSysbenchSummary, requireNumber, type SysbenchSummary } from './sysbench-summary.js';

/** Parameters of one sysbench cpu run. */
export interface CpuParams {
  /** upper bound of the prime search (thesis: 30000) */
  maxPrime: number;
  /** requests to complete; the thesis's sysbench 0.4.12 stopped after its default 10000 */
  events: number;
  /** worker threads (thesis: 1) */
  threads: number;
}

/** argv for sysbench 1.0: a fixed number of events and no time limit, like 0.4.12's `--max-requests`. */
export function cpuCommand(params: CpuParams): string[] {
  return [
    'sysbench',
    'cpu',
    `--cpu-max-prime=${params.maxPrime}`,
    `--events=${params.events}`,
    '--time=0',
    `--threads=${params.threads}`,
    '--percentile=95',
    'run',
  ];
}

/** A parsed sysbench cpu run. */
export interface CpuResult extends SysbenchSummary {
  /** events per second as sysbench reports it */
  eventsPerSecond: number;
}

/** Parses the output of `sysbench cpu ... run` (sysbench 1.0). */
export function parseCpuOutput(text: string): CpuResult {
  if (!/^Prime numbers limit:/m.test(text)) {
    throw new ParseError('not the output of `sysbench cpu run`: no "Prime numbers limit" line');
  }
  return { ...parseSysbenchSummary(text), eventsPerSecond: requireNumber(text, 'events per second', 'CPU speed') };
}

/** The metric/value pairs of a sysbench run that every test shares. */
export function summaryMetrics(summary: SysbenchSummary): Array<[MetricName, number]> {
  const rows: Array<[MetricName, number]> = [
    ['total_time', summary.totalTime],
    ['events', summary.events],
    ['latency_min', summary.latency.min],
    ['latency_avg', summary.latency.avg],
    ['latency_max', summary.latency.max],
  ];
  if (summary.latency.percentile?.rank === 95) rows.push(['latency_p95', summary.latency.percentile.value]);
  rows.push(
    ['latency_sum', summary.latency.sum],
    ['fairness_events_avg', summary.fairness.eventsAvg],
    ['fairness_events_stddev', summary.fairness.eventsStddev],
    ['fairness_exec_avg', summary.fairness.execAvg],
    ['fairness_exec_stddev', summary.fairness.execStddev],
  );
  return rows;
}

/** The metric/value pairs of a sysbench cpu run, ready to become samples. */
export function cpuMetrics(result: CpuResult): Array<[MetricName, number]> {
  return [...summaryMetrics(result), ['events_per_s', result.eventsPerSecond]];
}
