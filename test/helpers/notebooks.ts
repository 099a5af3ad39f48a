/**
 * Executing a committed notebook in a test: build the compiled library it imports, run it headless
 * with the tslab kernel, and read what it showed. Skipped with the reason printed when Jupyter or
 * the kernel is missing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { notebookClaims } from '../../lib/notebook/claims-section.js';
import {
  checkNotebookExecution,
  executeNotebook,
  notebookOutputText,
  type NotebookFile,
} from '../../lib/notebook/execute-notebook.js';
import { compileIfStale } from './compiled-library.js';

/** The repository root. */
export const repoRoot = path.resolve(import.meta.dirname, '../..');

async function executionProblem(): Promise<string | undefined> {
  try {
    await checkNotebookExecution();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Why notebooks cannot be executed here, or undefined; printed once when set. */
export const notebookSkipReason = await executionProblem();
if (notebookSkipReason) console.warn(`SKIPPED notebook execution: ${notebookSkipReason} (fix: bash scripts/setup.sh)`);

/** What a notebook showed when executed. */
export interface NotebookRun {
  /** one line per failing cell */
  errors: string[];
  /** all text and HTML of its outputs */
  output: string;
  /** the rendered HTML page */
  html: string;
  seconds: number;
}

/**
 * Executes notebooks/<name> with `env` in a kernel of its own (dist/ compiled first if stale), and
 * returns what it showed. The temp folder is removed before returning.
 */
export async function runNotebook(name: string, env: Record<string, string> = {}): Promise<NotebookRun> {
  await compileIfStale();
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), `guestbench-${path.basename(name, '.ipynb')}-`));
  try {
    const started = Date.now();
    const result = await executeNotebook(path.join(repoRoot, 'notebooks', name), { outDir, env, timeoutSec: 170 });
    const seconds = (Date.now() - started) / 1000;
    return {
      errors: result.errors,
      output: notebookOutputText(JSON.parse(fs.readFileSync(result.notebook, 'utf8')) as NotebookFile),
      html: fs.readFileSync(result.html, 'utf8'),
      seconds,
    };
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
}

/** The committed notebook: its kernel name and whether every code cell is free of outputs. */
export function committedNotebook(name: string): { kernel: string; codeCells: number; withOutputs: number } {
  const notebook = JSON.parse(fs.readFileSync(path.join(repoRoot, 'notebooks', name), 'utf8')) as NotebookFile & {
    metadata: { kernelspec: { name: string } };
  };
  const code = notebook.cells.filter((cell) => cell.cell_type === 'code');
  return {
    kernel: notebook.metadata.kernelspec.name,
    codeCells: code.length,
    withOutputs: code.filter((cell) => (cell.outputs ?? []).length > 0).length,
  };
}

/**
 * The notebook's claims as the one evaluator judges them on `campaignDir`, and the ones whose
 * row (`data-claim` with its `data-verdict`) the executed notebook's `output` lacks.
 */
export function claimRowsShown(
  output: string,
  notebook: string,
  campaignDir: string,
): { claims: number; missing: string[] } {
  const { results } = notebookClaims({ notebook }, [loadCampaign(campaignDir)], '');
  const markers = results.map((result) => `data-claim="${result.claim.id}" data-verdict="${result.verdict}"`);
  return { claims: results.length, missing: markers.filter((marker) => !output.includes(marker)) };
}
