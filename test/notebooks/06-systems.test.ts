import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { summarize } from '../../lib/analysis/summarize.js';
import { systemsOverview } from '../../lib/analysis/systems-overview.js';
import { BACKEND_DESCRIPTORS, type BackendName } from '../../lib/model/backends.js';
import { committedNotebook, notebookSkipReason, repoRoot, runNotebook } from '../helpers/notebooks.js';

// real quick campaigns on all six backends, committed as fixtures (VMs under TCG)
const FIXTURES = path.join(repoRoot, 'test/fixtures/campaigns');
const CAMPAIGNS = {
  latency: '2026-12-02T01-18-46Z-e71b',
  'latency-restore': '2026-12-02T01-19-42Z-ed5e',
  'density-cpu': '2026-12-02T01-20-32Z-d09e',
  footprint: '2026-12-02T01-23-24Z-34d3',
} as const;
const dirs = Object.values(CAMPAIGNS).map((id) => path.join(FIXTURES, id));

it('notebooks/06-systems.ipynb is committed as a tslab notebook without outputs', () => {
  expect(committedNotebook('06-systems.ipynb')).toMatchObject({ kernel: 'tslab', withOutputs: 0 });
});

let output: string;
let errors: string[];

beforeAll(async () => {
  if (notebookSkipReason) return;
  const run = await runNotebook('06-systems.ipynb', {
    GUESTBENCH_SYSTEMS_CAMPAIGNS: dirs.join(','),
    GUESTBENCH_RESULTS: path.join(repoRoot, 'test/fixtures/none'),
  });
  errors = run.errors;
  output = run.output;
  expect(run.html).toContain('Plotly.newPlot');
}, 240_000);

describe.skipIf(notebookSkipReason !== undefined)('notebooks/06-systems.ipynb on committed campaigns', () => {
  const overview = systemsOverview({
    latency: loadCampaign(path.join(FIXTURES, CAMPAIGNS.latency)),
    'latency-restore': loadCampaign(path.join(FIXTURES, CAMPAIGNS['latency-restore'])),
    'density-cpu': loadCampaign(path.join(FIXTURES, CAMPAIGNS['density-cpu'])),
    footprint: loadCampaign(path.join(FIXTURES, CAMPAIGNS.footprint)),
  });
  const system = (backend: BackendName) => overview.rows.find((row) => row.backend === backend)!;
  const MIB = 1024 * 1024;

  it('runs headless without a failing cell, naming its campaigns and the experiments it has none of', () => {
    expect(errors).toEqual([]);
    for (const id of Object.values(CAMPAIGNS)) expect(output).toContain(id);
    expect(output).toContain('no density-fileio campaign found');
    expect(output).toContain('no migration campaign found');
    expect(output).toContain('VMs ran under TCG');
  });

  it('says its context once for all its campaigns: one campaigns table, one TCG caveat, one capability and version list', () => {
    const count = (text: string) => output.split(text).length - 1;
    expect(count('The campaigns this page reads')).toBe(1);
    expect(count('<b>VMs ran under TCG</b>')).toBe(1);
    expect(count('What this host could not do')).toBe(1);
    expect(count('Tool versions')).toBe(1);
    expect(count('<b>Examples from another host</b>')).toBeLessThanOrEqual(1);
    // a capability every campaign lacked is one line, not one per campaign
    expect(count('>kvm-acceleration<')).toBe(1);
  });

  it("shows cold / restore beside the two values it is the ratio of, from one campaign, and the host's memory drop only where resolved", () => {
    expect(output).toContain('cold / restore, paired per repeat (latency-restore)');
    expect(output).toContain(system('docker').restoreCold!.mean.toFixed(3));
    // the committed footprint campaign ran 2 repeats: too few to tell the host's drop from its noise
    expect(output).toContain('below what this host can resolve');
    expect(output).toContain('too few for a 95% interval');
    expect(output).not.toMatch(/>-\d+\.\d<\/td>/);
  });

  it('sets every system in one table with its measured values, and Xen and OSv with why they do not run', () => {
    expect(overview.rows.map((row) => row.backend)).toEqual(BACKEND_DESCRIPTORS.map((descriptor) => descriptor.name));
    expect(output).toContain('Every system on this host: start-up, restore, memory per idle guest, density slopes');
    for (const label of ['Docker containers', 'podman containers', 'LXC containers', 'VMs (tcg)', 'microVMs (tcg)'])
      expect(output).toContain(`>${label}<`);
    expect(output).toContain(system('lxc').coldStart!.mean.toFixed(3));
    expect(output).toContain(system('microvm').restore!.mean.toFixed(3));
    expect(output).toContain((system('kvm').footprintOne!.mean / MIB).toFixed(1));
    expect(output).toContain((system('podman').footprintOne!.mean / MIB).toFixed(1));
    expect(output).toContain('Xen virtual machines');
    expect(output).toContain('Xen is a type-1 hypervisor');
    expect(output).toContain('OSv unikernels');
    expect(output).toContain('OSv is not packaged by Debian');
  });

  it('draws start-up, memory per guest and density slopes with every system in its own colour, in legend order', () => {
    for (const title of [
      'Start-up of one guest per system: cold start, restore, shutdown',
      'Host memory per idle guest vs guests running',
      'Change per added guest, relative to the bare host at N = 1',
    ])
      expect(output).toContain(title);
    for (const descriptor of BACKEND_DESCRIPTORS) expect(output).toContain(descriptor.color);
    // the footprint figure's series, in the backend table's order
    const at = ['"name":"Docker containers"', '"name":"podman containers"', '"name":"LXC containers"', '"name":"VMs (tcg)"', '"name":"microVMs (tcg)"'].map(
      (name) => output.indexOf(name),
    );
    expect(at.every((index) => index >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(output).toContain(String(system('microvm').slopes[0]!.slope));
    // the footprint's parts in MiB: Docker's shim at N = 1
    const parts = summarize(loadCampaign(path.join(FIXTURES, CAMPAIGNS.footprint)).samples);
    const shim = parts.find((row) => row.backend === 'docker' && row.guests === 1 && row.metric === 'footprint_shim_pss')!;
    expect(output).toContain('The footprint per guest and its parts (MiB, means over repeats)');
    expect(output).toContain(`>${(shim.mean / MIB).toFixed(1)}<`);
  });

  it('lists what each system could not do here with the reason its rows recorded', () => {
    expect(output).toContain('Rows without a value, per system and experiment');
    expect(output).toContain('native lacks a timed start and shutdown (the bare host does not boot)');
    expect(system('native').couldNot.map((item) => item.experiment)).toContain('footprint');
  });
});
