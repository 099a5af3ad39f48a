/**
 * Every claim of data/thesis/claims.jsonl evaluated against every committed fixture campaign of its
 * experiment (real quick campaigns from a 2-core host without hardware virtualisation, so VMs ran
 * under TCG): the verdicts asserted, and every line kept in a snapshot.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimLine } from '../../../lib/analysis/claims/claim-text.js';
import { countVerdicts, evaluateClaim } from '../../../lib/analysis/claims/evaluate-claims.js';
import { loadCampaign } from '../../../lib/analysis/load-campaign.js';
import { loadClaims } from '../../../lib/thesis/index.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/campaigns');
const campaigns = fs
  .readdirSync(FIXTURES)
  .filter((id) => fs.existsSync(path.join(FIXTURES, id, 'campaign.json')))
  .map((id) => loadCampaign(path.join(FIXTURES, id)));
const claims = loadClaims();

/** Each claim against each fixture campaign of its experiment. */
const results = campaigns.flatMap((campaign) =>
  claims
    .filter((claim) => claim.experiment === campaign.meta.experiment)
    .map((claim) => evaluateClaim(claim, { id: campaign.meta.id, samples: campaign.samples })),
);
const verdict = (campaign: string, claim: string) =>
  results.find((result) => result.campaign === campaign && result.claim.id === claim)?.verdict;

describe('the claims on the committed fixture campaigns', () => {
  it('evaluates every claim against some campaign of its experiment (footprint has no claims)', () => {
    expect(new Set(results.map((result) => result.claim.id)).size).toBe(claims.length);
  });

  it('gives the verdicts these campaigns support', () => {
    // counted once per quantity and campaign: restatements and the claims of a group together
    expect(countVerdicts(results)).toEqual({ holds: 0, fails: 0, inconclusive: 4, 'not measured': 71 });
    const reason = (campaign: string, claim: string) =>
      results.find((result) => result.campaign === campaign && result.claim.id === claim)?.reason;
    // a TCG VM's own quantity at one N is an emulation artefact: memory sizes, load, cold boot over restore
    for (const id of ['6.5.1-clean-vm-memory-flat', '6.5.2-vm-downtime-load-flat'])
      expect(reason('2026-12-02T00-04-54Z-2406', id)).toMatch(/kvm ran under TCG .*emulation artefact/);
    for (const id of ['5.0.3-restore-vm-3x', '5.0.3-restore-vm-10x', '7.1-restore-helps-vms'])
      expect(reason('2026-11-22T00-53-00Z-abdb', id)).toMatch(
        /^kvm ran under TCG \(software emulation\): its cold_boot_time against restore_time at one N is an emulation artefact/,
      );
    // ... and this host cannot decide them, whatever it runs
    expect(
      results.find(
        (result) => result.campaign === '2026-11-22T00-53-00Z-abdb' && result.claim.id === '5.0.3-restore-vm-3x',
      )?.plan,
    ).toMatchObject({ state: 'host', why: expect.stringMatching(/VMs run under TCG here/) });
    // the quick profile has one loaded memory size, so a claim comparing sizes cannot be told
    expect(verdict('2026-12-02T00-04-54Z-2406', '6.5.1-loaded-vm-memory-small-rise')).toBe('not measured');
    expect(reason('2026-12-02T00-04-54Z-2406', '6.5.1-loaded-vm-memory-small-rise')).toMatch(
      /one memory size of the loaded 1-vCPU configurations \(loaded-1cpu-256m\)/,
    );
    // these campaigns stop at N=2 or 4 for VMs and N=4 (N=8 for latency) for containers: N=8 claims are not measured
    expect(verdict('2026-12-02T01-20-32Z-d09e', '4.5.1-cpu-total-n8')).toBe('not measured');
    expect(verdict('2026-11-22T00-58-49Z-a4c6', '4.5.3-mysql-vm-events-halve')).toBe('not measured');
    // a VM under TCG is not set against a container or the bare host
    expect(verdict('2026-11-22T00-31-15Z-221f', '4.5.2-fileio-vm-n1-like-native')).toBe('not measured');
    expect(verdict('2026-12-02T00-04-54Z-2406', '6.5.1-migration-vm-20x')).toBe('not measured');
    // the interval of one container against the bare host crosses the 10% band
    expect(verdict('2026-11-22T00-31-15Z-221f', '4.5.2-fileio-container-n1-like-native')).toBe('inconclusive');
    expect(verdict('2026-11-22T00-50-57Z-8d6d', '7.1-boot-container-flat-n8')).toBe('inconclusive');
    // one repeat of a container's restore: no interval, no verdict, and a longer campaign would give one
    expect(verdict('2026-12-02T01-19-42Z-ed5e', '5.0.3-restore-container-no-gain')).toBe('inconclusive');
    expect(
      results.find(
        (result) =>
          result.campaign === '2026-12-02T01-19-42Z-ed5e' && result.claim.id === '5.0.3-restore-container-no-gain',
      )?.plan,
    ).toMatchObject({ state: 'campaign', experiment: 'latency-restore', backends: ['docker'], repeats: 3 });
    // the migration campaign without a container cannot answer the container claims
    expect(verdict('2026-11-22T03-04-42Z-ea66', '6.5.2-downtime-container-double')).toBe('not measured');
  });

  it('prints one line per claim and campaign', async () => {
    const text = results.map((result) => `${result.campaign}: ${claimLine(result)}`).join('\n');
    await expect(`${text}\n`).toMatchFileSnapshot('snapshots/fixture-claims.txt');
  });
});
