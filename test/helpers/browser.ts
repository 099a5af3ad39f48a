/**
 * Opening report pages in headless Chromium (Debian's `chromium`, driven by npm's playwright-core:
 * no browser download). A page visit records what a reader's browser would complain about: console
 * errors, page errors, and every request (to prove a page needs nothing outside its folder).
 * Skipped with the reason printed when Chromium is not installed.
 */
import * as fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

import { CHROMIUM, CHROMIUM_ARGS } from '../../lib/util/headless-chromium.js';

export { CHROMIUM };

/** Why pages cannot be opened here, or undefined; printed once when set. */
export const browserSkipReason = fs.existsSync(CHROMIUM)
  ? undefined
  : `no Chromium at ${CHROMIUM} (fix: apt-get install chromium, or bash scripts/setup.sh)`;
if (browserSkipReason) console.warn(`SKIPPED browser checks: ${browserSkipReason}`);

/** Starts headless Chromium with nothing that talks to the network on its own. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
}

/** What one page visit saw. */
export interface PageVisit {
  page: Page;
  /** console messages of type error, and uncaught page errors */
  errors: string[];
  /** every URL the page requested, itself included */
  requests: string[];
}

/**
 * Opens `url` in a new page (viewport 1280 x 900), waits for the load event and until `ready`
 * (a function evaluated in the page) is true or `timeoutMs` passes; the caller closes `page`.
 */
export async function visit(
  browser: Browser,
  url: string,
  options: { ready?: string; timeoutMs?: number } = {},
): Promise<PageVisit> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(url, { waitUntil: 'load' });
  if (options.ready) await page.waitForFunction(options.ready, undefined, { timeout: options.timeoutMs ?? 20_000 });
  return { page, errors, requests };
}

/** Requests a page made to anything but file: and data: URLs. */
export const outsideRequests = (visit: PageVisit): string[] =>
  visit.requests.filter((url) => !url.startsWith('file:') && !url.startsWith('data:'));

/**
 * Whether a PNG screenshot shows more than one colour: rendered in the page itself (a canvas
 * counts distinct pixels of the decoded image), so no PNG decoder is needed here.
 */
export async function distinctColours(page: Page, png: Buffer): Promise<number> {
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d') as CanvasRenderingContext2D;
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    const seen = new Set<number>();
    for (let index = 0; index < pixels.length && seen.size < 1000; index += 4 * 7)
      seen.add(
        ((pixels[index] as number) << 16) | ((pixels[index + 1] as number) << 8) | (pixels[index + 2] as number),
      );
    return seen.size;
  }, png.toString('base64'));
}
