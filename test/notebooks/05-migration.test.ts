import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { summarizeMigration } from '../../lib/analysis/migration-summary.js';
import { committedNotebook, notebookSkipReason, repoRoot, runNotebook } from '../helpers/notebooks.js';

// a real quick campaign committed as a fixture: kvm under TCG, podman containers migrated by CRIU, docker unsupported
const MIGRATION = path.join(repoRoot, 'test/fixtures/campaigns/2026-12-02T00-04-54Z-2406');
// a latency campaign: what `guestbench report --campaign` may pass to every notebook
const OTHER = path.join(repoRoot, 'test/fixtures/campaigns/2026-11-22T00-50-57Z-8d6d');

it('notebooks/05-migration.ipynb is committed as a tslab notebook without outputs', () => {
  expect(committedNotebook('05-migration.ipynb')).toMatchObject({ kernel: 'tslab', withOutputs: 0 });
});

let output: string;
let errors: string[];

beforeAll(async () => {
  if (notebookSkipReason) return;
  const run = await runNotebook('05-migration.ipynb', { GUESTBENCH_CAMPAIGN: MIGRATION, GUESTBENCH_RESULTS: path.join(repoRoot, 'test/fixtures/none') });
  errors = run.errors;
  output = run.output;
  expect(run.html).toContain('Plotly.newPlot');
}, 240_000);

describe.skipIf(notebookSkipReason !== undefined)('notebooks/05-migration.ipynb on the committed campaign', () => {
  const configs = summarizeMigration(loadCampaign(MIGRATION).samples);
  const config = (id: string, backend = 'kvm') =>
    configs.find((candidate) => candidate.config === id && candidate.backend === backend)!;

  it('runs headless without a failing cell, naming the campaign and the TCG caveat', () => {
    expect(errors).toEqual([]);
    expect(output).toContain('2026-12-02T00-04-54Z-2406');
    expect(output).toContain('VMs ran under TCG');
  });

  it('prints the set-up from the campaign: namespaces, veth, tc tbf, QMP pre-copy, the disk copied, probe interval, stress-ng', () => {
    expect(output).toContain('network namespaces on this machine joined by a veth pair');
    expect(output).toContain('root tbf rate 1000mbit');
    expect(output).toContain('pre-copy only');
    expect(output).toContain('copied with the migration (QEMU block migration');
    expect(output).toContain('one probe every 5 ms');
    expect(output).toContain('stress-ng --cpu {vcpus}');
  });

  it('shows Table 6.1 done right: exact means per configuration, the thesis beside, and the note that the printed one copies Table 5.1', () => {
    expect(output).toContain('Table 6.1 (done right): migration profile per configuration on this host, with the thesis beside');
    expect(output).toContain(config('clean-1cpu-256m').totalTime.observer!.mean.toFixed(3));
    expect(output).toContain(config('loaded-2cpu-256m').downtime.qemu!.mean.toFixed(1));
    for (const value of ['244.2 (Figure 6.3)', '215.6 (Table 6.1)', '245.6 (Table 6.1)', '274.2 (Table 6.1)', 'printed 2.67 seconds', 'printed 2.21 seconds', '11.79 (Table 6.2)']) expect(output).toContain(value);
    expect(output).toContain('t6.1-copies-t5.1');
    expect(output).toContain('Migration Profile for VMs running mprime');
  });

  it('draws Figures 6.3-6.5 from the campaign (exact means in the specs) with the thesis series apart', () => {
    for (const title of ['Figure 6.3 (a)', 'Figure 6.3 (b)', 'Figure 6.4 (a)', 'Figure 6.4 (b)', 'Figure 6.5 (a)', 'Figure 6.5 (b)', 'Total migration time vs memory size']) expect(output).toContain(title);
    expect(output).toContain(String(config('clean-1cpu-512m').totalTime.observer!.mean));
    expect(output).toContain(String(config('loaded-1cpu-256m').downtime.observer!.mean));
    expect(output).toContain('clean, 1 vCPU: observer, VMs (tcg), this host');
    expect(output).toContain('clean, one mean over 512, 1024, 6144 MiB: VMs (KVM), thesis');
    expect(output).toContain('mean over 1, 2, 4 vCPUs: VMs (KVM), thesis');
  });

  it("shows the podman container beside the VM: Figure 6.5, its downtime's steps, CRIU's statistics, and how it moved", () => {
    expect(output).toContain('podman containers migration method');
    expect(output).toContain('podman container checkpoint --export on the source host');
    expect(output).toContain('no iterative pre-dump');
    expect(output).toContain("Where a container migration's downtime goes");
    expect(output).toContain('Container migration: CRIU&#39;s statistics per configuration');
    expect(output).toContain(String(config('loaded-2cpu-256m', 'podman').checkpoint!.restoreStepMs!.mean));
    expect(output).toContain(config('clean-1cpu-256m', 'podman').checkpoint!.frozenMs!.mean.toFixed(1));
    expect(output).toContain('podman containers, every configuration');
  });

  it('checks the thesis\'s "almost 20 times" and "double" on this host, naming the stand-in for its Docker containers', () => {
    expect(output).toContain('What sections 6.5.1, 6.5.2 and 7.1 state, checked on this host');
    expect(output).toContain('data-claim="6.5.1-migration-vm-20x" data-verdict="not measured"');
    expect(output).toContain('data-claim="6.5.2-downtime-container-double" data-verdict="not measured"');
    expect(output).toContain('kvm ran under TCG (software emulation)');
    expect(output).toContain('for reference: ');
    expect(output).toContain("for the thesis&#39;s docker");
  });

  it("shows Docker as unsupported with the recorded reason, and QEMU's downtime beside the observer's", () => {
    expect(output).toContain('Docker containers: migration unsupported on this host:');
    expect(output).toContain('Docker containers: not measured here, unsupported');
    expect(output).toContain('a second Docker engine');
    expect(output).toContain('Downtime by vantage point, per system and configuration');
    expect(output).toMatch(/<td[^>]*>VMs \(tcg\)<\/td><td[^>]*>clean, 1 vCPU, 256 MiB<\/td>/);
    expect(output).toContain(config('clean-1cpu-256m').downtimeGap!.mean.toFixed(1));
  });

  it('hands over the tidy rows as a DataFrame that keeps who measured each value', () => {
    expect(output).toContain('192 rows x 20 columns: campaign, experiment, backend, accel, runtime, guests');
    expect(output).toContain('config, load, vcpus, memory_mib, measured_by');
  });
});

describe.skipIf(notebookSkipReason !== undefined)('notebooks/05-migration.ipynb given another experiment\'s campaign', () => {
  it('falls back to the newest migration campaign, or to the thesis alone, without failing', async () => {
    const run = await runNotebook('05-migration.ipynb', { GUESTBENCH_CAMPAIGN: OTHER, GUESTBENCH_RESULTS: path.join(repoRoot, 'test/fixtures/none') });
    expect(run.errors).toEqual([]);
    expect(run.output).toContain('No migration campaign to show');
    expect(run.output).toContain('244.2 (Figure 6.3)');
  }, 240_000);
});
