/**
 * notebooks/00-thesis.ipynb runs headless with the tslab kernel, without errors, and shows every
 * printed table, the charts (plotly embedded) and the inconsistency list. It needs no campaign.
 */
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInconsistencies } from '../../lib/thesis/index.js';
import { committedNotebook, notebookSkipReason, repoRoot, runNotebook, type NotebookRun } from '../helpers/notebooks.js';

describe('notebooks/00-thesis.ipynb as committed', () => {
  it('is a tslab notebook without outputs', () => {
    const notebook = committedNotebook('00-thesis.ipynb');
    expect(notebook.kernel).toBe('tslab');
    expect(notebook.codeCells).toBeGreaterThan(0);
    expect(notebook.withOutputs).toBe(0);
  });
});

describe.skipIf(notebookSkipReason !== undefined)('notebooks/00-thesis.ipynb executed headless', () => {
  let run: NotebookRun;
  let output = '';

  beforeAll(async () => {
    run = await runNotebook('00-thesis.ipynb');
    output = run.output;
  }, 240_000);

  it('runs without errors', () => {
    console.log(`notebooks/00-thesis.ipynb executed in ${run.seconds.toFixed(1)} s`);
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
    expect(run.html).toContain('guestbench-figure');
  });

  it('lists every inconsistency and summarises the danfojs frame', () => {
    for (const { id } of loadInconsistencies(path.join(repoRoot, 'data', 'thesis'))) expect(output, id).toContain(`data-inconsistency="${id}"`);
    expect(output).toMatch(/thesisFrame\(\): \d+ rows x 17 columns/);
    expect(output).toContain('Table 5.1 boot times: 6.12, 6.3, 7.86, 9, 30.77 s');
  });
});
