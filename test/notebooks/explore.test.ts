/**
 * notebooks/explore.ipynb and the README's library example, executed in one tslab kernel (the
 * kernel starts in notebooks/, as Jupyter starts it): the example prints what the README shows
 * under it, the exploration notebook displays its frames as tables, and its pivot holds the means
 * computed here from the same campaign.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseCampaigns } from '../../lib/analysis/choose-campaign.js';
import { numberText } from '../../lib/figures/number-text.js';
import { executeIn, notebookOutputText } from '../../lib/notebook/execute-notebook.js';
import { NotebookWorker } from '../../lib/notebook/kernel-worker.js';
import { readNotebook, writeNotebook, type NotebookFile } from '../../lib/notebook/notebook-file.js';
import { compileIfStale } from '../helpers/compiled-library.js';
import { committedNotebook, notebookSkipReason, repoRoot } from '../helpers/notebooks.js';

/** The README's library example and the output pasted under it. */
function readmeExample(): { code: string; output: string } {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The library in five lines'));
  const blocks = [...section.matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((match) => match[1] as string);
  return { code: blocks[0] as string, output: blocks[1] as string };
}

const emptyResults = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-explore-results-'));
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-explore-'));
let worker: NotebookWorker;
let readme: { errors: string[]; stdout: string };
let explore: { errors: string[]; notebook: NotebookFile; output: string };

beforeAll(async () => {
  if (notebookSkipReason) return;
  await compileIfStale();
  // results: an empty directory, so the notebook falls back to the committed example campaigns
  worker = new NotebookWorker({
    cwd: path.join(repoRoot, 'notebooks'),
    env: { GUESTBENCH_RESULTS: emptyResults, GUESTBENCH_CAMPAIGN: '' },
  });
  // the notebook first: tslab does not let a `let` redeclare the README's `const campaign` in one kernel
  const executed = await executeIn(worker, path.join(repoRoot, 'notebooks', 'explore.ipynb'), {
    outDir: path.join(outDir, 'explore'),
    timeoutSec: 120,
  });
  const notebook = readNotebook(executed.notebook);
  explore = { errors: executed.errors, notebook, output: notebookOutputText(notebook) };
  const example = readmeExample();
  const source = path.join(outDir, 'readme-example.ipynb');
  writeNotebook(source, {
    cells: [{ cell_type: 'code', id: 'readme', metadata: {}, source: example.code, outputs: [], execution_count: null }],
    metadata: readNotebook(path.join(repoRoot, 'notebooks', 'explore.ipynb')).metadata,
    nbformat: 4,
    nbformat_minor: 5,
  });
  const ran = await executeIn(worker, source, { outDir: path.join(outDir, 'readme'), timeoutSec: 120 });
  const stdout = readNotebook(ran.notebook)
    .cells.flatMap((cell) => cell.outputs ?? [])
    .filter((output) => output.name === 'stdout')
    .map((output) => (Array.isArray(output.text) ? output.text.join('') : (output.text ?? '')))
    .join('');
  readme = { errors: ran.errors, stdout };
}, 240_000);

afterAll(async () => {
  await worker?.close();
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.rmSync(emptyResults, { recursive: true, force: true });
});

it('notebooks/explore.ipynb is committed as a tslab notebook without outputs', () => {
  expect(committedNotebook('explore.ipynb')).toMatchObject({ kernel: 'tslab', withOutputs: 0 });
});

describe.skipIf(notebookSkipReason !== undefined)('in a tslab kernel started in notebooks/', () => {
  it("runs the README's library example unchanged and prints what the README shows", () => {
    expect(readme.errors).toEqual([]);
    expect(readme.stdout).toBe(readmeExample().output);
  });

  it('explore.ipynb runs without a failing cell, on the example campaign it names', () => {
    expect(explore.errors).toEqual([]);
    const best = chooseCampaigns(['density-cpu'], { resultsDir: emptyResults }).byExperiment['density-cpu'];
    expect(explore.output).toContain(`density-cpu campaign ${best?.campaign.meta.id ?? '?'}`);
    expect(explore.output).toContain('(example');
  });

  it("displays a DataFrame left as a cell's value as a table with its size, cut to 20 rows", () => {
    const cell = explore.notebook.cells.find((candidate) => candidate.id === 'explore-04');
    const html = (cell?.outputs ?? []).map((output) => [output.data?.['text/html'] ?? ''].flat().join('')).join('');
    expect(html).toMatch(/<table class="guestbench-table"[\s\S]*DataFrame: [\d\u202f]+ rows × 16 columns, first 10 and last 10 shown/);
    expect(html).toContain('rows not shown');
    expect((html.match(/<tr>/g) ?? []).length).toBe(1 + 21);
    // no danfojs internals dumped as text
    expect(explore.output).not.toContain('$data');
  });

  it('pivots the mean total time per guest count and backend, as computed here from the same rows', () => {
    const best = chooseCampaigns(['density-cpu'], { resultsDir: emptyResults }).byExperiment['density-cpu'];
    const rows = (best?.campaign.samples ?? []).filter((sample) => sample.metric === 'total_time' && sample.state === 'ok');
    const cell = explore.notebook.cells.find((candidate) => candidate.id === 'explore-08');
    const html = (cell?.outputs ?? []).map((output) => [output.data?.['text/html'] ?? ''].flat().join('')).join('');
    const cells = new Map<string, number[]>();
    for (const row of rows) cells.set(`${row.guests}/${row.backend}`, [...(cells.get(`${row.guests}/${row.backend}`) ?? []), row.value as number]);
    expect(cells.size).toBeGreaterThan(2);
    for (const values of cells.values())
      expect(html).toContain(`>${numberText(values.reduce((sum, value) => sum + value, 0) / values.length, 4)}</td>`);
  });

  it('draws a figure with the library builder and counts every experiment in the results', () => {
    expect(explore.output).toContain('Events per second per guest vs guests running at once');
    const cell = explore.notebook.cells.find((candidate) => candidate.id === 'explore-12');
    const html = (cell?.outputs ?? []).map((output) => [output.data?.['text/html'] ?? ''].flat().join('')).join('');
    for (const experiment of ['density-cpu', 'latency', 'migration']) expect(html).toContain(`>${experiment}</td>`);
  });
});
