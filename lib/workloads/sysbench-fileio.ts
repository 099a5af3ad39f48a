/**
 * The sysbench fileio workload (thesis section 4.5.2): command builders, parser and the rows it
 * yields. sysbench 1.0.20 prints rates only; the counts the thesis plots (reads, writes) are derived
 * from them and the exact event count (see {@link parseFileioOutput}).
 */
import type { MetricName } from '../results/schema.js';
import { ParseError } from '../util/errors.js';
import { summaryMetrics } from './sysbench-cpu.js';
import { parseSysbenchSummary, requireNumber, type SysbenchSummary } from './sysbench-summary.js';

/** Parameters of one sysbench fileio file set and run (sysbench 1.0 option names in the docs). */
export interface FileioParams {
  /** `--file-total-size`: the whole file set of one guest, bytes */
  fileTotalBytes: number;
  /** `--file-num` (sysbench default 128, the thesis kept it) */
  fileNum: number;
  /** `--file-block-size`, bytes (default 16384) */
  blockBytes: number;
  /** `--file-test-mode` (thesis: random read/write) */
  testMode: 'rndrw';
  /** `--file-io-mode` (thesis: synchronous) */
  ioMode: 'sync';
  /** `--file-extra-flags=direct`: open with O_DIRECT, bypassing the page cache */
  direct: boolean;
  /** `--file-fsync-freq`: fsync every file after this many requests; 0 never (default 100) */
  fsyncFreq: number;
  /** `--file-fsync-end`: fsync at the end of the run (default on) */
  fsyncEnd: boolean;
  /** `--file-rw-ratio` (default 1.5; the thesis's 20912 reads / 13941 writes is 1.50) */
  rwRatio: number;
  /** `--threads` (default 1; the thesis set none) */
  threads: number;
  /** `--time`: run length, seconds (thesis: 300), with `--events=0` (no request limit) */
  timeSeconds: number;
}

/** The options that shape the file set: prepare, run and cleanup must all get the same ones. */
function fileSetArgs(params: FileioParams): string[] {
  return [
    `--file-total-size=${params.fileTotalBytes}`,
    `--file-num=${params.fileNum}`,
    `--file-block-size=${params.blockBytes}`,
  ];
}

/** argv that creates the file set in the current directory (untimed). */
export function fileioPrepareCommand(params: FileioParams): string[] {
  return ['sysbench', 'fileio', ...fileSetArgs(params), 'prepare'];
}

/** argv of the timed run, in the directory holding the file set. */
export function fileioRunCommand(params: FileioParams): string[] {
  return [
    'sysbench',
    'fileio',
    ...fileSetArgs(params),
    `--file-test-mode=${params.testMode}`,
    `--file-io-mode=${params.ioMode}`,
    ...(params.direct ? ['--file-extra-flags=direct'] : []),
    `--file-fsync-freq=${params.fsyncFreq}`,
    `--file-fsync-end=${params.fsyncEnd ? 'on' : 'off'}`,
    `--file-rw-ratio=${params.rwRatio}`,
    `--threads=${params.threads}`,
    `--time=${params.timeSeconds}`,
    '--events=0',
    '--percentile=95',
    'run',
  ];
}

/** argv that removes the file set (untimed). */
export function fileioCleanupCommand(params: FileioParams): string[] {
  return ['sysbench', 'fileio', ...fileSetArgs(params), 'cleanup'];
}

/** A parsed sysbench fileio run. */
export interface FileioResult extends SysbenchSummary {
  /** "Extra file open flags": e.g. "directio", or "(none)" */
  extraFlags: string;
  /** per second over the run, as printed */
  readsPerSecond: number;
  writesPerSecond: number;
  fsyncsPerSecond: number;
  /** MiB/s as printed */
  readMiBPerSecond: number;
  writtenMiBPerSecond: number;
  /**
   * Counts derived from the rates: sysbench 1.0.20 prints no counts, and its rates are per the
   * workers' own interval (slightly shorter than "total time"), so the rates are scaled to sum to
   * the exact event count (every read, write and fsync is one event). Off by at most a few.
   */
  reads: number;
  writes: number;
  fsyncs: number;
}

/**
 * Parses the output of `sysbench fileio ... run` (sysbench 1.0). Throws ParseError on the output
 * of a failed or incomplete run, or of another test.
 */
export function parseFileioOutput(text: string): FileioResult {
  if (!/^File operations:/m.test(text)) {
    throw new ParseError('not the output of a completed `sysbench fileio run`: no "File operations:" section');
  }
  const summary = parseSysbenchSummary(text);
  const extraFlags = /^Extra file open flags:\s*(.*)$/m.exec(text)?.[1]?.trim() ?? '(none)';
  const readsPerSecond = requireNumber(text, 'reads/s', 'file operations');
  const writesPerSecond = requireNumber(text, 'writes/s', 'file operations');
  const fsyncsPerSecond = requireNumber(text, 'fsyncs/s', 'file operations');
  const rateSum = readsPerSecond + writesPerSecond + fsyncsPerSecond;
  const seconds = rateSum > 0 ? summary.events / rateSum : 0;
  const reads = Math.round(readsPerSecond * seconds);
  const writes = Math.round(writesPerSecond * seconds);
  return {
    ...summary,
    extraFlags,
    readsPerSecond,
    writesPerSecond,
    fsyncsPerSecond,
    readMiBPerSecond: requireNumber(text, 'read, MiB/s', 'throughput'),
    writtenMiBPerSecond: requireNumber(text, 'written, MiB/s', 'throughput'),
    reads,
    writes,
    // the remainder, so the three counts sum to the exact event count
    fsyncs: Math.max(0, summary.events - reads - writes),
  };
}

/**
 * The metric/value pairs of a fileio run. Besides what sysbench prints: `requests` is reads + writes
 * (sysbench 0.4's fileio event count, which the thesis plots as "events"; 1.0's events include
 * fsyncs), `requests_per_s` is reads/s + writes/s (0.4's "Requests/sec executed") and
 * `total_mib_per_s` is read + written MiB/s (0.4's "Total transferred ... (x Mb/sec)", the thesis's
 * "speed").
 */
export function fileioMetrics(result: FileioResult): Array<[MetricName, number]> {
  return [
    // first: the figure `guestbench run` prints per cell
    ['total_mib_per_s', round2(result.readMiBPerSecond + result.writtenMiBPerSecond)],
    ...summaryMetrics(result),
    ['requests', result.reads + result.writes],
    ['reads', result.reads],
    ['writes', result.writes],
    ['fsyncs', result.fsyncs],
    ['reads_per_s', result.readsPerSecond],
    ['writes_per_s', result.writesPerSecond],
    ['fsyncs_per_s', result.fsyncsPerSecond],
    ['requests_per_s', round2(result.readsPerSecond + result.writesPerSecond)],
    ['read_mib_per_s', result.readMiBPerSecond],
    ['written_mib_per_s', result.writtenMiBPerSecond],
  ];
}

// sums of two 2-decimal figures, without binary floating-point tails
function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
