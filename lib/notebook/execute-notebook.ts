/**
 * Executes a notebook headless with nbconvert (the tslab kernel) and renders it to HTML.
 * A failing tslab cell reaches nbconvert without a traceback, so cells run with --allow-errors and
 * the saved notebook's outputs are inspected for errors instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { AbortedError, CapabilityError, GuestbenchError } from '../util/errors.js';
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
/** The Python that runs that Jupyter; $GUESTBENCH_PYTHON overrides. */
export const PYTHON =
  process.env.GUESTBENCH_PYTHON ?? (fs.existsSync('/usr/bin/jupyter') ? '/usr/bin/python3' : 'python');

/**
 * Signs the executed notebook as trusted (nbconvert blanks the scripts of untrusted notebooks;
 * this one was just executed here; Debian ships no `jupyter trust`) and renders it to HTML, as
 * `jupyter nbconvert --to html` does, in one Python process. argv: notebook, html, page title.
 */
const SIGN_AND_RENDER = `
import sys
import nbformat
from nbformat.sign import NotebookNotary
from nbconvert import HTMLExporter
source, target, name = sys.argv[1:4]
notebook = nbformat.read(source, as_version=4)
NotebookNotary().sign(notebook)
body, _ = HTMLExporter().from_notebook_node(notebook, resources={"metadata": {"name": name}})
with open(target, "w", encoding="utf-8") as out:
    out.write(body)
`;

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

/** Options of executeNotebook(). */
export interface ExecuteOptions {
  /** folder for the executed .ipynb and its .html (same base name as the source) */
  outDir: string;
  /** environment of nbconvert and the kernel */
  env?: Record<string, string>;
  /** per-cell timeout, seconds (default 900) */
  timeoutSec?: number;
  /** values for a cell tagged `injected-parameters` after the notebook's `parameters` cell */
  parameters?: ParameterValues;
  /** default: embed */
  plotly?: PlotlyMode;
  /** aborts the execution: nbconvert is interrupted (it then stops its kernel) */
  signal?: AbortSignal;
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

/** Throws a CapabilityError with the fix when Jupyter's nbconvert does not run here. */
export async function checkNbconvert(): Promise<void> {
  if ((await execa(JUPYTER, ['nbconvert', '--version'], { reject: false })).exitCode !== 0) {
    throw new CapabilityError(`Jupyter nbconvert does not run (${JUPYTER})`, {
      fix: "run `bash scripts/setup.sh` (it installs Debian's jupyter-nbconvert and registers the tslab kernel)",
    });
  }
}

/** Child pids of `pid`, from /proc (the kernel nbconvert started runs in a session of its own). */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // the command name (2nd field) may hold spaces and parentheses: the ppid follows the last ')'
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) children.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return children;
}

/** Sends `signal` to each pid, ignoring those already gone. */
function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // gone already
    }
  }
}

/**
 * Runs `subprocess` (nbconvert) to completion; on `signal`, interrupts it (SIGINT) and stops the
 * kernel it started (SIGTERM: the kernel runs in a session of its own and would outlive nbconvert,
 * holding its output pipes open), then kills both after 5 s if they are still there.
 */
async function interruptible<T extends ResultPromise>(
  subprocess: T,
  signal: AbortSignal | undefined,
): Promise<Awaited<T>> {
  if (!signal) return await subprocess;
  let timer: NodeJS.Timeout | undefined;
  const onAbort = (): void => {
    const kernels = subprocess.pid === undefined ? [] : childPids(subprocess.pid);
    subprocess.kill('SIGINT');
    signalAll(kernels, 'SIGTERM');
    timer = setTimeout(() => {
      signalAll(kernels, 'SIGKILL');
      subprocess.kill('SIGKILL');
    }, 5_000);
  };
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await subprocess;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Executes `source` into `outDir` (same file name) and renders it to HTML there: parameters
 * injected, cells numbered, plotly embedded or referenced, and the page stripped of scripts loaded
 * from outside its folder.
 */
export async function executeNotebook(source: string, options: ExecuteOptions): Promise<ExecutedNotebook> {
  await checkNbconvert();
  return executeChecked(source, options);
}

/** executeNotebook() without checking nbconvert first (a report checks once for all notebooks). */
export async function executeChecked(source: string, options: ExecuteOptions): Promise<ExecutedNotebook> {
  fs.mkdirSync(options.outDir, { recursive: true });
  const name = path.basename(source, '.ipynb');
  const notebook = path.join(options.outDir, `${name}.ipynb`);
  const input = injectParameters(readNotebook(source), options.parameters ?? {}, path.basename(source));
  const aborted = (): AbortedError => new AbortedError(`Execution of ${source} was interrupted`);
  // from stdin, with the kernel started in the notebook's folder (its relative imports resolve
  // there): the committed notebook is never rewritten
  const result = await interruptible(
    execa(
      JUPYTER,
      [
        'nbconvert',
        '--to',
        'notebook',
        '--execute',
        '--allow-errors',
        `--ExecutePreprocessor.timeout=${options.timeoutSec ?? 900}`,
        '--ExecutePreprocessor.kernel_name=tslab',
        '--stdin',
        '--output-dir',
        options.outDir,
        '--output',
        name,
      ],
      {
        cwd: path.dirname(source),
        env: { ...options.env },
        input: JSON.stringify(input),
        reject: false,
        all: true,
      },
    ),
    options.signal,
  );
  if (options.signal?.aborted) throw aborted();
  if (result.exitCode !== 0 || !fs.existsSync(notebook)) {
    throw new GuestbenchError(
      `nbconvert failed on ${source}: ${(result.all ?? '').trim().split('\n').slice(-3).join(' / ')}`,
      {
        fix: 'check that the tslab kernel is registered (`bash scripts/setup.sh`) and that `npm run build` has compiled dist/',
      },
    );
  }
  const plotly = options.plotly ?? { mode: 'embed' };
  const executed = numberExecutedCells(readNotebook(notebook));
  writeNotebook(notebook, plotly.mode === 'file' ? externalizePlotly(executed, plotly.src) : executed);
  const html = path.join(options.outDir, `${name}.html`);
  // signing and rendering in one Python: nbconvert's imports (1.5-2 s on a busy 2-core host) paid
  // once, not twice
  const rendered = await interruptible(
    execa(PYTHON, ['-c', SIGN_AND_RENDER, notebook, html, name], { reject: false, all: true }),
    options.signal,
  );
  if (options.signal?.aborted) throw aborted();
  if (rendered.exitCode !== 0)
    throw new GuestbenchError(
      `nbconvert could not render ${notebook} to HTML: ${(rendered.all ?? '').trim().split('\n').at(-1) ?? ''}`,
      { fix: `check that \`${PYTHON} -c "import nbconvert"\` works (or set $GUESTBENCH_PYTHON to Jupyter's Python)` },
    );
  fs.writeFileSync(html, selfContainedPage(fs.readFileSync(html, 'utf8')));
  return { notebook, html, errors: notebookErrors(executed) };
}
