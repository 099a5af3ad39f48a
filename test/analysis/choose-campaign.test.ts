import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseCampaigns, examplesDir } from '../../lib/analysis/choose-campaign.js';
import type { CampaignMeta } from '../../lib/results/campaign-meta.js';
import type { Sample } from '../../lib/results/schema.js';
import { UsageError } from '../../lib/util/errors.js';

const FULL = path.join(examplesDir(), '2026-11-21T23-53-45Z-04de'); // density-cpu: native, docker, kvm
const results = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-choose-'));
afterAll(() => fs.rmSync(results, { recursive: true, force: true }));

/** A copy of the full campaign under `id`, with its rows filtered/rewritten and its state set. */
function variant(id: string, rows: (samples: Sample[]) => Sample[], state: CampaignMeta['state'] = 'complete'): string {
  const dir = path.join(results, id);
  fs.mkdirSync(dir, { recursive: true });
  const meta = JSON.parse(fs.readFileSync(path.join(FULL, 'campaign.json'), 'utf8')) as CampaignMeta;
  fs.writeFileSync(path.join(dir, 'campaign.json'), JSON.stringify({ ...meta, id, state }));
  const samples = fs
    .readFileSync(path.join(FULL, 'samples.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Sample);
  fs.writeFileSync(
    path.join(dir, 'samples.jsonl'),
    rows(samples)
      .map((sample) => JSON.stringify({ ...sample, campaign: id }) + '\n')
      .join(''),
  );
  return dir;
}

describe('chooseCampaigns', () => {
  it('with no campaign at all and nothing named: the best committed example by the same coverage rule, labelled as one', () => {
    const found = chooseCampaigns(['density-cpu', 'latency'], { resultsDir: results });
    expect(found.byExperiment['density-cpu']).toMatchObject({
      origin: 'example',
      campaign: { meta: { id: '2026-12-02T01-20-32Z-d09e' } },
    });
    // the older latency example covers 8 backend x N cells, the newer six-system one 5 (N=0 only)
    expect(found.byExperiment.latency?.campaign.meta.id).toBe('2026-11-22T00-50-57Z-8d6d');
  });

  it('prefers the complete campaign covering most cells over newer one-backend, empty or interrupted ones', () => {
    variant('2026-11-20T00-00-00Z-0001', (rows) => rows);
    variant('2026-11-21T00-00-00Z-0002', (rows) => rows.filter((row) => row.backend === 'native'));
    variant('2026-11-22T00-00-00Z-0003', () => []);
    variant('2026-11-23T00-00-00Z-0004', (rows) => rows, 'interrupted');
    const found = chooseCampaigns(['density-cpu', 'latency'], { resultsDir: results });
    expect(found.byExperiment['density-cpu']).toMatchObject({
      origin: 'best',
      flags: [],
      campaign: { meta: { id: '2026-11-20T00-00-00Z-0001' } },
    });
    // campaigns exist, so no example stands in for the missing latency campaign
    expect(found.byExperiment.latency).toBeUndefined();
    expect(found.notes.join('\n')).toContain('no latency campaign found');
  });

  it('among equally complete campaigns of equal coverage, the newest', () => {
    variant('2026-11-24T00-00-00Z-0005', (rows) => rows);
    const found = chooseCampaigns(['density-cpu'], { resultsDir: results });
    expect(found.byExperiment['density-cpu']?.campaign.meta.id).toBe('2026-11-24T00-00-00Z-0005');
  });

  it('uses a named campaign whatever it holds, and flags it', () => {
    const named = (id: string) =>
      chooseCampaigns(['density-cpu'], { named: [id], resultsDir: results }).byExperiment['density-cpu'];
    expect(named('2026-11-22T00-00-00Z-0003')).toMatchObject({ origin: 'named', flags: ['empty'] });
    // meta.backends lists docker and kvm, which measured nothing
    expect(named('2026-11-21T00-00-00Z-0002')?.flags).toEqual(['partial']);
    expect(named('2026-11-23T00-00-00Z-0004')?.flags).toEqual(['interrupted']);
    const errored = variant(
      '2026-11-25T00-00-00Z-0006',
      (rows) =>
        rows.map((row, index) =>
          index === 0 ? { ...row, state: 'errored', value: undefined, reason: 'boom' } : row,
        ) as Sample[],
    );
    expect(named(errored)?.flags).toEqual(['partial']);
  });

  it('notes a named campaign of another experiment and rejects an unknown one', () => {
    const found = chooseCampaigns(['latency'], { named: [FULL], resultsDir: results });
    expect(found.notes[0]).toContain('names a density-cpu campaign');
    expect(() => chooseCampaigns(['latency'], { named: ['no-such-campaign'], resultsDir: results })).toThrow(
      UsageError,
    );
  });

  it('notes nothing for a notebook of no experiment (07-compare picks its own pair): no "not : not used here"', () => {
    const found = chooseCampaigns([], { named: [FULL, FULL], resultsDir: results });
    expect(found).toEqual({ byExperiment: {}, notes: [] });
  });
});
