/**
 * The exploration API without a kernel: where a campaign is looked for, what "no campaign" means,
 * the tidy frame's provenance columns, the table a frame displays as, and the pivot's means
 * against values computed here.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DataFrame } from 'danfojs';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseCampaigns } from '../../lib/analysis/choose-campaign.js';
import { numberText } from '../../lib/figures/number-text.js';
import { campaignDir, explore, loadCampaign } from '../../lib/notebook/explore.js';
import { frameHtml } from '../../lib/notebook/frame-html.js';
import { pivotFrame } from '../../lib/notebook/pivot-frame.js';
import { UsageError } from '../../lib/util/errors.js';
import { repoRoot } from '../helpers/notebooks.js';

const ID = '2026-11-21T23-53-45Z-04de';
const RELATIVE = `test/fixtures/campaigns/${ID}`;
const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-explore-empty-'));
afterAll(() => fs.rmSync(empty, { recursive: true, force: true }));

describe('loadCampaign for notebooks', () => {
  it('resolves a relative directory against the results directory, then the checkout, not the working directory', () => {
    expect(campaignDir(RELATIVE, empty)).toBe(path.join(repoRoot, RELATIVE));
    expect(campaignDir(ID, path.join(repoRoot, 'test/fixtures/campaigns'))).toBe(path.join(repoRoot, RELATIVE));
    expect(loadCampaign(RELATIVE, { results: empty }).meta.id).toBe(ID);
  });

  it('takes { experiment } as the best campaign of that experiment, as the notebooks choose it', () => {
    const best = chooseCampaigns(['latency'], { resultsDir: empty }).byExperiment.latency;
    const loaded = loadCampaign({ experiment: 'latency', results: empty });
    expect(loaded.meta.experiment).toBe('latency');
    expect(loaded.dir).toBe(best?.campaign.dir);
  });

  it('refuses to guess without a campaign or an experiment, naming both ways', () => {
    expect(() => loadCampaign(undefined, { results: empty })).toThrow(UsageError);
    expect(() => loadCampaign(undefined, { results: empty })).toThrow(/experiment/);
  });
});

describe('explore', () => {
  it('gives every row its campaign, host, profile and accelerator', () => {
    const found = explore({ campaign: RELATIVE, results: empty });
    const campaign = loadCampaign(RELATIVE, { results: empty });
    expect(found.rows).toHaveLength(campaign.samples.length);
    expect(found.frame.shape).toEqual([campaign.samples.length, 16]);
    expect(new Set(found.rows.map((row) => row.host))).toEqual(new Set([campaign.meta.host.hostname]));
    expect(new Set(found.rows.map((row) => `${row.backend}/${row.accel}`))).toEqual(
      new Set(campaign.samples.map((sample) => `${sample.backend}/${sample.accel}`)),
    );
    expect(found.campaigns.map((entry) => entry.origin)).toEqual(['named']);
  });

  it('without an experiment or a campaign, with no results, loads one example campaign per experiment', () => {
    const found = explore({ results: empty });
    const experiments = found.campaigns.map((entry) => entry.campaign.meta.experiment);
    expect(experiments).toEqual([...new Set(experiments)].sort());
    expect(experiments).toEqual(expect.arrayContaining(['density-cpu', 'latency', 'migration']));
    expect(found.campaigns.every((entry) => entry.origin === 'example')).toBe(true);
    expect(found.notes.join(' ')).toContain('example');
  });
});

describe('frameHtml', () => {
  it('rounds numbers, says the size, and cuts a long frame to its first and last rows', () => {
    const frame = new DataFrame(Array.from({ length: 30 }, (_, at) => ({ n: at, value: at + 1 / 3, name: `r${at}` })));
    const html = frameHtml(frame, { maxRows: 6 });
    expect(html).toContain('DataFrame: 30 rows × 3 columns, first 3 and last 3 shown');
    expect(html).toContain('>24 rows not shown<');
    expect(html).toContain('>0.3333<');
    expect(html).not.toContain('0.33333');
    expect(html).toContain('>r29<');
    expect(html).not.toContain('>r3<');
    expect((html.match(/<tr>/g) ?? []).length).toBe(1 + 7);
  });

  it('shows a list of records, and an empty frame as one sentence with its columns', () => {
    expect(frameHtml([{ a: 1.23456, b: 'x' }])).toContain('rows: 1 row × 2 columns');
    expect(frameHtml(new DataFrame([], { columns: ['a', 'b'] }))).toContain('no rows (2 columns: a, b)');
  });
});

describe('pivotFrame', () => {
  it('puts the mean of each (row, column) pair in its cell, backends in legend order', () => {
    const rows = [
      { guests: 1, backend: 'kvm', value: 3 },
      { guests: 1, backend: 'kvm', value: 4 },
      { guests: 1, backend: 'native', value: 1 },
      { guests: 2, backend: 'docker', value: 0.1 },
      { guests: 2, backend: 'docker', value: 0.2 },
      { guests: 2, backend: 'docker', value: 0.4 },
    ];
    const pivot = pivotFrame(new DataFrame(rows), { index: 'guests', columns: 'backend', values: 'value' });
    expect(pivot.columns).toEqual(['guests', 'native', 'docker', 'kvm']);
    const values = pivot.values as number[][];
    expect(values[0]).toEqual([1, 1, NaN, 3.5]);
    // in double precision: danfojs's own arithmetic would round through float32
    expect(values[1]?.[2]).toBe((0.1 + 0.2 + 0.4) / 3);
    const counts = pivotFrame(new DataFrame(rows), { index: 'guests', columns: 'backend', values: 'value', aggregate: 'count' });
    expect(counts.values).toEqual([
      [1, 1, 0, 2],
      [2, 0, 3, 0],
    ]);
    expect(numberText((0.1 + 0.2 + 0.4) / 3, 4)).toBe('0.2333');
  });

  it('names the columns it has when asked for one it has not', () => {
    expect(() => pivotFrame(new DataFrame([{ a: 1 }]), { index: 'a', columns: 'b', values: 'a' })).toThrow('No column `b` to pivot on (the frame has a)');
  });
});
