/**
 * Static fallbacks for a notebook's plotly figures: each figure (figureHtml's <div> and its JSON
 * spec) is drawn once to a PNG in headless Chromium at report time, and the image is put inside the
 * figure's <div>. Where scripts do not run (GitHub's and nbviewer's notebook views, an HTML page
 * opened without its report folder) the image shows; where they do, the figure's script removes it
 * and draws the interactive figure in its place.
 *
 * One browser, one page, plotly loaded once: every figure of a report is drawn in it, one after
 * another, while the kernels execute other notebooks. playwright-core (a devDependency) and
 * Chromium are optional: without them a report is built with the interactive figures only, and
 * says so.
 */
import * as fs from 'node:fs';
import { CapabilityError } from '../util/errors.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../util/headless-chromium.js';
import { joinedText, type NotebookFile } from './notebook-file.js';
import { plotlyBundlePath, PLOTLY_SPEC_FIX } from './plotly-html.js';

/** A figure found in a notebook's outputs: its <div>'s id and its plotly spec. */
export interface FigureSpec {
  id: string;
  spec: { data: unknown[]; layout: { height?: number; width?: number; title?: unknown; [key: string]: unknown } };
}

/** Class of the fallback <img> inside a figure's <div>; the figure's script removes it. */
export const FALLBACK_CLASS = 'guestbench-fallback';

/** Width, px, of a fallback image of a figure whose layout sets none (about a notebook's output area). */
export const FALLBACK_WIDTH = 960;

const SPEC_SCRIPT = /<script type="application\/json" id="([^"]+)-spec">([\s\S]*?)<\/script>/g;

/** Every figure of `notebook`'s outputs, in order. */
export function figureSpecs(notebook: NotebookFile): FigureSpec[] {
  const specs: FigureSpec[] = [];
  for (const cell of notebook.cells)
    for (const output of cell.outputs ?? []) {
      const html = joinedText(output.data?.['text/html']);
      for (const match of html.matchAll(SPEC_SCRIPT))
        specs.push({ id: match[1] as string, spec: JSON.parse(match[2] as string) as FigureSpec['spec'] });
    }
  return specs;
}

const escapeAttribute = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

function titleOf(spec: FigureSpec['spec']): string {
  const title = spec.layout.title;
  const text = typeof title === 'string' ? title : ((title as { text?: string } | undefined)?.text ?? 'figure');
  return text.replace(/<[^>]*>/g, '');
}

/**
 * A copy of `notebook` with each figure whose id has an image in `images` (a data: URL) carrying
 * that image inside its <div> (an earlier fallback replaced).
 */
export function withFallbackImages(notebook: NotebookFile, images: ReadonlyMap<string, string>): NotebookFile {
  const cells = notebook.cells.map((cell) => {
    if (cell.outputs === undefined) return cell;
    const outputs = cell.outputs.map((output) => {
      const html = joinedText(output.data?.['text/html']);
      if (!html.includes('class="guestbench-figure"')) return output;
      const specs = new Map(figureSpecs({ cells: [{ ...cell, outputs: [output] }] }).map((found) => [found.id, found]));
      const replaced = html.replace(
        /(<div id="([^"]+)" class="guestbench-figure"[^>]*>)(?:<img class="guestbench-fallback"[^>]*>)?(<\/div>)/g,
        (whole, open: string, id: string, close: string) => {
          const image = images.get(id);
          const found = specs.get(id);
          if (image === undefined || found === undefined) return whole;
          const alt = `${titleOf(found.spec)} (a static image: the interactive figure needs scripts)`;
          return `${open}<img class="${FALLBACK_CLASS}" src="${image}" alt="${escapeAttribute(alt)}" style="display:block;max-width:100%;height:auto">${close}`;
        },
      );
      return { ...output, data: { ...output.data, 'text/html': replaced } };
    });
    return { ...cell, outputs };
  });
  return { ...notebook, cells };
}

/** The part of playwright-core used here (imported lazily: a devDependency). */
interface BrowserPage {
  setContent(html: string): Promise<void>;
  addScriptTag(options: { path: string }): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}
interface BrowserHandle {
  newPage(): Promise<BrowserPage>;
  close(): Promise<void>;
}

/**
 * Draws figures to PNG in one headless Chromium page (see the module comment). `start()` fails
 * with a CapabilityError when playwright-core or Chromium is missing; `render()` calls are queued.
 */
export class FigureRenderer {
  private browser: BrowserHandle | undefined;
  private page: BrowserPage | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  /** Starts Chromium and loads plotly into its page. */
  async start(): Promise<void> {
    if (this.page) return;
    if (!fs.existsSync(CHROMIUM))
      throw new CapabilityError(`No Chromium at ${CHROMIUM} to draw the figures' static images`, {
        fix: 'apt-get install chromium (or set $GUESTBENCH_CHROMIUM)',
      });
    let chromium: { launch(options: object): Promise<BrowserHandle> };
    try {
      ({ chromium } = (await import('playwright-core')) as unknown as { chromium: typeof chromium });
    } catch (error) {
      throw new CapabilityError("playwright-core is not installed: the figures' static images need it", {
        cause: error,
        fix: 'npm install (it is a devDependency)',
      });
    }
    // the report's own interruption handling (runners/interruption.ts) owns SIGINT/SIGTERM/SIGHUP and
    // closes the browser through close(): playwright's handlers would close it under a running
    // report, and on SIGINT end the process before the kernels and the staged folder are cleaned up
    this.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS],
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const page = await this.browser.newPage();
    await page.setContent('<!doctype html><html><body></body></html>');
    await page.addScriptTag({ path: plotlyBundlePath() });
    this.page = page;
  }

  /** PNG data: URLs of `figures`, by id, drawn as figureHtml's script draws them. */
  render(figures: readonly FigureSpec[]): Promise<Map<string, string>> {
    const run = this.queue.then(() => this.draw(figures));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async draw(figures: readonly FigureSpec[]): Promise<Map<string, string>> {
    const page = this.page;
    if (!page) throw new CapabilityError('The figure renderer was not started', { fix: 'call start() first' });
    const images = new Map<string, string>();
    for (const figure of figures) {
      const width = figure.spec.layout.width ?? FALLBACK_WIDTH;
      const height = figure.spec.layout.height ?? 420;
      const url = await page.evaluate(
        async ({ spec, fix, width, height }) => {
          const plotly = (
            window as unknown as { Plotly: { toImage(figure: object, options: object): Promise<string> } }
          ).Plotly;
          // the same null-whisker fix the figure's own script applies
          const fixed = (new Function('spec', `(${fix})(spec); return spec;`) as (value: unknown) => typeof spec)(spec);
          return plotly.toImage(fixed, { format: 'png', width, height });
        },
        { spec: figure.spec, fix: PLOTLY_SPEC_FIX, width, height },
      );
      images.set(figure.id, url);
    }
    return images;
  }

  /** Closes the browser. */
  async close(): Promise<void> {
    const browser = this.browser;
    this.browser = undefined;
    this.page = undefined;
    // a browser that is already gone (it failed to start, or its process died) has nothing to close
    await browser?.close().catch(() => undefined);
  }
}
