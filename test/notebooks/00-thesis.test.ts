/**
 * notebooks/00-thesis.ipynb runs headless with the tslab kernel, without errors, and shows every
 * printed table, the charts (plotly embedded) and the inconsistency list. It needs no campaign.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, execaSync } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JUPYTER, PYTHON, executeNotebook, notebookOutputText, type ExecutedNotebook, type NotebookFile } from '../../lib/notebook/execute-notebook.js';
import { loadInconsistencies } from '../../lib/thesis/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const source = path.join(repoRoot, 'notebooks', '00-thesis.ipynb');

function jupyterProblem(): string | undefined {
  if (execaSync(JUPYTER, ['nbconvert', '--version'], { reject: false }).exitCode !== 0) return `Jupyter nbconvert does not run (${JUPYTER})`;
  const specs = execaSync(PYTHON, ['-c', 'from jupyter_client.kernelspec import find_kernel_specs; print(" ".join(find_kernel_specs()))'], { reject: false });
  if (specs.exitCode !== 0 || !String(specs.stdout).split(' ').includes('tslab')) return 'the tslab Jupyter kernel is not registered';
  return undefined;
}
const problem = jupyterProblem();
if (problem) console.warn(`SKIPPED notebooks/00-thesis.ipynb execution: ${problem} (fix: bash scripts/setup.sh)`);

describe('notebooks/00-thesis.ipynb as committed', () => {
  it('is a tslab notebook without outputs', () => {
    const notebook = JSON.parse(fs.readFileSync(source, 'utf8')) as NotebookFile & { metadata: { kernelspec: { name: string } } };
    expect(notebook.metadata.kernelspec.name).toBe('tslab');
    const code = notebook.cells.filter((cell) => cell.cell_type === 'code');
    expect(code.length).toBeGreaterThan(0);
    expect(code.every((cell) => (cell.outputs ?? []).length === 0)).toBe(true);
  });
});

describe.skipIf(problem !== undefined)('notebooks/00-thesis.ipynb executed headless', () => {
  let outDir = '';
  let run: ExecutedNotebook;
  let output = '';
  let seconds = 0;

  beforeAll(async () => {
    // the notebook imports the compiled library: build it (type errors elsewhere in lib/ do not stop tsc emitting)
    const build = await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot, reject: false, all: true });
    for (const file of fs.readdirSync(path.join(repoRoot, 'lib', 'thesis-report'))) {
      const compiled = path.join(repoRoot, 'dist', 'lib', 'thesis-report', file.replace(/\.ts$/, '.js'));
      const fresh = fs.existsSync(compiled) && fs.statSync(compiled).mtimeMs >= fs.statSync(path.join(repoRoot, 'lib', 'thesis-report', file)).mtimeMs;
      if (!fresh) throw new Error(`npx tsc -p tsconfig.build.json did not emit ${compiled}: ${build.all ?? ''}`);
    }
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-00-thesis-'));
    const started = Date.now();
    run = await executeNotebook(source, { outDir, timeoutSec: 170 });
    seconds = (Date.now() - started) / 1000;
    output = notebookOutputText(JSON.parse(fs.readFileSync(run.notebook, 'utf8')) as NotebookFile);
  }, 240_000);

  afterAll(() => {
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('runs without errors', () => {
    console.log(`notebooks/00-thesis.ipynb executed in ${seconds.toFixed(1)} s`);
    expect(run.errors).toEqual([]);
  });

  it('shows every printed table with its key cells', () => {
    for (const caption of [
      'Table 4.1: System Configuration',
      'Table 4.2: Native Performance Profile',
      'Table 4.3: Native Performance Profile for File I/O',
      'Table 4.4: Per req. stats of 8 running VMs',
      'Table 4.5: Per req. stats of 8 running Containers',
      'Table 5.1: Boot up &amp; Shut down time of VMs',
      'Table 5.2: Boot up &amp; Shut down time of Containers',
      'Table 6.1: Migration Profile for VMs running mprime',
    ]) {
      expect(output, caption).toContain(caption);
    }
    expect(output).toContain('Intel (R) Core (TM) i7-4770 CPU@3.40 GHz'); // Table 4.1
    expect(output).toContain('>3.59 ms'); // Table 4.2
    expect(output).toContain('>3472.17 ms'); // Tables 4.4, 4.5
    expect(output).toContain('>6.12<'); // Table 5.1 (and 6.1)
    expect(output).toContain('>30.77<');
    expect(output).toContain('>0.44<'); // Table 5.2
  });

  it('embeds plotly once and draws the charts', () => {
    expect(output.split('plotly.js embedded for offline viewing')).toHaveLength(2);
    expect(output).toContain('Plotly.newPlot');
    expect(output).toContain('Figure 4.1: CPU test, total time per guest');
    expect(output).toContain('Figures 6.3-6.5: migration downtime');
    expect(fs.readFileSync(run.html, 'utf8')).toContain('guestbench-figure');
  });

  it('lists every inconsistency and summarises the danfojs frame', () => {
    for (const { id } of loadInconsistencies(path.join(repoRoot, 'data', 'thesis'))) expect(output, id).toContain(`data-inconsistency="${id}"`);
    expect(output).toMatch(/thesisFrame\(\): \d+ rows x 17 columns/);
    expect(output).toContain('Table 5.1 boot times: 6.12, 6.3, 7.86, 9, 30.77 s');
  });
});
