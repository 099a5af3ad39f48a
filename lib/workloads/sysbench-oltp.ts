/**
 * The sysbench OLTP workload (thesis section 4.5.3): sysbench 1.0's `oltp_read_write` Lua test
 * against a MariaDB server, its command builders, parser and rows.
 *
 * sysbench 0.4.12's `--test=oltp` (the thesis) and 1.0's `oltp_read_write` run the same transaction:
 * 10 point selects, 4 range selects (simple, sum, order, distinct), 2 updates (index, non-index),
 * 1 delete and 1 insert between BEGIN and COMMIT, i.e. 14 reads, 4 writes and 2 "other" queries per
 * transaction, with one event per transaction. They differ in table name (sbtest vs sbtest1..N),
 * option names (`--oltp-table-size` vs `--table-size`, `--num-threads` vs `--threads`, `--max-time`
 * vs `--time`), output layout, and in that 1.0 retries deadlocks and counts them as "ignored errors".
 */
import type { MetricName } from '../results/schema.js';
import { ParseError } from '../util/errors.js';
import { summaryMetrics } from './sysbench-cpu.js';
import { parseSysbenchSummary, type SysbenchSummary } from './sysbench-summary.js';

/** Parameters of the OLTP table and run. */
export interface OltpParams {
  /** sysbench 1.0 test script (thesis: 0.4.12's oltp in its default complex, read/write mode) */
  test: 'oltp_read_write';
  /** `--tables` (0.4.12 had one table) */
  tables: number;
  /** `--table-size`: rows per table (thesis: 1,000,000) */
  tableSize: number;
  /** `--threads` (thesis: 6) */
  threads: number;
  /** `--time`, seconds (thesis: 60), with `--events=0` (thesis: maximum requests 0) */
  timeSeconds: number;
}

/** The options every phase shares; connection options come from the config file. */
function commonArgs(params: OltpParams, configFile: string): string[] {
  // --config-file first: sysbench reads it as if its lines were given on the command line
  return [
    'sysbench',
    `--config-file=${configFile}`,
    params.test,
    `--tables=${params.tables}`,
    `--table-size=${params.tableSize}`,
  ];
}

/** argv that creates and fills the table(s) (untimed). */
export function oltpPrepareCommand(params: OltpParams, configFile: string): string[] {
  return [...commonArgs(params, configFile), 'prepare'];
}

/** argv of the timed run. */
export function oltpRunCommand(params: OltpParams, configFile: string): string[] {
  return [
    ...commonArgs(params, configFile),
    `--threads=${params.threads}`,
    `--time=${params.timeSeconds}`,
    '--events=0',
    '--percentile=95',
    'run',
  ];
}

/** A parsed sysbench OLTP run. */
export interface OltpResult extends SysbenchSummary {
  /** queries performed, by kind */
  reads: number;
  writes: number;
  /** BEGIN / COMMIT and the like */
  other: number;
  /** all queries */
  queries: number;
  queriesPerSecond: number;
  transactions: number;
  transactionsPerSecond: number;
  /** errors sysbench ignored and retried (deadlocks: MySQL errors 1213, 1020, 1205 by default) */
  ignoredErrors: number;
  reconnects: number;
}

function countAndRate(text: string, label: string): { count: number; rate: number } {
  const match = new RegExp(`^\\s*${label}:\\s+([0-9]+)\\s+\\(([0-9.]+) per sec\\.\\)`, 'm').exec(text);
  if (!match?.[1] || !match[2])
    throw new ParseError(
      `sysbench output has no "${label}:" line with a rate (SQL statistics): the run did not complete`,
    );
  return { count: Number(match[1]), rate: Number(match[2]) };
}

function count(section: string, label: string): number {
  const match = new RegExp(`^\\s*${label}:\\s+([0-9]+)\\s*$`, 'm').exec(section);
  if (!match?.[1])
    throw new ParseError(`sysbench output has no "${label}:" count under "queries performed" (SQL statistics)`);
  return Number(match[1]);
}

/**
 * Parses the output of `sysbench oltp_read_write ... run` (sysbench 1.0). Throws ParseError on the
 * output of a failed run (e.g. no connection) or of another test.
 */
export function parseOltpOutput(text: string): OltpResult {
  const statistics = /^SQL statistics:\n((?:[ \t]+.*\n?)+)/m.exec(text)?.[1];
  if (statistics === undefined) {
    const fatal = /^FATAL: (.*)$/m.exec(text)?.[1];
    throw new ParseError(
      `not the output of a completed sysbench OLTP run: no "SQL statistics:" section${fatal ? ` (sysbench: ${fatal})` : ''}`,
    );
  }
  const summary = parseSysbenchSummary(text);
  const transactions = countAndRate(statistics, 'transactions');
  const queries = countAndRate(statistics, 'queries');
  return {
    ...summary,
    reads: count(statistics, 'read'),
    writes: count(statistics, 'write'),
    other: count(statistics, 'other'),
    queries: queries.count,
    queriesPerSecond: queries.rate,
    transactions: transactions.count,
    transactionsPerSecond: transactions.rate,
    ignoredErrors: countAndRate(statistics, 'ignored errors').count,
    reconnects: countAndRate(statistics, 'reconnects').count,
  };
}

/** The metric/value pairs of an OLTP run (`errors` is sysbench's "ignored errors"). */
export function oltpMetrics(result: OltpResult): Array<[MetricName, number]> {
  return [
    // first: the figure `guestbench run` prints per cell
    ['transactions_per_s', result.transactionsPerSecond],
    ...summaryMetrics(result),
    ['reads', result.reads],
    ['writes', result.writes],
    ['other', result.other],
    ['queries', result.queries],
    ['queries_per_s', result.queriesPerSecond],
    ['transactions', result.transactions],
    ['errors', result.ignoredErrors],
    ['reconnects', result.reconnects],
  ];
}
