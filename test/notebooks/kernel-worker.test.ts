/**
 * The notebook worker against real Jupyter and a real tslab kernel: several notebooks in one
 * kernel, a failing cell, a kernel that dies, and an interruption that leaves no process behind.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeIn, notebookOutputText } from '../../lib/notebook/execute-notebook.js';
import { NotebookWorker } from '../../lib/notebook/kernel-worker.js';
import { readNotebook, writeNotebook, type NotebookFile } from '../../lib/notebook/notebook-file.js';
import { notebookSkipReason } from '../helpers/notebooks.js';

let work: string;

/** A tslab notebook of the given code cells, written to the work folder. */
function notebook(name: string, cells: string[]): string {
  const file: NotebookFile = {
    cells: cells.map((source, index) => ({
      cell_type: 'code',
      id: `cell-${index}`,
      metadata: {},
      source,
      outputs: [],
      execution_count: null,
    })),
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  const source = path.join(work, `${name}.ipynb`);
  writeNotebook(source, file);
  return source;
}

const outputOf = (file: string): string => notebookOutputText(readNotebook(file));
const alive = (pid: number): boolean => fs.existsSync(`/proc/${pid}`);

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-worker-'));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe.skipIf(notebookSkipReason !== undefined)('a notebook worker (real nbclient and tslab kernel)', () => {
  it('runs several notebooks in one kernel, each numbered from 1, and goes on to the next notebook after a failing cell', async () => {
    const worker = new NotebookWorker({ cwd: work });
    try {
      const out = path.join(work, 'out');
      const first = await executeIn(worker, notebook('first', ['const answer = 6 * 7;', 'console.log(`pid ${process.pid} answer ${answer}`);']), { outDir: out });
      const failing = await executeIn(worker, notebook('failing', ['throw new Error("this cell fails");', 'console.log("the next cell");']), { outDir: out });
      const second = await executeIn(worker, notebook('second', ['const answer = "redeclared";', 'console.log(`pid ${process.pid} answer ${answer}`);']), { outDir: out });

      const pid = (text: string): string | undefined => /pid (\d+)/.exec(text)?.[1];
      const firstText = outputOf(first.notebook);
      const secondText = outputOf(second.notebook);
      expect(first.errors).toEqual([]);
      expect(firstText).toContain('answer 42');
      // one kernel: the same process answered both; tslab let the second notebook redeclare `answer`
      expect(pid(secondText)).toBeDefined();
      expect(pid(secondText)).toBe(pid(firstText));
      expect(secondText).toContain('answer redeclared');
      expect(failing.errors).toEqual([expect.stringMatching(/^cell 1: /)]);
      expect(outputOf(failing.notebook)).toContain('Error: this cell fails');
      // cells numbered per notebook, not by the kernel's running count
      expect(readNotebook(second.notebook).cells.map((cell) => cell.execution_count)).toEqual([1, 2]);
      expect(fs.readFileSync(second.html, 'utf8')).toContain('answer redeclared');
      // no input copy left beside the outputs
      expect(fs.readdirSync(out).sort()).toEqual(['failing.html', 'failing.ipynb', 'first.html', 'first.ipynb', 'second.html', 'second.ipynb']);
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('replaces a kernel that died before the next notebook', async () => {
    const worker = new NotebookWorker({ cwd: work });
    try {
      const out = path.join(work, 'dead');
      const dying = notebook('dying', ['console.log(`pid ${process.pid}`);', 'process.exit(3);', 'console.log("never");']);
      await expect(executeIn(worker, dying, { outDir: out })).rejects.toThrow(/nbclient failed: DeadKernelError/);
      const next = await executeIn(worker, notebook('next', ['console.log("a fresh kernel");']), { outDir: out });
      expect(next.errors).toEqual([]);
      expect(outputOf(next.notebook)).toContain('a fresh kernel');
    } finally {
      await worker.close();
    }
  }, 120_000);

  it('stops the worker and its kernel when the signal aborts, leaving no process', async () => {
    const worker = new NotebookWorker({ cwd: work });
    const controller = new AbortController();
    const pidFile = path.join(work, 'kernel.pid');
    const slow = notebook('slow', [
      `require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));`,
      'await new Promise((resolve) => setTimeout(resolve, 60_000));',
    ]);
    const running = executeIn(worker, slow, { outDir: path.join(work, 'slow-out'), signal: controller.signal });
    for (let waited = 0; waited < 60_000 && !fs.existsSync(pidFile); waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const kernel = Number(fs.readFileSync(pidFile, 'utf8'));
    expect(alive(kernel)).toBe(true);
    controller.abort();
    await expect(running).rejects.toThrow(/interrupted/);
    for (let waited = 0; waited < 10_000 && alive(kernel); waited += 100)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(kernel)).toBe(false);
    expect(worker.usable).toBe(false);
  }, 120_000);
});
