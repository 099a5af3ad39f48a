import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareCampaigns, summaryLine } from '../../lib/analysis/campaign-compare.js';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { comparisonCampaigns, EXAMPLE_COMPARISON, type ComparisonCampaigns } from '../../lib/notebook/compare-campaigns.js';
import { committedNotebook, notebookSkipReason, repoRoot, runNotebook } from '../helpers/notebooks.js';

// real quick campaigns committed as fixtures: density-cpu on two hosts, latency on two hosts
const FIXTURES = path.join(repoRoot, 'test/fixtures/campaigns');
const LATENCY = ['2026-11-22T00-50-57Z-8d6d', '2026-12-02T01-18-46Z-e71b'] as const;
const FOOTPRINT = '2026-12-02T01-23-24Z-34d3';

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
  const pairOf = (found: ComparisonCampaigns) => {
    if (found.state !== 'pair') throw new Error(`no pair: ${found.note}`);
    return found;
  };

  it('is the campaign parameter when it names two, else the two variables', () => {
    const fromParameter = pairOf(comparisonCampaigns({ campaign: LATENCY.join(','), results: FIXTURES }, {}));
    expect([fromParameter.a.meta.id, fromParameter.b.meta.id]).toEqual([...LATENCY]);
    expect(fromParameter.note).toBe(`A = ${LATENCY[0]} and B = ${LATENCY[1]} (the campaign parameter)`);
    const fromEnv = pairOf(
      comparisonCampaigns(
        { campaign: '' },
        { GUESTBENCH_COMPARE_A: LATENCY[0], GUESTBENCH_COMPARE_B: LATENCY[1], GUESTBENCH_RESULTS: FIXTURES },
      ),
    );
    expect(fromEnv.example).toBe(false);
    expect(fromEnv.note).toContain('GUESTBENCH_COMPARE_A and GUESTBENCH_COMPARE_B');
    expect(() => comparisonCampaigns({}, { GUESTBENCH_COMPARE_A: LATENCY[0] })).toThrow(/Only GUESTBENCH_COMPARE_A is set/);
    const warned = compareCampaigns(fromParameter.a, fromParameter.b);
    expect(warned.warnings.join(' ')).toContain("the two campaigns' workloads or methods differ");
    expect(summaryLine(warned.summary)).toContain('16 cells compared');
  });

  it("is two campaigns of one experiment among those a report names, else in the reader's results directory", () => {
    // a report names every campaign it shows: two of them are latency campaigns
    const named = pairOf(
      comparisonCampaigns({ campaign: [FOOTPRINT, LATENCY[1], LATENCY[0]].join(','), results: FIXTURES }, {}),
    );
    expect([named.origin, named.a.meta.id, named.b.meta.id]).toEqual(['named', ...LATENCY]);
    // nothing named: the results directory's newest pair (here: the density-cpu campaigns of two hosts)
    const fromResults = pairOf(comparisonCampaigns({ campaign: '', results: FIXTURES }, {}));
    expect([fromResults.origin, fromResults.a.meta.id, fromResults.b.meta.id]).toEqual(['results', ...EXAMPLE_COMPARISON]);
    expect(fromResults.example).toBe(false);
    expect(fromResults.note).toContain('on two hosts: Intel(R) Xeon(R) Processor (A) and AMD EPYC (B)');
  });

  it('says what to run when the results hold one campaign of each experiment, and shows examples only without any', () => {
    const single = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-compare-'));
    try {
      for (const id of [LATENCY[1], FOOTPRINT])
        fs.cpSync(path.join(FIXTURES, id), path.join(single, id), { recursive: true });
      const none = comparisonCampaigns({ campaign: '', results: single }, {});
      expect(none.state).toBe('none');
      expect(none.note).toContain('Nothing to compare yet');
      expect(none.note).toContain(`guestbench run footprint --profile quick\`: this page then compares ${FOOTPRINT}`);
    } finally {
      fs.rmSync(single, { recursive: true, force: true });
    }
    const example = pairOf(comparisonCampaigns({ campaign: '', results: path.join(repoRoot, 'test/fixtures/none') }, {}));
    expect(example).toMatchObject({ origin: 'example', example: true });
    expect(example.note).toMatch(/^EXAMPLE: there is no campaign in/);
  });
});

describe.skipIf(notebookSkipReason !== undefined)('notebooks/07-compare.ipynb on committed campaigns', () => {
  it('shows the committed example pair when no campaign is chosen, and says it is an example', () => {
    expect(example.errors).toEqual([]);
    expect(example.output).toContain('<b>Examples from other hosts</b>: there is no campaign in');
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
