/**
 * Figures that show outside the report: an executed notebook, converted by `jupyter nbconvert --to
 * html` in a folder of its own (no plotly.min.js beside it, as on GitHub or nbviewer), shows each
 * figure's static image; where plotly loads, the script replaces the image with the interactive
 * figure.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figureSpecs, FigureRenderer, withFallbackImages } from '../../lib/notebook/figure-images.js';
import { executeNotebook, JUPYTER } from '../../lib/notebook/execute-notebook.js';
import { readNotebook, type NotebookFile } from '../../lib/notebook/notebook-file.js';
import { figureHtml, plotlyBundlePath } from '../../lib/notebook/plotly-html.js';
import { figuresInHtml } from '../../runners/report/figure-gallery.js';
import { browserSkipReason, distinctColours, launchBrowser } from '../helpers/browser.js';
import { notebookSkipReason, repoRoot } from '../helpers/notebooks.js';
import { compileIfStale } from '../helpers/compiled-library.js';

const FIXTURE = path.join(repoRoot, 'test/fixtures/campaigns/2026-11-21T23-53-45Z-04de');

describe('fallback images in a notebook (no browser)', () => {
  const html = figureHtml(
    {
      data: [{ type: 'scatter', name: 'a', x: [1, 2], y: [3, 4] }],
      layout: { title: { text: 'A <b>t</b>' }, xaxis: { title: { text: 'x' } }, yaxis: { title: { text: 'y' } } },
    },
    { id: 'f1' },
  );
  const notebook: NotebookFile = {
    cells: [{ cell_type: 'code', source: '', outputs: [{ output_type: 'display_data', data: { 'text/html': html } }] }],
  };

  it('finds each figure with its spec, and puts its image inside its <div>, once', () => {
    expect(figureSpecs(notebook).map((figure) => figure.id)).toEqual(['f1']);
    const once = withFallbackImages(notebook, new Map([['f1', 'data:image/png;base64,AAAA']]));
    const twice = withFallbackImages(once, new Map([['f1', 'data:image/png;base64,BBBB']]));
    const text = String(twice.cells[0]?.outputs?.[0]?.data?.['text/html']);
    expect(text.match(/<img class="guestbench-fallback"/g)).toHaveLength(1);
    expect(text).toContain('src="data:image/png;base64,BBBB" alt="A t (a static image');
    // a figure without an image is left as it was
    expect(withFallbackImages(notebook, new Map())).toEqual(notebook);
    // the report's gallery still finds the figure with its image inside
    expect(figuresInHtml(text)).toEqual([{ id: 'f1', title: 'A t' }]);
  });
});

const skip = notebookSkipReason ?? browserSkipReason;
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-fallback-'));
let figures = 0;
let alone = '';
let report = '';

beforeAll(async () => {
  if (skip) return;
  await compileIfStale();
  const renderer = new FigureRenderer();
  await renderer.start();
  try {
    const executed = await executeNotebook(path.join(repoRoot, 'notebooks', '01-density-cpu.ipynb'), {
      outDir: path.join(work, 'report'),
      env: { GUESTBENCH_CAMPAIGN: FIXTURE },
      plotly: { mode: 'file', src: 'plotly.min.js' },
      figures: renderer,
      timeoutSec: 170,
    });
    fs.copyFileSync(plotlyBundlePath(), path.join(work, 'report', 'plotly.min.js'));
    report = executed.html;
    figures = figureSpecs(readNotebook(executed.notebook)).length;
    // the executed notebook alone, converted as a reader's nbconvert (or nbviewer) would
    fs.mkdirSync(path.join(work, 'alone'));
    fs.copyFileSync(executed.notebook, path.join(work, 'alone', '01-density-cpu.ipynb'));
    await execa(JUPYTER, ['nbconvert', '--to', 'html', '01-density-cpu.ipynb'], { cwd: path.join(work, 'alone') });
    alone = path.join(work, 'alone', '01-density-cpu.html');
  } finally {
    await renderer.close();
  }
}, 240_000);

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe.skipIf(skip !== undefined)('an executed notebook converted without the report folder', () => {
  it('carries one PNG per figure inside the figure', () => {
    expect(figures).toBeGreaterThanOrEqual(4);
    const html = fs.readFileSync(alone, 'utf8');
    expect(html.match(/<img class="guestbench-fallback" src="data:image\/png;base64,[A-Za-z0-9+/]{1000,}/g)).toHaveLength(figures);
    expect(fs.existsSync(path.join(work, 'alone', 'plotly.min.js'))).toBe(false);
  });

  it('shows the images in a browser where plotly cannot load, and the interactive figures where it can', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(`file://${alone}`, { waitUntil: 'load' });
      // decoded (a real image) and laid out at a readable size
      const shown = await page.$$eval(
        'img.guestbench-fallback',
        (images) =>
          images.filter((image) => {
            const decoded = (image as HTMLImageElement).naturalWidth > 0;
            return decoded && image.getBoundingClientRect().height > 100;
          }).length,
      );
      expect(shown).toBe(figures);
      const first = page.locator('img.guestbench-fallback').first();
      expect(await distinctColours(page, await first.screenshot())).toBeGreaterThan(20);
      await page.goto(`file://${report}`, { waitUntil: 'load' });
      await page.waitForFunction(`document.querySelectorAll('.guestbench-figure .main-svg').length >= ${figures}`, undefined, {
        timeout: 20_000,
      });
      expect(await page.locator('img.guestbench-fallback').count()).toBe(0);
      await page.close();
    } finally {
      await browser.close();
    }
  });
});
