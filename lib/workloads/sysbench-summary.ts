/**
 * Parser for the text summary sysbench 1.0 prints at the end of every test.
 * sysbench has no machine-readable output for the summary, so the text is parsed and kept.
 */
import { ParseError } from '../util/errors.js';

/** The parts of the summary every sysbench 1.0 test prints. */
export interface SysbenchSummary {
  /** sysbench version from the banner, e.g. "1.0.20" */
  version: string;
  /** wall time of the run, seconds */
  totalTime: number;
  /** events completed */
  events: number;
  /** per-request latency, milliseconds */
  latency: {
    min: number;
    avg: number;
    max: number;
    /** percentile as configured by --percentile (null when --percentile=0) */
    percentile: { rank: number; value: number } | null;
    sum: number;
  };
  /** thread fairness */
  fairness: {
    eventsAvg: number;
    eventsStddev: number;
    /** seconds */
    execAvg: number;
    /** seconds */
    execStddev: number;
  };
}

const NUMBER = String.raw`([0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)`;

/** Finds `label: NUMBER` (optionally followed by a unit suffix) and returns the number, or throws. */
export function requireNumber(text: string, label: string, what: string): number {
  const value = findNumber(text, label);
  if (value === undefined) {
    throw new ParseError(
      `sysbench output has no "${label}" line (${what}): is this the output of a completed sysbench 1.0 run?`,
    );
  }
  return value;
}

/** Finds `label: NUMBER` and returns the number, or undefined when the line is absent. */
export function findNumber(text: string, label: string): number | undefined {
  const pattern = new RegExp(`^\\s*${escapeRegExp(label)}:?\\s+${NUMBER}`, 'm');
  const match = pattern.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Parses the banner, general statistics, latency and fairness sections of sysbench 1.0 output. */
export function parseSysbenchSummary(text: string): SysbenchSummary {
  const version = /^sysbench ([0-9][0-9.]*)/m.exec(text)?.[1];
  if (version === undefined) {
    throw new ParseError(
      'sysbench output has no version banner ("sysbench 1.0.x ..."): expected the complete output of `sysbench ... run`',
    );
  }
  if (!version.startsWith('1.')) {
    throw new ParseError(
      `sysbench ${version} is not supported: the parser reads sysbench 1.x output (Debian 12 ships 1.0.20)`,
    );
  }
  const totalTime = /^\s*total time:\s+([0-9.]+)s/m.exec(text)?.[1];
  if (totalTime === undefined) {
    throw new ParseError('sysbench output has no "total time:" line: the run did not complete');
  }
  const latencySection = /^Latency \(ms\):\n((?:[ \t]+.*\n?)+)/m.exec(text)?.[1];
  if (latencySection === undefined) {
    throw new ParseError('sysbench output has no "Latency (ms):" section: the run did not complete');
  }
  const percentile = /^\s*([0-9]+)th percentile:\s+([0-9.]+)/m.exec(latencySection);
  const fairnessEvents = /events \(avg\/stddev\):\s+([0-9.]+)\/([0-9.]+)/.exec(text);
  const fairnessExec = /execution time \(avg\/stddev\):\s+([0-9.]+)\/([0-9.]+)/.exec(text);
  if (!fairnessEvents || !fairnessExec) {
    throw new ParseError('sysbench output has no "Threads fairness:" section: the run did not complete');
  }
  return {
    version,
    totalTime: Number(totalTime),
    events: requireNumber(text, 'total number of events', 'general statistics'),
    latency: {
      min: requireNumber(latencySection, 'min', 'latency'),
      avg: requireNumber(latencySection, 'avg', 'latency'),
      max: requireNumber(latencySection, 'max', 'latency'),
      percentile: percentile ? { rank: Number(percentile[1]), value: Number(percentile[2]) } : null,
      sum: requireNumber(latencySection, 'sum', 'latency'),
    },
    fairness: {
      eventsAvg: Number(fairnessEvents[1]),
      eventsStddev: Number(fairnessEvents[2]),
      execAvg: Number(fairnessExec[1]),
      execStddev: Number(fairnessExec[2]),
    },
  };
}
