/**
 * The report as a reader gets it: built once by the CLI from the committed example campaigns (an
 * empty results directory, as on Binder), every page opened from file:// in headless Chromium.
 * The same build then serves the layout check of every figure (test/helpers/figure-layout.ts), the
 * re-report and the interruption checks.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNotebook } from '../../lib/notebook/notebook-file.js';
import { loadClaims } from '../../lib/thesis/index.js';
import { PLOTLY_BUNDLE_MARKER } from '../../lib/notebook/plotly-html.js';
import { browserSkipReason, distinctColours, launchBrowser, outsideRequests, visit } from '../helpers/browser.js';
import { layoutProblems, measureFigures } from '../helpers/figure-layout.js';
import { notebookSkipReason, repoRoot } from '../helpers/notebooks.js';
import { compileIfStale } from '../helpers/compiled-library.js';

const skip = notebookSkipReason ?? browserSkipReason;
const BIN = path.join(repoRoot, 'bin/guestbench.js');
const NOTEBOOKS = fs.readdirSync(path.join(repoRoot, 'notebooks')).filter((name) => name.endsWith('.ipynb'));
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-report-'));
const results = path.join(work, 'results');
const out = path.join(work, 'report');
const report = (...args: string[]) =>
  execa('node', [BIN, 'report', '--results', results, '--out', out, ...args], { reject: false, all: true });

let first: { seconds: number; stdout: string; exitCode: number | undefined; all: string };
let browser: Browser | undefined;
let measured = 0;

beforeAll(async () => {
  if (skip) return;
  fs.mkdirSync(results);
  await compileIfStale();
  const started = Date.now();
  const run = await report();
  first = { seconds: (Date.now() - started) / 1000, stdout: run.stdout, exitCode: run.exitCode, all: run.all };
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const childrenOf = async (pid: number | undefined): Promise<number[]> =>
  pid === undefined
    ? []
    : (await execa('pgrep', ['-P', String(pid)], { reject: false })).stdout.split('\n').filter(Boolean).map(Number);

/** The grandchildren of `pid` (a report's kernels: children of its workers), waiting up to 30 s for one. */
async function kernelsOf(pid: number | undefined): Promise<number[]> {
  let kernels: number[] = [];
  for (let waited = 0; waited < 30_000 && kernels.length === 0; waited += 200) {
    kernels = (await Promise.all((await childrenOf(pid)).map(childrenOf))).flat();
    await pause(200);
  }
  return kernels;
}

/** Those of `pids` still running after up to `ms` (given to exit and be reaped). */
async function stillAlive(pids: readonly number[], ms: number): Promise<number[]> {
  let alive = [...pids];
  for (let waited = 0; waited < ms && alive.length > 0; waited += 100) {
    await pause(100);
    alive = pids.filter((pid) => fs.existsSync(`/proc/${pid}`));
  }
  return alive;
}

describe.skipIf(skip !== undefined)('guestbench report on the example campaigns', () => {
  it('builds every page without a failing cell', () => {
    expect(first.exitCode, first.all).toBe(0);
    expect(first.stdout).toContain(`${NOTEBOOKS.length} of ${NOTEBOOKS.length} notebook(s) executed`);
    console.log(`full report: ${first.seconds.toFixed(1)} s`);
  });

  it('keeps one plotly per folder, executed notebooks without the bundle and with numbered cells', () => {
    expect(fs.existsSync(path.join(out, 'plotly.min.js'))).toBe(true);
    for (const name of NOTEBOOKS) {
      const text = fs.readFileSync(path.join(out, name), 'utf8');
      expect(text, name).not.toContain(PLOTLY_BUNDLE_MARKER);
      expect(text.length, name).toBeLessThan(1_000_000);
      const code = readNotebook(path.join(out, name)).cells.filter((cell) => cell.cell_type === 'code');
      expect(
        code.map((cell) => cell.execution_count),
        name,
      ).toEqual(code.map((_, index) => index + 1));
      expect(fs.readFileSync(path.join(out, name.replace('.ipynb', '.html')), 'utf8'), name).not.toContain(
        'In&nbsp;[&nbsp;]',
      );
    }
  });

  it('injects the parameters after the parameters cell, leaving the committed notebooks as they were', async () => {
    const executed = readNotebook(path.join(out, '01-density-cpu.ipynb')).cells.filter(
      (cell) => cell.cell_type === 'code',
    );
    expect(executed[0]?.metadata?.tags).toEqual(['parameters']);
    expect(executed[1]?.metadata?.tags).toEqual(['injected-parameters']);
    expect(executed[1]?.source).toContain(`let results = ${JSON.stringify(results)};`);
    const diff = await execa('git', ['status', '--porcelain', 'notebooks'], { cwd: repoRoot });
    expect(diff.stdout).toBe('');
  });

  it('says on the index and on each page that the campaigns are examples from another host', () => {
    const index = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    for (const name of NOTEBOOKS) expect(index).toContain(`href="${name.replace('.ipynb', '.html')}"`);
    expect(index).toContain('example from another host');
    expect(fs.readFileSync(path.join(out, '01-density-cpu.html'), 'utf8')).toContain('Examples from another host');
    // the claims table: one row per claim of data/thesis/claims.jsonl, each with a verdict
    const claims = index.slice(index.indexOf('<section id="claims">'));
    expect(claims.match(/data-claim="/g)?.length).toBe(loadClaims().length);
    expect(claims).toMatch(/data-verdict="(holds|fails|inconclusive|not measured)"/);
  });

  it('opens every page offline: no console error, nothing outside file:, every figure drawn', async () => {
    const pages = ['index.html', ...NOTEBOOKS.map((name) => name.replace('.ipynb', '.html'))];
    for (const name of pages) {
      const page = await visit(browser as Browser, `file://${path.join(out, name)}`, {
        // every figure div got its plotly SVG
        ready: `[...document.querySelectorAll('.guestbench-figure')].every((div) => div.classList.contains('js-plotly-plot') && div.querySelector('svg.main-svg'))`,
      });
      const figures = await page.page.$$eval('.guestbench-figure', (divs) => divs.length);
      const drawn = await page.page.$$eval('.js-plotly-plot', (divs) => divs.filter((div) => div.querySelector('svg')).length);
      expect(page.errors, name).toEqual([]);
      expect(outsideRequests(page), name).toEqual([]);
      expect(drawn, name).toBe(figures);
      if (name === '01-density-cpu.html') {
        expect(figures).toBeGreaterThanOrEqual(4);
        const png = await page.page.screenshot({ fullPage: false });
        fs.writeFileSync(path.join(work, 'page.png'), png);
        expect(await distinctColours(page.page, png)).toBeGreaterThan(10);
      }
      await page.page.close();
    }
  });

  // the layout check (issue 15), on the same build: every figure of every page as a reader sees it
  it.each(NOTEBOOKS.map((name) => name.replace('.ipynb', '.html')))(
    '%s: no text box overlaps another or the plot, leaves its figure, or is cut short; every axis has ticks',
    async (name) => {
      const page = await visit(browser as Browser, `file://${path.join(out, name)}`, {
        ready: `[...document.querySelectorAll('.guestbench-figure')].every((div) => div.querySelector('svg.main-svg .xtick, svg.main-svg .ytick'))`,
      });
      const layouts = await measureFigures(page.page);
      await page.page.close();
      const problems = layouts.flatMap((figure, index) =>
        layoutProblems(figure, layouts[index + 1]).map((problem) => `${name}, ${figure.name}: ${problem}`),
      );
      expect(problems).toEqual([]);
      measured += layouts.length;
    },
  );

  it('measured the layout of every figure of the report', () => {
    expect(measured).toBeGreaterThan(30);
  });

  it('re-reports an unchanged checkout without executing anything, in a fraction of the time', async () => {
    const started = Date.now();
    const again = await report();
    const seconds = (Date.now() - started) / 1000;
    expect(again.exitCode, again.all).toBe(0);
    expect(again.stdout).toContain(`0 of ${NOTEBOOKS.length} notebook(s) executed`);
    console.log(`re-report: ${seconds.toFixed(1)} s (${((100 * seconds) / first.seconds).toFixed(1)}% of the full report)`);
    expect(seconds).toBeLessThan(first.seconds / 4);
  });

  it('answers an unknown campaign in one line before running anything', async () => {
    const result = await report('--campaign', '2026-01-01T00-00-00Z-0000');
    expect(result.exitCode).toBe(2);
    expect(result.all).toMatch(/^guestbench: No campaign `2026-01-01T00-00-00Z-0000`.*\n {2}fix: /);
  });

  it('keeps the previous report when interrupted, and leaves no staged folder or kernel behind', async () => {
    const before = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    const child = execa('node', [BIN, 'report', '--results', results, '--out', out, '--force', '--notebooks', '00-thesis'], {
      reject: false,
      all: true,
    });
    // interrupt once a notebook worker (the CLI's child) has started its kernel (the worker's child)
    const kernels = await kernelsOf(child.pid);
    expect(kernels.length).toBeGreaterThan(0);
    // as a user's kill does (execa's kill() would add its own SIGKILL after 5 s)
    const stopped = Date.now();
    process.kill(child.pid as number, 'SIGTERM');
    const result = await child;
    console.log(`interrupted report exited ${(Date.now() - stopped) / 1000} s after SIGTERM`);
    expect(result.exitCode, result.all).toBe(130);
    // the kernel got SIGTERM: give it a moment to exit and be reaped
    expect(await stillAlive(kernels, 5_000)).toEqual([]);
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toBe(before);
    expect(fs.readdirSync(work).filter((name) => name.includes('partial'))).toEqual([]);
  }, 60_000);

  it('stops as for Ctrl-C when its reader goes away (`| head`): no kernel or staged folder left', async () => {
    const before = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
    const child = execa('node', [BIN, 'report', '--results', results, '--out', out, '--force', '--notebooks', '00-thesis'], {
      reject: false,
    });
    const kernels = await kernelsOf(child.pid);
    expect(kernels.length).toBeGreaterThan(0);
    // the reader closes both pipes, as `| head` does once it has its lines: the next log line meets EPIPE
    child.stdout?.destroy();
    child.stderr?.destroy();
    await child;
    expect(await stillAlive(kernels, 10_000)).toEqual([]);
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toBe(before);
    expect(fs.readdirSync(work).filter((name) => name.includes('partial'))).toEqual([]);
  }, 60_000);
});
