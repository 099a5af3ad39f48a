import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareCampaigns, summaryLine } from '../../lib/analysis/campaign-compare.js';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { comparisonCampaigns, EXAMPLE_COMPARISON } from '../../lib/notebook/compare-campaigns.js';
import { committedNotebook, notebookSkipReason, repoRoot, runNotebook } from '../helpers/notebooks.js';

// real quick campaigns committed as fixtures: density-cpu on two hosts, latency on two hosts
const FIXTURES = path.join(repoRoot, 'test/fixtures/campaigns');
const LATENCY = ['2026-11-22T00-50-57Z-8d6d', '2026-12-02T01-18-46Z-e71b'] as const;

it('notebooks/07-compare.ipynb is committed as a tslab notebook without outputs', () => {
  expect(committedNotebook('07-compare.ipynb')).toMatchObject({ kernel: 'tslab', withOutputs: 0 });
});

let example: { output: string; errors: string[]; html: string };

beforeAll(async () => {
  if (notebookSkipReason) return;
  // no campaign named: the committed example pair, labelled as such (one execution: notebooks are
  // the suite's slowest tests; how the pair is chosen is tested below without Jupyter)
  example = await runNotebook('07-compare.ipynb', { GUESTBENCH_RESULTS: path.join(repoRoot, 'test/fixtures/none') });
}, 480_000);

describe('the pair notebook 07 compares', () => {
  it('is the campaign parameter when it names two, else the two variables, else the examples', () => {
    const fromParameter = comparisonCampaigns({ campaign: LATENCY.join(','), results: FIXTURES }, {});
    expect([fromParameter.a.meta.id, fromParameter.b.meta.id]).toEqual([...LATENCY]);
    expect(fromParameter.note).toBe(`A = ${LATENCY[0]} and B = ${LATENCY[1]} (the campaign parameter)`);
    const fromEnv = comparisonCampaigns(
      { campaign: '' },
      { GUESTBENCH_COMPARE_A: LATENCY[0], GUESTBENCH_COMPARE_B: LATENCY[1], GUESTBENCH_RESULTS: FIXTURES },
    );
    expect(fromEnv.example).toBe(false);
    expect(fromEnv.note).toContain('GUESTBENCH_COMPARE_A and GUESTBENCH_COMPARE_B');
    // a report hands every notebook all its campaigns: three are not a pair
    const passed = comparisonCampaigns({ campaign: 'x,y,z' }, {});
    expect(passed.example).toBe(true);
    expect(passed.note).toContain('names 3 campaign(s), not a pair A,B');
    expect(() => comparisonCampaigns({}, { GUESTBENCH_COMPARE_A: LATENCY[0] })).toThrow(/Only GUESTBENCH_COMPARE_A is set/);
    const warned = compareCampaigns(fromParameter.a, fromParameter.b);
    expect(warned.warnings.join(' ')).toContain("the two campaigns' workloads or methods differ");
    expect(summaryLine(warned.summary)).toContain('16 cells compared');
  });
});

describe.skipIf(notebookSkipReason !== undefined)('notebooks/07-compare.ipynb on committed campaigns', () => {
  it('shows the committed example pair when no campaign is chosen, and says it is an example', () => {
    expect(example.errors).toEqual([]);
    expect(example.output).toContain('EXAMPLE: no campaigns named');
    for (const id of EXAMPLE_COMPARISON) expect(example.output).toContain(id);
    expect(example.html).toContain('Plotly.newPlot');
  });

  it('sets the hosts side by side, then the per-cell table, the summary and the ratio figure', () => {
    const comparison = compareCampaigns(
      loadCampaign(path.join(FIXTURES, EXAMPLE_COMPARISON[0])),
      loadCampaign(path.join(FIXTURES, EXAMPLE_COMPARISON[1])),
    );
    expect(example.output).toContain('Hosts, tool versions and campaigns: A beside B');
    expect(example.output).toContain('>Intel(R) Xeon(R) Processor<');
    expect(example.output).toContain('>AMD EPYC<');
    expect(example.output).toContain('B against A: ratio of means, Welch 95% CI, Mann-Whitney p, Benjamini-Hochberg q');
    expect(example.output).toContain('too few repeats to test (n=3 and 2): p cannot go below 0.20');
    expect(example.output).toContain(summaryLine(comparison.summary));
    expect(example.output).toContain('B / A per cell: 2026-11-21T23-53-45Z-04de → 2026-12-02T01-20-32Z-d09e');
    expect(example.output).toContain('"type":"log"');
    expect(example.output).toContain('untestable: too few repeats');
    expect(example.output).toContain('only in B: podman containers N=1 (12 metrics)');
    expect(example.output).not.toContain('>null<');
  });

});
