/**
 * Opening a committed notebook in Jupyter marks nothing changed: one live Jupyter Notebook server
 * (Debian's notebook 6) serving copies of every notebook, each opened in headless Chromium as a
 * reader would; once its tslab kernel has answered (Notebook 6 then replaces the notebook's
 * language_info and marks it dirty if it differs), `Jupyter.notebook.dirty` must be false. A copy
 * with the metadata the notebooks had before (language_info without the kernel's fields) is
 * opened too, and must be dirty: the check can fail.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNotebook, writeNotebook } from '../../lib/notebook/notebook-file.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { notebookSkipReason, repoRoot } from '../helpers/notebooks.js';

const SERVER = '/usr/bin/jupyter-notebook';
const NOTEBOOKS = fs.readdirSync(path.join(repoRoot, 'notebooks')).filter((name) => name.endsWith('.ipynb')).sort();
const CONTROL = 'control-old-metadata.ipynb';
const skip =
  notebookSkipReason ?? browserSkipReason ?? (fs.existsSync(SERVER) ? undefined : `no ${SERVER} (apt-get install jupyter-notebook)`);
if (skip) console.warn(`SKIPPED clean-open checks: ${skip}`);

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-clean-open-'));
const token = `t${process.pid}${Date.now()}`;
let port = 0;
let server: ResultPromise | undefined;
let browser: Browser | undefined;
const opened = new Map<string, { dirty: boolean; title: string; languageInfo: unknown }>();

/** Opens `name` in the server, waits for its kernel's answer, and records the dirty flag and title. */
async function open(name: string): Promise<void> {
  const page = await (browser as Browser).newPage({ viewport: { width: 1280, height: 900 } });
  try {
    await page.goto(`http://127.0.0.1:${port}/notebooks/${name}?token=${token}`, { waitUntil: 'load' });
    // kernel_ready: the kernel's info reply is in, and Notebook 6 has compared its language_info
    await page.waitForFunction(
      () => {
        type Page = { Jupyter?: { notebook?: { kernel?: { info_reply?: { language_info?: unknown } } } } };
        return (window as unknown as Page).Jupyter?.notebook?.kernel?.info_reply?.language_info !== undefined;
      },
      undefined,
      { timeout: 60_000 },
    );
    await page.waitForTimeout(300);
    const state = await page.evaluate(() => {
      type Page = { Jupyter: { notebook: { dirty: boolean; metadata: { language_info?: unknown } } } };
      const notebook = (window as unknown as Page).Jupyter.notebook;
      return { dirty: notebook.dirty, title: document.title, languageInfo: notebook.metadata.language_info };
    });
    opened.set(name, state);
    // stop its kernel: the host stays free for the next ones
    await page.evaluate(() =>
      (window as unknown as { Jupyter: { notebook: { kernel: { kill(): void } } } }).Jupyter.notebook.kernel.kill(),
    );
  } finally {
    await page.close();
  }
}

beforeAll(async () => {
  if (skip) return;
  const served = path.join(work, 'notebooks');
  fs.mkdirSync(served);
  for (const name of NOTEBOOKS) fs.copyFileSync(path.join(repoRoot, 'notebooks', name), path.join(served, name));
  const control = readNotebook(path.join(repoRoot, 'notebooks', '00-thesis.ipynb'));
  writeNotebook(path.join(served, CONTROL), { ...control, metadata: { ...control.metadata, language_info: { name: 'typescript' } } });
  port = await freePort();
  server = execa(
    SERVER,
    [
      '--no-browser',
      '--ip=127.0.0.1',
      `--port=${port}`,
      '--port-retries=0',
      `--NotebookApp.token=${token}`,
      `--notebook-dir=${served}`,
      // the README's commands run as root, which Jupyter refuses without this
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ],
    {
      reject: false,
      stdio: 'ignore',
      env: { JUPYTER_RUNTIME_DIR: path.join(work, 'runtime'), JUPYTER_CONFIG_DIR: path.join(work, 'config') },
    },
  );
  for (let tries = 0; ; tries += 1) {
    const answer = await fetch(`http://127.0.0.1:${port}/api/status?token=${token}`).catch(() => undefined);
    if (answer?.ok) break;
    if (tries > 150) throw new Error(`Jupyter Notebook did not answer on 127.0.0.1:${port}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  browser = await launchBrowser();
  // a few at a time: most of the wait is each tslab kernel's start
  const pending = [...NOTEBOOKS, CONTROL];
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let name = pending.shift(); name !== undefined; name = pending.shift()) await open(name);
    }),
  );
}, 300_000);

afterAll(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  await server;
  fs.rmSync(work, { recursive: true, force: true });
});

describe.skipIf(skip !== undefined)('a committed notebook opened in a live Jupyter Notebook server', () => {
  it.each(NOTEBOOKS)('%s opens unmodified once its kernel has answered', (name) => {
    const state = opened.get(name);
    expect(state?.dirty, `${name}: ${state?.title ?? 'not opened'}`).toBe(false);
    expect(state?.title).not.toContain('unsaved');
    expect(state?.languageInfo).toEqual(readNotebook(path.join(repoRoot, 'notebooks', name)).metadata?.language_info);
  });

  it("a notebook whose language_info differs from the kernel's is marked changed (the check can fail)", () => {
    expect(opened.get(CONTROL)?.dirty).toBe(true);
  });
});
