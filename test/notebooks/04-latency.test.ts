import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { summarizeRestore } from '../../lib/analysis/latency-restore-summary.js';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { summarize } from '../../lib/analysis/summarize.js';
import { committedNotebook, notebookSkipReason, repoRoot, runNotebook } from '../helpers/notebooks.js';
import { meanIn } from '../helpers/summary.js';

// real quick campaigns (docker, kvm under TCG) committed as fixtures
const LATENCY = path.join(repoRoot, 'test/fixtures/campaigns/2026-11-22T00-50-57Z-8d6d');
const RESTORE = path.join(repoRoot, 'test/fixtures/campaigns/2026-11-22T00-53-00Z-abdb');

it('notebooks/04-latency.ipynb is committed as a tslab notebook without outputs', () => {
  expect(committedNotebook('04-latency.ipynb')).toMatchObject({ kernel: 'tslab', withOutputs: 0 });
});

let output: string;
let errors: string[];

beforeAll(async () => {
  if (notebookSkipReason) return;
  // the restore campaign through $GUESTBENCH_CAMPAIGN, the latency one through the other variable:
  // the notebook sorts them by experiment
  const run = await runNotebook('04-latency.ipynb', { GUESTBENCH_CAMPAIGN: RESTORE, GUESTBENCH_RESTORE_CAMPAIGN: LATENCY, GUESTBENCH_RESULTS: path.join(repoRoot, 'test/fixtures/none') });
  errors = run.errors;
  output = run.output;
  expect(run.html).toContain('Plotly.newPlot');
}, 240_000);

describe.skipIf(notebookSkipReason !== undefined)('notebooks/04-latency.ipynb on committed campaigns', () => {
  const summary = summarize(loadCampaign(LATENCY).samples);
  const mean = meanIn(summary);
  const restore = summarizeRestore(loadCampaign(RESTORE).samples);

  it('runs headless without a failing cell, naming both campaigns and the TCG caveat', () => {
    expect(errors).toEqual([]);
    expect(output).toContain('2026-11-22T00-50-57Z-8d6d');
    expect(output).toContain('2026-11-22T00-53-00Z-abdb');
    expect(output).toContain('VMs ran under TCG');
  });

  it('states the readiness and shutdown definitions the campaign recorded', () => {
    expect(output).toContain('a process inside the guest has written a marker');
    expect(output).toContain('guest-shutdown');
    expect(output).toContain('trap &#39;exit 0&#39; TERM');
  });

  it('shows Tables 5.1 and 5.2: ours (with CIs) beside the thesis, with ratios', () => {
    expect(output).toContain('Table 5.1: VMs, boot and shutdown time (s), this host beside the thesis');
    expect(output).toContain('Table 5.2: containers, boot and shutdown time (s), this host beside the thesis');
    for (const value of ['6.12', '30.77', '3.24', '11.35', '0.44', '0.45']) expect(output).toContain(`>${value}<`);
    expect(output).toContain(mean('kvm', 1, 'boot_time').toFixed(3));
    expect(output).toContain(mean('docker', 8, 'shutdown_time').toFixed(3));
    // the ratio ours / thesis of the VM boot at N = 1
    expect(output).toContain(`>${(mean('kvm', 1, 'boot_time') / 6.12).toFixed(2)}<`);
  });

  it('draws Figure 5.1 from the campaign (exact means in the spec) with the thesis series', () => {
    expect(output).toContain('Figure 5.1: boot and shutdown time of one more guest vs guests already running');
    for (const name of ['VMs (tcg) boot, this host', 'containers shutdown, this host', 'VMs (KVM) boot, thesis', 'containers shutdown, thesis']) expect(output).toContain(name);
    expect(output).toContain(String(mean('kvm', 2, 'boot_time')));
    expect(output).toContain(String(mean('docker', 0, 'boot_time')));
  });

  it('breaks start-up and shutdown down by phase and sets the engine\'s timestamps beside the runner\'s', () => {
    for (const title of ['VM boot by phase', 'Container start by phase', 'VM shutdown by phase']) expect(output).toContain(title);
    expect(output).toContain('guest kernel, initramfs, init (guest clock at the marker)');
    expect(output).toContain('start (request → the process printed its marker)');
    expect(output).toContain(mean('kvm', 0, 'phase_vmm').toFixed(3));
    expect(output).toContain('harness_overhead (s)');
    expect(output).toContain(mean('docker', 1, 'harness_overhead').toFixed(3));
  });

  it('draws Figure 5.2: the VM restore speed-up, and the container restore as unsupported with its reason', () => {
    const vm = restore.find((row) => row.backend === 'kvm')!;
    const container = restore.find((row) => row.backend === 'docker')!;
    expect(output).toContain('Figure 5.2: cold boot vs restore from a saved state');
    expect(output).toContain(vm.speedup!.mean.toFixed(2));
    expect(output).toContain(vm.restore!.mean.toFixed(3));
    expect(container.restoreState).toBe('unsupported');
    expect(output).toContain('containers: restore unsupported');
    expect(output).toContain('criu check');
    expect(output).toContain('What sections 5.0.3 and 7.1 state about checkpoint/restore, checked on this host');
    expect(output).toContain('data-claim="7.1-restore-helps-vms"');
    expect(output).toContain('VM cold boot vs restore, by phase');
  });
});
