/**
 * Executes a notebook headless in a tslab kernel (a notebook worker: Jupyter's nbclient) and renders
 * it to HTML. A failing tslab cell reaches nbclient without a traceback, so cells run with
 * allow_errors and the saved notebook's outputs are inspected for errors instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { AbortedError, CapabilityError } from '../util/errors.js';
import { figureSpecs, withFallbackImages, type FigureRenderer } from './figure-images.js';
import { NotebookWorker, PYTHON } from './kernel-worker.js';
import { joinedText, numberExecutedCells, readNotebook, writeNotebook, type NotebookFile } from './notebook-file.js';
import { selfContainedPage } from './page-html.js';
import { injectParameters, type ParameterValues } from './parameters.js';
import { externalizePlotly } from './plotly-html.js';

export type { NotebookFile } from './notebook-file.js';

/**
 * Debian's Jupyter when installed (the `python3` first on PATH may be another interpreter without
 * Jupyter), else the one on PATH (conda/Binder); $GUESTBENCH_JUPYTER overrides.
 */
export const JUPYTER =
  process.env.GUESTBENCH_JUPYTER ?? (fs.existsSync('/usr/bin/jupyter') ? '/usr/bin/jupyter' : 'jupyter');
export { PYTHON };

/** What one execution produced. */
export interface ExecutedNotebook {
  /** executed notebook (.ipynb) */
  notebook: string;
  /** rendered HTML */
  html: string;
  /** one line per failing cell: cell index and the error text */
  errors: string[];
}

/** How the executed copies carry plotly. */
export type PlotlyMode =
  /** the bundle stays embedded in the notebook and its page (one page works alone) */
  | { mode: 'embed' }
  /** the bundle is replaced by `<script src>` (a path relative to the page, e.g. plotly.min.js) */
  | { mode: 'file'; src: string };

/** Options of executeIn() and executeNotebook(). */
export interface ExecuteOptions {
  /** folder for the executed .ipynb and its .html (same base name as the source) */
  outDir: string;
  /** executeNotebook(): environment of the worker and its kernel (executeIn: the worker's own) */
  env?: Record<string, string>;
  /** per-cell timeout, seconds (default 900) */
  timeoutSec?: number;
  /** values for a cell tagged `injected-parameters` after the notebook's `parameters` cell */
  parameters?: ParameterValues;
  /** default: embed */
  plotly?: PlotlyMode;
  /** aborts the execution: the worker and its kernel are stopped */
  signal?: AbortSignal;
  /**
   * draws each figure to a static image put inside its <div> (shown where scripts do not run:
   * figure-images.ts), once the notebook has run (a promise: a renderer still starting); without
   * one the figures are interactive only
   */
  figures?: FigureRenderer | Promise<FigureRenderer | undefined>;
}

/** Errors in an executed notebook: error outputs and tslab's stderr streams. */
export function notebookErrors(notebook: NotebookFile): string[] {
  const errors: string[] = [];
  notebook.cells.forEach((cell, index) => {
    for (const output of cell.outputs ?? []) {
      if (output.output_type === 'error')
        errors.push(`cell ${index + 1}: ${output.ename ?? 'Error'}: ${output.evalue ?? ''}`);
      if (output.output_type === 'stream' && output.name === 'stderr')
        errors.push(`cell ${index + 1}: ${joinedText(output.text).trim().split('\n')[0] ?? ''}`);
    }
  });
  return errors;
}

/** All text and HTML a notebook's outputs hold, concatenated (for tests and checks). */
export function notebookOutputText(notebook: NotebookFile): string {
  return notebook.cells
    .flatMap((cell) => cell.outputs ?? [])
    .map(
      (output) =>
        joinedText(output.text) +
        Object.values(output.data ?? {})
          .map(joinedText)
          .join('\n'),
    )
    .join('\n');
}

/**
 * Throws a CapabilityError with the fix when notebooks cannot be executed here: Jupyter's nbclient
 * and nbconvert missing from $GUESTBENCH_PYTHON, or the tslab kernel not registered.
 */
export async function checkNotebookExecution(): Promise<void> {
  const probe = await execa(
    PYTHON,
    [
      '-c',
      'import nbclient, nbconvert\nfrom jupyter_client.kernelspec import find_kernel_specs\nprint(" ".join(find_kernel_specs()))',
    ],
    { reject: false },
  );
  if (probe.exitCode !== 0)
    throw new CapabilityError(`Jupyter's nbclient and nbconvert do not import in ${PYTHON}`, {
      fix: "run `bash scripts/setup.sh` (it installs Debian's jupyter-nbconvert and registers the tslab kernel), or set $GUESTBENCH_PYTHON to Jupyter's Python",
    });
  if (!String(probe.stdout).trim().split(' ').includes('tslab'))
    throw new CapabilityError('The tslab Jupyter kernel is not registered', {
      fix: 'run `bash scripts/setup.sh` (it runs `tslab install`)',
    });
}

/**
 * Executes `source` in `worker`'s kernel into `outDir` (same file name) and renders it to HTML
 * there: parameters injected, cells numbered, figures given their static images (with
 * `options.figures`), plotly embedded or referenced, and the page stripped
 * of scripts loaded from outside its folder. The committed notebook is never rewritten.
 */
export async function executeIn(
  worker: NotebookWorker,
  source: string,
  options: ExecuteOptions,
): Promise<ExecutedNotebook> {
  fs.mkdirSync(options.outDir, { recursive: true });
  const name = path.basename(source, '.ipynb');
  const notebook = path.join(options.outDir, `${name}.ipynb`);
  const input = path.join(options.outDir, `.${name}.input-${process.pid}.ipynb`);
  writeNotebook(input, injectParameters(readNotebook(source), options.parameters ?? {}, path.basename(source)));
  try {
    await worker.execute(input, notebook, options.timeoutSec ?? 900, options.signal);
  } finally {
    fs.rmSync(input, { force: true });
  }
  const plotly = options.plotly ?? { mode: 'embed' };
  let executed = numberExecutedCells(readNotebook(notebook));
  const figures = await options.figures;
  const specs = figures ? figureSpecs(executed) : [];
  if (figures && specs.length > 0) executed = withFallbackImages(executed, await figures.render(specs));
  writeNotebook(notebook, plotly.mode === 'file' ? externalizePlotly(executed, plotly.src) : executed);
  const html = path.join(options.outDir, `${name}.html`);
  await worker.render(notebook, html, name, options.signal);
  fs.writeFileSync(html, selfContainedPage(fs.readFileSync(html, 'utf8')));
  return { notebook, html, errors: notebookErrors(executed) };
}

/**
 * Executes one notebook in a worker of its own (started in the notebook's folder, with
 * `options.env`), as executeIn() does; the worker and its kernel are gone when it returns.
 */
export async function executeNotebook(source: string, options: ExecuteOptions): Promise<ExecutedNotebook> {
  await checkNotebookExecution();
  const worker = new NotebookWorker({ cwd: path.dirname(source), env: options.env });
  try {
    const result = await executeIn(worker, source, options);
    await worker.close();
    return result;
  } catch (error) {
    worker.kill();
    if (options.signal?.aborted && !(error instanceof AbortedError))
      throw new AbortedError(`Execution of ${source} was interrupted`, { cause: error });
    throw error;
  }
}
