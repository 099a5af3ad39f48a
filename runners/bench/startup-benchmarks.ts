/**
 * (e) The CLI's start-up, each command's wall time over `node -e 0` spawned in the same loop (A and B
 * alternate, so a busy machine slows both):
 *   (e1) `guestbench --version`: target <= 3
 *   (e2) `guestbench --help`: target <= 3
 *   (e3) `guestbench report` on an unchanged report (built once first, not timed): target <= 5
 *   (e4) `guestbench run density-cpu --backends native --guests 1 --repeats 1` until its first
 *        progress line (no target: what a user waits before anything is said)
 * Every child is the real bin/guestbench.js in its own node process, as a user runs it.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { packageRoot } from '../../lib/util/paths.js';
import { pairedRatio, type RatioResult } from './ratio.js';

/** How a timed child ends: at its exit (status 0 required), or at the first stderr line matching. */
type Until = { exit: true } | { line: RegExp };

/** Seconds from spawning `node ARGS` until `until`; a child stopped at a line is still waited for (not timed). */
export function timeNode(args: readonly string[], until: Until = { exit: true }): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let seen: number | undefined;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (seen === undefined && 'line' in until && until.line.test(stderr))
        seen = Number(process.hrtime.bigint() - started) / 1e9;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
      if (code !== 0)
        reject(new Error(`node ${args.join(' ')} exited with code ${code}: ${stderr.trim().slice(-400)}`));
      else if ('exit' in until) resolve(elapsed);
      else if (seen !== undefined) resolve(seen);
      else reject(new Error(`node ${args.join(' ')} never printed a line matching ${String(until.line)}`));
    });
  });
}

/**
 * The four start-up ratios; `pairs` alternating rounds each (the report's first build is untimed).
 * `bin`: the CLI measured (default this checkout's; another checkout's to compare two versions).
 */
export async function startupSpeed(
  log: (line: string) => void,
  pairs = 7,
  bin = path.join(packageRoot(), 'bin', 'guestbench.js'),
): Promise<RatioResult[]> {
  const baseline = { label: 'node -e 0', run: () => timeNode(['-e', '0']) };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-bench-startup-'));
  try {
    const results: RatioResult[] = [];
    const cli = async (
      name: string,
      label: string,
      args: string[],
      target: RatioResult['target'] | undefined,
      until?: Until,
    ): Promise<void> => {
      const result = await pairedRatio({
        name,
        a: { label, run: () => timeNode([bin, ...args], until) },
        b: baseline,
        unit: 's',
        pairs,
        ...(target ? { target } : {}),
      });
      results.push(result);
    };
    await cli('(e1) guestbench --version / node -e 0', 'guestbench --version', ['--version'], { op: '<=', value: 3 });
    await cli('(e2) guestbench --help / node -e 0', 'guestbench --help', ['--help'], { op: '<=', value: 3 });
    // the committed example campaigns (an empty results directory), built once, then re-reported
    const examples = path.join(work, 'results');
    fs.mkdirSync(examples);
    const report = ['report', '--results', examples, '--out', path.join(work, 'report')];
    log('(e3) building the report once (not timed) ...');
    await timeNode([bin, ...report]);
    await cli('(e3) unchanged guestbench report / node -e 0', 'guestbench report, nothing changed', report, {
      op: '<=',
      value: 5,
    });
    const campaigns = path.join(work, 'campaigns');
    const run = ['run', 'density-cpu', '--backends', 'native', '--guests', '1', '--repeats', '1'];
    await cli(
      '(e4) guestbench run density-cpu (native) until its first progress line / node -e 0',
      `guestbench ${run.join(' ')} until its first progress line`,
      [...run, '--results', campaigns],
      undefined,
      { line: /progress: / },
    );
    return results;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
