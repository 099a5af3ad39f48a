import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../lib/util/errors.js';
import {
  fileioCleanupCommand,
  fileioMetrics,
  fileioPrepareCommand,
  fileioRunCommand,
  parseFileioOutput,
  type FileioParams,
} from '../../lib/workloads/sysbench-fileio.js';

const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/sysbench/${name}`, import.meta.url), 'utf8');

// Real output of the quick profile's timed run (256 MiB file set, 128 files, rndrw, sync, O_DIRECT,
// 5 s), captured by `guestbench run density-fileio` on each backend (the VM under TCG); the expected
// figures are read off each file by eye.
const CASES = [
  {
    file: 'fileio-native.txt',
    totalTime: 5.0099,
    events: 52502,
    reads: 2760.52,
    writes: 1840.41,
    fsyncs: 5898.9,
    readMiB: 43.13,
    writtenMiB: 28.76,
    min: 0.03,
    avg: 0.09,
    max: 8.5,
    p95: 0.18,
  },
  {
    file: 'fileio-docker.txt',
    totalTime: 5.0157,
    events: 51706,
    reads: 2713.53,
    writes: 1809.02,
    fsyncs: 5804.41,
    readMiB: 42.4,
    writtenMiB: 28.27,
  },
  {
    file: 'fileio-kvm.txt',
    totalTime: 5.0551,
    events: 8252,
    reads: 432,
    writes: 288.13,
    fsyncs: 935.93,
    readMiB: 6.75,
    writtenMiB: 4.5,
    min: 0.11,
    avg: 0.59,
    max: 8.99,
    p95: 1.18,
  },
] as const;

describe('parseFileioOutput', () => {
  for (const expected of CASES) {
    it(`reads every figure of ${expected.file}`, () => {
      const result = parseFileioOutput(fixture(expected.file));
      expect(result.version).toBe('1.0.20');
      expect(result.extraFlags).toBe('directio');
      expect(result.totalTime).toBe(expected.totalTime);
      expect(result.events).toBe(expected.events);
      expect([result.readsPerSecond, result.writesPerSecond, result.fsyncsPerSecond]).toEqual([
        expected.reads,
        expected.writes,
        expected.fsyncs,
      ]);
      expect([result.readMiBPerSecond, result.writtenMiBPerSecond]).toEqual([expected.readMiB, expected.writtenMiB]);
      if ('p95' in expected)
        expect(result.latency).toMatchObject({
          min: expected.min,
          avg: expected.avg,
          max: expected.max,
          percentile: { rank: 95, value: expected.p95 },
        });
    });

    it(`derives counts from ${expected.file} that sum to its exact event count, in the printed proportions`, () => {
      const result = parseFileioOutput(fixture(expected.file));
      expect(result.reads + result.writes + result.fsyncs).toBe(result.events);
      const seconds = result.events / (expected.reads + expected.writes + expected.fsyncs);
      // within a few requests of rate x the workers' interval, which is shorter than "total time"
      expect(Math.abs(result.reads - expected.reads * seconds)).toBeLessThan(2);
      expect(Math.abs(result.fsyncs - expected.fsyncs * seconds)).toBeLessThan(3);
      expect(seconds).toBeLessThanOrEqual(result.totalTime);
      // sysbench's default read/write ratio, 1.5
      expect(result.reads / result.writes).toBeCloseTo(1.5, 1);
    });
  }

  it('turns a run into the thesis-comparable metrics, the throughput first (the CLI prints it)', () => {
    const metrics = fileioMetrics(parseFileioOutput(fixture('fileio-kvm.txt')));
    expect(metrics[0]).toEqual(['total_mib_per_s', 11.25]);
    const byName = Object.fromEntries(metrics);
    expect(byName).toMatchObject({
      total_time: 5.0551,
      events: 8252,
      requests_per_s: 720.13,
      reads_per_s: 432,
      writes_per_s: 288.13,
      fsyncs_per_s: 935.93,
      read_mib_per_s: 6.75,
      written_mib_per_s: 4.5,
      latency_p95: 1.18,
    });
    expect(byName.requests).toBe((byName.reads ?? 0) + (byName.writes ?? 0));
    expect(new Set(metrics.map(([name]) => name)).size).toBe(metrics.length);
  });

  it('rejects the output of a run without its file set, naming what is missing', () => {
    const text = fixture('fileio-no-files.txt');
    expect(text).toContain('FATAL: Cannot open file');
    expect(() => parseFileioOutput(text)).toThrow(ParseError);
    expect(() => parseFileioOutput(text)).toThrow(/File operations/);
  });

  it('rejects output cut short before the summary', () => {
    const cut = fixture('fileio-docker.txt').split('General statistics')[0] ?? '';
    expect(() => parseFileioOutput(cut)).toThrow(/total time/);
  });

  it('rejects the output of another sysbench test', () => {
    expect(() => parseFileioOutput(fixture('cpu-native.txt'))).toThrow(/File operations/);
    expect(() => parseFileioOutput(fixture('oltp-native.txt'))).toThrow(ParseError);
  });
});

describe('sysbench fileio commands', () => {
  const params: FileioParams = {
    fileTotalBytes: 10 * 2 ** 30,
    fileNum: 128,
    blockBytes: 16384,
    testMode: 'rndrw',
    ioMode: 'sync',
    direct: false,
    fsyncFreq: 100,
    fsyncEnd: true,
    rwRatio: 1.5,
    threads: 1,
    timeSeconds: 300,
  };

  it('gives prepare, run and cleanup the same file set', () => {
    const set = ['--file-total-size=10737418240', '--file-num=128', '--file-block-size=16384'];
    expect(fileioPrepareCommand(params)).toEqual(['sysbench', 'fileio', ...set, 'prepare']);
    expect(fileioCleanupCommand(params)).toEqual(['sysbench', 'fileio', ...set, 'cleanup']);
    expect(fileioRunCommand(params).slice(0, 5)).toEqual(['sysbench', 'fileio', ...set]);
  });

  it('runs the thesis test (random r/w, sync) for a time with no request limit, fsync settings explicit', () => {
    expect(fileioRunCommand(params)).toEqual([
      'sysbench',
      'fileio',
      '--file-total-size=10737418240',
      '--file-num=128',
      '--file-block-size=16384',
      '--file-test-mode=rndrw',
      '--file-io-mode=sync',
      '--file-fsync-freq=100',
      '--file-fsync-end=on',
      '--file-rw-ratio=1.5',
      '--threads=1',
      '--time=300',
      '--events=0',
      '--percentile=95',
      'run',
    ]);
  });

  it('asks for O_DIRECT only when told to', () => {
    expect(fileioRunCommand({ ...params, direct: true })).toContain('--file-extra-flags=direct');
    expect(fileioRunCommand(params).join(' ')).not.toContain('direct');
  });
});
