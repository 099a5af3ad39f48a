import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { summarize } from '../../lib/analysis/summarize.js';
import { claimRowsShown, committedNotebook, notebookSkipReason, repoRoot, runNotebook } from '../helpers/notebooks.js';
import { meanIn } from '../helpers/summary.js';

// a real quick density-fileio campaign (native 1; containers 1, 2, 4; VMs 1, 2 under TCG; 3 repeats)
const FIXTURE = path.join(repoRoot, 'test/fixtures/campaigns/2026-11-22T00-31-15Z-221f');

it('notebooks/02-density-fileio.ipynb is committed as a tslab notebook without outputs', () => {
  expect(committedNotebook('02-density-fileio.ipynb')).toMatchObject({ kernel: 'tslab', withOutputs: 0 });
});

let output = '';
let errors: string[] = [];

beforeAll(async () => {
  if (notebookSkipReason) return;
  const run = await runNotebook('02-density-fileio.ipynb', { GUESTBENCH_CAMPAIGN: FIXTURE });
  errors = run.errors;
  output = run.output;
  expect(run.html.includes('Plotly.newPlot')).toBe(true);
}, 240_000);

describe.skipIf(notebookSkipReason !== undefined)('notebooks/02-density-fileio.ipynb on a committed campaign', () => {
  const summary = summarize(loadCampaign(FIXTURE).samples);
  const mean = meanIn(summary);

  it('runs headless without a failing cell, naming the campaign and the TCG caveat', () => {
    expect(errors).toEqual([]);
    expect(output.includes('2026-11-22T00-31-15Z-221f'), String('2026-11-22T00-31-15Z-221f')).toBe(true);
    expect(output.includes('VMs ran under TCG'), String('VMs ran under TCG')).toBe(true);
  });

  it('says how the files were stored and that O_DIRECT defeats caching in the quick profile', () => {
    expect(output.includes('How this campaign ran sysbench fileio'), String('How this campaign ran sysbench fileio')).toBe(true);
    expect(output.includes('anonymous volume per container'), String('anonymous volume per container')).toBe(true);
    expect(output.includes('cache=none'), String('cache=none')).toBe(true);
    expect(output.includes('O_DIRECT in the VM and cache=none on the host: no page cache on the path'), String('O_DIRECT in the VM and cache=none on the host: no page cache on the path')).toBe(true);
    expect(output.includes('NO: the numbers can measure memory'), String('NO: the numbers can measure memory')).toBe(false);
  });

  it('draws Figures 4.4-4.13 with our means beside the thesis values', () => {
    for (const title of ['Figures 4.4 &amp; 4.5', 'Figures 4.6 &amp; 4.7: reads', 'Figures 4.6 &amp; 4.7: writes', 'Figures 4.8 &amp; 4.9', 'Figures 4.10 &amp; 4.11', 'Figure 4.12', 'Figure 4.13']) {
      expect(output.includes(title.replaceAll('&amp;', '&')), title).toBe(true);
    }
    // exact means in the figures' JSON; 3 decimals in the speed table
    expect(output.includes(String(mean('kvm', 2, 'total_mib_per_s'))), String(String(mean('kvm', 2, 'total_mib_per_s')))).toBe(true);
    expect(output.includes(mean('docker', 4, 'total_mib_per_s').toFixed(3)), String(mean('docker', 4, 'total_mib_per_s').toFixed(3))).toBe(true);
    // the thesis's values: 34854 events (as requests), 512 KiB/s = 0.5 MiB/s, Table 4.3
    expect(output.includes('34854'), String('34854')).toBe(true);
    expect(output.includes('>0.5<'), String('>0.5<')).toBe(true);
    expect(output.includes('Table 4.3'), String('Table 4.3')).toBe(true);
    expect(output.includes('3.59'), String('3.59')).toBe(true);
  });

  it('checks the thesis claims against the campaign with the one evaluator', () => {
    const shown = claimRowsShown(output, '02-density-fileio', FIXTURE);
    expect(shown.claims).toBeGreaterThan(5);
    expect(shown.missing).toEqual([]);
  });
});
