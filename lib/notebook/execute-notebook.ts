/**
 * Executes a notebook headless with nbconvert (the tslab kernel) and renders it to HTML.
 * A failing tslab cell reaches nbconvert without a traceback, so cells run with --allow-errors and
 * the saved notebook's outputs are inspected for errors instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { CapabilityError, GuestbenchError } from '../util/errors.js';

/**
 * Debian's Jupyter when installed (the `python3` first on PATH may be another interpreter without
 * Jupyter), else the one on PATH (conda/Binder); $GUESTBENCH_JUPYTER overrides.
 */
export const JUPYTER =
  process.env.GUESTBENCH_JUPYTER ?? (fs.existsSync('/usr/bin/jupyter') ? '/usr/bin/jupyter' : 'jupyter');
/** The Python that runs that Jupyter; $GUESTBENCH_PYTHON overrides. */
export const PYTHON =
  process.env.GUESTBENCH_PYTHON ?? (fs.existsSync('/usr/bin/jupyter') ? '/usr/bin/python3' : 'python');

/** A notebook cell output, as stored in .ipynb. */
interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  data?: Record<string, string | string[]>;
}

/** A notebook as stored on disk (the parts read here). */
export interface NotebookFile {
  cells: Array<{ cell_type: string; source: string | string[]; outputs?: Output[] }>;
}

/** What one execution produced. */
export interface ExecutedNotebook {
  /** executed notebook (.ipynb) */
  notebook: string;
  /** rendered HTML */
  html: string;
  /** one line per failing cell: cell index and the error text */
  errors: string[];
}

const text = (value: string | string[] | undefined): string => (Array.isArray(value) ? value.join('') : (value ?? ''));

/** Errors in an executed notebook: error outputs and tslab's stderr streams. */
export function notebookErrors(notebook: NotebookFile): string[] {
  const errors: string[] = [];
  notebook.cells.forEach((cell, index) => {
    for (const output of cell.outputs ?? []) {
      if (output.output_type === 'error')
        errors.push(`cell ${index + 1}: ${output.ename ?? 'Error'}: ${output.evalue ?? ''}`);
      if (output.output_type === 'stream' && output.name === 'stderr')
        errors.push(`cell ${index + 1}: ${text(output.text).trim().split('\n')[0] ?? ''}`);
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
        text(output.text) +
        Object.values(output.data ?? {})
          .map(text)
          .join('\n'),
    )
    .join('\n');
}

/** Executes `source` into `outDir` (same file name) and renders it to HTML there. */
export async function executeNotebook(
  source: string,
  options: { outDir: string; env?: Record<string, string>; timeoutSec?: number },
): Promise<ExecutedNotebook> {
  if ((await execa(JUPYTER, ['nbconvert', '--version'], { reject: false })).exitCode !== 0) {
    throw new CapabilityError(`Jupyter nbconvert does not run (${JUPYTER})`, {
      fix: "run `bash scripts/setup.sh` (it installs Debian's jupyter-nbconvert and registers the tslab kernel)",
    });
  }
  fs.mkdirSync(options.outDir, { recursive: true });
  const name = path.basename(source, '.ipynb');
  const notebook = path.join(options.outDir, `${name}.ipynb`);
  const env = { ...options.env };
  const run = await execa(
    JUPYTER,
    [
      'nbconvert',
      '--to',
      'notebook',
      '--execute',
      '--allow-errors',
      `--ExecutePreprocessor.timeout=${options.timeoutSec ?? 900}`,
      '--ExecutePreprocessor.kernel_name=tslab',
      '--output-dir',
      options.outDir,
      '--output',
      name,
      source,
    ],
    // the kernel's working directory is the notebook's folder, so relative imports resolve there
    { cwd: path.dirname(source), env, reject: false, all: true },
  );
  if (run.exitCode !== 0 || !fs.existsSync(notebook)) {
    throw new GuestbenchError(
      `nbconvert failed on ${source}: ${(run.all ?? '').trim().split('\n').slice(-3).join(' / ')}`,
      {
        fix: 'check that the tslab kernel is registered (`bash scripts/setup.sh`) and that `npm run build` has compiled dist/',
      },
    );
  }
  // Notebook 6 blanks the scripts of untrusted notebooks; this one was just executed here
  // (Debian ships no `jupyter trust` command; nbformat's signing app is the same thing)
  await execa(
    PYTHON,
    ['-c', 'from nbformat.sign import TrustNotebookApp; TrustNotebookApp.launch_instance()', notebook],
    { reject: false },
  );
  const html = path.join(options.outDir, `${name}.html`);
  const render = await execa(JUPYTER, ['nbconvert', '--to', 'html', '--output-dir', options.outDir, notebook], {
    reject: false,
    all: true,
  });
  if (render.exitCode !== 0)
    throw new GuestbenchError(
      `nbconvert could not render ${notebook} to HTML: ${(render.all ?? '').trim().split('\n').at(-1) ?? ''}`,
    );
  const errors = notebookErrors(JSON.parse(fs.readFileSync(notebook, 'utf8')) as NotebookFile);
  return { notebook, html, errors };
}
