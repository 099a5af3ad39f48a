/**
 * Every figure of the report as a reader sees it in headless Chromium: no two text boxes (title,
 * legend, axis titles, tick labels, notes) intersect, none covers the plot or leaves its figure
 * (into the next one), every axis has tick labels, no text is cut short with "...". The report is
 * built from the committed example campaigns into one folder kept between runs: the report's own
 * cache re-executes only the notebooks whose inputs changed (all of them after a library change,
 * about 80 s on 2 cores; none otherwise).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchBrowser, visit } from '../helpers/browser.js';
import { layoutProblems, measureFigures, type FigureLayout } from '../helpers/figure-layout.js';
import { notebookSkipReason, repoRoot } from '../helpers/notebooks.js';

const skip = notebookSkipReason ?? browserSkipReason;
const BIN = path.join(repoRoot, 'bin/guestbench.js');
const PAGES = fs
  .readdirSync(path.join(repoRoot, 'notebooks'))
  .filter((name) => name.endsWith('.ipynb'))
  .map((name) => name.replace('.ipynb', '.html'));
// one folder per checkout, so two worktrees never share a report
const work = path.join(os.tmpdir(), `guestbench-layout-${Buffer.from(repoRoot).toString('base64url').slice(-24)}`);
const out = path.join(work, 'report');

let build: { exitCode: number | undefined; all: string };
let browser: Browser | undefined;
const figures = new Map<string, FigureLayout[]>();

beforeAll(async () => {
  if (skip) return;
  fs.mkdirSync(path.join(work, 'results'), { recursive: true });
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot, reject: false });
  const started = Date.now();
  const run = await execa('node', [BIN, 'report', '--results', path.join(work, 'results'), '--out', out], {
    reject: false,
    all: true,
  });
  build = { exitCode: run.exitCode, all: run.all };
  console.log(`report for the layout check: ${((Date.now() - started) / 1000).toFixed(1)} s (${run.stdout.split('\n').at(-1)})`);
  browser = await launchBrowser();
  for (const name of PAGES) {
    const page = await visit(browser, `file://${path.join(out, name)}`, {
      ready: `[...document.querySelectorAll('.guestbench-figure')].every((div) => div.querySelector('svg.main-svg .xtick, svg.main-svg .ytick'))`,
    });
    figures.set(name, await measureFigures(page.page));
    await page.page.close();
  }
}, 900_000);

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(skip !== undefined)('the layout of every figure of the report', () => {
  it('builds the report', () => {
    expect(build.exitCode, build.all).toBe(0);
    expect([...figures.values()].flat().length).toBeGreaterThan(30);
  });

  it.each(PAGES)('%s: no text box overlaps another or the plot, leaves its figure, or is cut short; every axis has ticks', (name) => {
    const layouts = figures.get(name) ?? [];
    const problems = layouts.flatMap((figure, index) =>
      layoutProblems(figure, layouts[index + 1]).map((problem) => `${name}, ${figure.name}: ${problem}`),
    );
    expect(problems).toEqual([]);
  });
});
