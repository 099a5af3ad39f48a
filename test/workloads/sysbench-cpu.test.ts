import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cpuCommand, cpuMetrics, parseCpuOutput } from '../../lib/workloads/sysbench-cpu.js';
import { ParseError } from '../../lib/util/errors.js';

const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/sysbench/${name}`, import.meta.url), 'utf8');

// Real output of `sysbench cpu --cpu-max-prime=2000 --events=200 --time=0 --percentile=95 run`
// captured on each backend; the expected numbers are read off each file by eye.
const CASES = [
  {
    file: 'cpu-native.txt',
    totalTime: 0.0076,
    events: 200,
    eventsPerSecond: 20970.52,
    min: 0.03,
    avg: 0.04,
    max: 0.2,
    p95: 0.04,
    sum: 7.2,
    execAvg: 0.0072,
  },
  {
    file: 'cpu-docker.txt',
    totalTime: 0.0083,
    events: 200,
    eventsPerSecond: 20888.11,
    min: 0.03,
    avg: 0.04,
    max: 0.22,
    p95: 0.06,
    sum: 7.66,
    execAvg: 0.0077,
  },
] as const;

describe('parseCpuOutput', () => {
  for (const expected of CASES) {
    it(`reads every summary figure of ${expected.file}`, () => {
      const result = parseCpuOutput(fixture(expected.file));
      expect(result.version).toBe('1.0.20');
      expect(result.totalTime).toBe(expected.totalTime);
      expect(result.events).toBe(expected.events);
      expect(result.eventsPerSecond).toBe(expected.eventsPerSecond);
      expect(result.latency).toEqual({
        min: expected.min,
        avg: expected.avg,
        max: expected.max,
        percentile: { rank: 95, value: expected.p95 },
        sum: expected.sum,
      });
      expect(result.fairness.eventsAvg).toBe(expected.events);
      expect(result.fairness.execAvg).toBe(expected.execAvg);
    });
  }

  it('turns a run into snake_case metrics with the thesis names', () => {
    const metrics = Object.fromEntries(cpuMetrics(parseCpuOutput(fixture('cpu-native.txt'))));
    expect(metrics).toMatchObject({
      total_time: 0.0076,
      events: 200,
      events_per_s: 20970.52,
      latency_min: 0.03,
      latency_avg: 0.04,
      latency_max: 0.2,
      latency_p95: 0.04,
    });
  });

  it('rejects output cut short before the summary', () => {
    const cut = fixture('cpu-native.txt').split('General statistics')[0] ?? '';
    expect(() => parseCpuOutput(cut)).toThrow(ParseError);
    expect(() => parseCpuOutput(cut)).toThrow(/total time/);
  });

  it('rejects the output of another sysbench test', () => {
    expect(() =>
      parseCpuOutput('sysbench 1.0.20 (using system LuaJIT 2.1.0-beta3)\nExtra file open flags: (none)\n'),
    ).toThrow(/Prime numbers limit/);
  });

  it('rejects sysbench 0.4 output with a message naming the supported version', () => {
    expect(() =>
      parseCpuOutput('sysbench 0.4.12:  multi-threaded system evaluation benchmark\nPrime numbers limit: 30000\n'),
    ).toThrow(/1\.x/);
  });
});

describe('cpuCommand', () => {
  it('asks sysbench 1.0 for a fixed number of events with no time limit, like 0.4.12 did', () => {
    expect(cpuCommand({ maxPrime: 30000, events: 10000, threads: 1 })).toEqual([
      'sysbench',
      'cpu',
      '--cpu-max-prime=30000',
      '--events=10000',
      '--time=0',
      '--threads=1',
      '--percentile=95',
      'run',
    ]);
  });
});
