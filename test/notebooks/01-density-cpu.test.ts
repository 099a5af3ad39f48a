import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { BASELINE_NOTE, relativeToNative } from '../../lib/analysis/relative.js';
import { summarize } from '../../lib/analysis/summarize.js';
import { claimRowsShown, committedNotebook, notebookSkipReason, repoRoot, runNotebook } from '../helpers/notebooks.js';
import { meanIn } from '../helpers/summary.js';

// a real quick campaign (native, docker, kvm under TCG) committed as a fixture
const FIXTURE = path.join(repoRoot, 'test/fixtures/campaigns/2026-11-21T23-53-45Z-04de');

it('notebooks/01-density-cpu.ipynb is committed as a tslab notebook without outputs', () => {
  expect(committedNotebook('01-density-cpu.ipynb')).toMatchObject({ kernel: 'tslab', withOutputs: 0 });
});

let output: string;
let errors: string[];

beforeAll(async () => {
  if (notebookSkipReason) return;
  const run = await runNotebook('01-density-cpu.ipynb', { GUESTBENCH_CAMPAIGN: FIXTURE });
  errors = run.errors;
  output = run.output;
  expect(run.html).toContain('Plotly.newPlot');
}, 240_000);

describe.skipIf(notebookSkipReason !== undefined)('notebooks/01-density-cpu.ipynb on a committed campaign', () => {
  const summary = summarize(loadCampaign(FIXTURE).samples);
  const mean = meanIn(summary);

  it('runs headless without a failing cell', () => {
    expect(errors).toEqual([]);
  });

  it('names the campaign and warns that VMs ran under TCG', () => {
    expect(output).toContain('2026-11-21T23-53-45Z-04de');
    expect(output).toContain('VMs ran under TCG');
    expect(output).toContain('kvm_pvm');
  });

  it('puts this host beside the thesis machine (Table 4.1)', () => {
    expect(output).toContain('Intel (R) Core (TM) i7-4770 CPU@3.40 GHz');
    expect(output).toContain('Intel(R) Xeon(R) Processor');
  });

  it('draws Figure 4.1 from the campaign: every series, our means and the thesis values', () => {
    for (const name of ['native, this host', 'containers, this host', 'VMs (tcg), this host', 'native, thesis', 'containers, thesis']) expect(output).toContain(name);
    // the figure's JSON carries the exact means; the tables carry them to 2 decimals
    expect(output).toContain(String(mean('kvm', 2, 'total_time')));
    expect(output).toContain((mean('docker', 4, 'total_time') as number).toFixed(2));
    expect(output).toContain('~35.94');
    expect(output).toContain('42.05');
  });

  it("draws Figure 4.1 relative to the bare host: the baseline is 1, the others carry Welch's interval of the ratio", () => {
    const relative = relativeToNative(loadCampaign(FIXTURE).samples, 'total_time');
    const docker4 = relative.find((item) => item.backend === 'docker' && item.guests === 4);
    expect(docker4?.ciHigh).not.toBeNull();
    expect(output).toContain('Figure 4.1, relative');
    expect(output).toContain(BASELINE_NOTE);
    expect(output).toContain(String((docker4?.ciHigh as number) - (docker4?.mean as number)));
  });

  it('shows Table 4.2 with the thesis native profile and ours', () => {
    expect(output).toContain('Table 4.2');
    expect(output).toContain('3.59');
    expect(output).toContain('9.07');
    expect(output).toContain((mean('native', 1, 'latency_avg') as number).toFixed(3));
  });

  it('draws Figures 4.2 and 4.3 and embeds plotly for offline viewing', () => {
    expect(output).toContain('Figure 4.2: per-request time, containers');
    expect(output).toContain('Figure 4.3: per-request time, VMs');
    expect(output).toContain('plotly.js embedded for offline viewing');
  });

  it('checks the thesis claims against the campaign with the one evaluator', () => {
    const shown = claimRowsShown(output, '01-density-cpu', FIXTURE);
    expect(shown.claims).toBeGreaterThan(3);
    expect(shown.missing).toEqual([]);
  });
});
