import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../lib/util/errors.js';
import {
  oltpMetrics,
  oltpPrepareCommand,
  oltpRunCommand,
  parseOltpOutput,
  type OltpParams,
} from '../../lib/workloads/sysbench-oltp.js';

const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/sysbench/${name}`, import.meta.url), 'utf8');

// Real output of the quick profile's timed run (oltp_read_write, 10,000 rows, 6 threads, 5 s) against
// the guest's own MariaDB, captured by `guestbench run density-mysql` on each backend (the VM under
// TCG); the first line is the server version guestbench prints before sysbench. Expected figures are
// read off each file by eye.
const CASES = [
  {
    file: 'oltp-native.txt',
    reads: 79702,
    writes: 22772,
    other: 11386,
    queries: 113860,
    qps: 22720.24,
    transactions: 5693,
    tps: 1136.01,
    errors: 0,
    totalTime: 5.0093,
    min: 0.96,
    avg: 5.27,
    max: 22.99,
    p95: 9.73,
  },
  {
    file: 'oltp-docker.txt',
    reads: 50568,
    writes: 14448,
    other: 7224,
    queries: 72240,
    qps: 14419.16,
    transactions: 3612,
    tps: 720.96,
    errors: 0,
    totalTime: 5.0077,
    min: 1.1,
    avg: 8.31,
    max: 31.66,
    p95: 15.55,
  },
  {
    file: 'oltp-kvm.txt',
    reads: 1484,
    writes: 424,
    other: 212,
    queries: 2120,
    qps: 409.74,
    transactions: 106,
    tps: 20.49,
    errors: 0,
    totalTime: 5.1602,
    min: 213.92,
    avg: 288.37,
    max: 558.12,
    p95: 475.79,
  },
  {
    file: 'oltp-docker-n2-deadlocks.txt',
    reads: 37828,
    writes: 10803,
    other: 5402,
    queries: 54033,
    qps: 10763.99,
    transactions: 2700,
    tps: 537.87,
    errors: 2,
    totalTime: 5.0186,
    min: 1,
    avg: 11.14,
    max: 365.2,
    p95: 26.68,
  },
] as const;

describe('parseOltpOutput', () => {
  for (const expected of CASES) {
    it(`reads every figure of ${expected.file}`, () => {
      const result = parseOltpOutput(fixture(expected.file));
      expect(result).toMatchObject({
        version: '1.0.20',
        reads: expected.reads,
        writes: expected.writes,
        other: expected.other,
        queries: expected.queries,
        queriesPerSecond: expected.qps,
        transactions: expected.transactions,
        transactionsPerSecond: expected.tps,
        ignoredErrors: expected.errors,
        reconnects: 0,
        totalTime: expected.totalTime,
        // one event per transaction
        events: expected.transactions,
        latency: {
          min: expected.min,
          avg: expected.avg,
          max: expected.max,
          percentile: { rank: 95, value: expected.p95 },
        },
      });
      expect(result.fairness.eventsAvg).toBeCloseTo(expected.transactions / 6, 2);
    });
  }

  it('sees the oltp_read_write transaction shape: 14 reads, 4 writes, 2 other per transaction', () => {
    for (const { file } of CASES) {
      const result = parseOltpOutput(fixture(file));
      // deadlocked (ignored) transactions leave partial queries behind, hence the tolerance
      expect(result.reads / result.transactions).toBeCloseTo(14, 0);
      expect(result.writes / result.transactions).toBeCloseTo(4, 0);
      expect(result.reads + result.writes + result.other).toBe(result.queries);
    }
  });

  it('turns a run into metrics with the thesis names, transactions/s first (the CLI prints it)', () => {
    const metrics = oltpMetrics(parseOltpOutput(fixture('oltp-docker-n2-deadlocks.txt')));
    expect(metrics[0]).toEqual(['transactions_per_s', 537.87]);
    expect(Object.fromEntries(metrics)).toMatchObject({
      reads: 37828,
      writes: 10803,
      other: 5402,
      queries: 54033,
      queries_per_s: 10763.99,
      transactions: 2700,
      errors: 2,
      reconnects: 0,
      events: 2700,
      total_time: 5.0186,
      latency_min: 1,
      latency_avg: 11.14,
      latency_max: 365.2,
      latency_p95: 26.68,
    });
    expect(new Set(metrics.map(([name]) => name)).size).toBe(metrics.length);
  });

  it('rejects the output of a run that could not connect, quoting sysbench', () => {
    const text = fixture('oltp-no-server.txt');
    expect(() => parseOltpOutput(text)).toThrow(ParseError);
    expect(() => parseOltpOutput(text)).toThrow(/SQL statistics.*unable to connect to MySQL server/);
  });

  it('rejects output cut short and the output of other tests', () => {
    expect(() => parseOltpOutput(fixture('oltp-native.txt').split('General statistics')[0] ?? '')).toThrow(
      /total time/,
    );
    expect(() => parseOltpOutput(fixture('fileio-native.txt'))).toThrow(/SQL statistics/);
    expect(() => parseOltpOutput(fixture('cpu-native.txt'))).toThrow(ParseError);
  });
});

describe('sysbench oltp commands', () => {
  const params: OltpParams = { test: 'oltp_read_write', tables: 1, tableSize: 1_000_000, threads: 6, timeSeconds: 60 };

  it('takes the connection (and password) from an option file, never from the command line', () => {
    for (const argv of [
      oltpPrepareCommand(params, '/scratch/mariadb/sysbench.cnf'),
      oltpRunCommand(params, '/scratch/mariadb/sysbench.cnf'),
    ]) {
      expect(argv[1]).toBe('--config-file=/scratch/mariadb/sysbench.cnf');
      expect(argv.join(' ')).not.toMatch(/password|mysql-user|mysql-socket/);
    }
  });

  it('runs the thesis parameters: 1,000,000 rows, 6 threads, 60 s, no request limit', () => {
    expect(oltpPrepareCommand(params, 'c')).toEqual([
      'sysbench',
      '--config-file=c',
      'oltp_read_write',
      '--tables=1',
      '--table-size=1000000',
      'prepare',
    ]);
    expect(oltpRunCommand(params, 'c')).toEqual([
      'sysbench',
      '--config-file=c',
      'oltp_read_write',
      '--tables=1',
      '--table-size=1000000',
      '--threads=6',
      '--time=60',
      '--events=0',
      '--percentile=95',
      'run',
    ]);
  });
});
