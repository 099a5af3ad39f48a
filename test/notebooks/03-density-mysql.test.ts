import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { summarize } from '../../lib/analysis/summarize.js';
import { claimRowsShown, committedNotebook, notebookSkipReason, repoRoot, runNotebook } from '../helpers/notebooks.js';
import { meanIn } from '../helpers/summary.js';

// a real quick density-mysql campaign (native 1; containers 1, 2, 4; VMs 1, 2 under TCG; 3 repeats)
const FIXTURE = path.join(repoRoot, 'test/fixtures/campaigns/2026-11-22T00-58-49Z-a4c6');
// density-cpu: the notebook must not show it, and must not fail without a campaign of its own
const CPU_FIXTURE = path.join(repoRoot, 'test/fixtures/campaigns/2026-11-21T23-53-45Z-04de');

it('notebooks/03-density-mysql.ipynb is committed as a tslab notebook without outputs', () => {
  expect(committedNotebook('03-density-mysql.ipynb')).toMatchObject({ kernel: 'tslab', withOutputs: 0 });
});

let output = '';
let errors: string[] = [];
let bare = { output: '', errors: [] as string[] };

beforeAll(async () => {
  if (notebookSkipReason) return;
  const run = await runNotebook('03-density-mysql.ipynb', { GUESTBENCH_CAMPAIGN: FIXTURE });
  errors = run.errors;
  output = run.output;
  expect(run.html.includes('Plotly.newPlot')).toBe(true);
  bare = await runNotebook('03-density-mysql.ipynb', { GUESTBENCH_CAMPAIGN: CPU_FIXTURE, GUESTBENCH_RESULTS: path.join(repoRoot, 'test/fixtures/no-such-results') });
}, 300_000);

describe.skipIf(notebookSkipReason !== undefined)('notebooks/03-density-mysql.ipynb', () => {
  const summary = summarize(loadCampaign(FIXTURE).samples);
  const mean = meanIn(summary);

  it('runs headless on a committed campaign without a failing cell, with the TCG caveat', () => {
    expect(errors).toEqual([]);
    expect(output.includes('2026-11-22T00-58-49Z-a4c6'), String('2026-11-22T00-58-49Z-a4c6')).toBe(true);
    expect(output.includes('VMs ran under TCG'), String('VMs ran under TCG')).toBe(true);
  });

  it('states the sysbench and server differences and what ran', () => {
    expect(output.includes('How this campaign ran MariaDB and sysbench'), String('How this campaign ran MariaDB and sysbench')).toBe(true);
    expect(output.includes('oltp_read_write, 1 table of 10,000 rows, 6 threads'), String('oltp_read_write, 1 table of 10,000 rows, 6 threads')).toBe(true);
    expect(output.includes('never stored'), String('never stored')).toBe(true);
  });

  it('draws Figures 4.14-4.19 and Tables 4.4-4.5 with our means beside the thesis values', () => {
    for (const title of ['Figures 4.14 & 4.15: transactions per second', 'Figures 4.14 & 4.15: reads', 'Figures 4.16 & 4.17', 'Figure 4.18', 'Figure 4.19', 'Tables 4.4 (VMs, N=8) and 4.5']) {
      expect(output.includes(title), title).toBe(true);
    }
    expect(output.includes(String(mean('kvm', 2, 'transactions_per_s'))), String(String(mean('kvm', 2, 'transactions_per_s')))).toBe(true);
    expect(output.includes(mean('docker', 4, 'transactions_per_s').toFixed(1)), String(mean('docker', 4, 'transactions_per_s').toFixed(1))).toBe(true);
    // the thesis: 30.5 and 2.5 transactions/s, 1979 and 176 events at N=8, Table 4.4's 3472.17 ms
    for (const value of ['30.5', '2.5</td>', '1979', '176', '3472.17']) expect(output.includes(value), value).toBe(true);
  });

  it('checks the thesis claims against the campaign with the one evaluator', () => {
    const shown = claimRowsShown(output, '03-density-mysql', FIXTURE);
    expect(shown.claims).toBeGreaterThan(5);
    expect(shown.missing).toEqual([]);
  });

  it('without a density-mysql campaign: ignores the density-cpu one, shows the thesis alone, fails no cell', () => {
    expect(bare.errors).toEqual([]);
    expect(bare.output.includes('names a density-cpu campaign'), String('names a density-cpu campaign')).toBe(true);
    expect(bare.output.includes('No density-mysql campaign to show'), String('No density-mysql campaign to show')).toBe(true);
    expect(bare.output.includes('data-verdict="not measured"'), String('data-verdict="not measured"')).toBe(true);
    expect(bare.output.includes('data-verdict="true"'), String('data-verdict="true"')).toBe(false);
    expect(bare.output.includes('30.5'), String('30.5')).toBe(true);
  });
});
