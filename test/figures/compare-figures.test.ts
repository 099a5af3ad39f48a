/**
 * The comparison figure and tables on the committed latency fixture pair (3 repeats a side).
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCampaigns } from '../../lib/analysis/campaign-compare.js';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { compareRatioFigure, compareRatioHeight } from '../../lib/figures/compare-figures.js';
import { compareTableHtml, hostsTableHtml, oneSidedLines } from '../../lib/figures/compare-tables.js';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/campaigns');
const a = loadCampaign(path.join(FIXTURES, '2026-11-22T00-50-57Z-8d6d'));
const b = loadCampaign(path.join(FIXTURES, '2026-12-02T01-18-46Z-e71b'));

describe('compareRatioFigure', () => {
  it('draws B/A per cell on a log axis, one trace per verdict, with the minimum effect as a band around 1', () => {
    // 3 repeats a side reach p = 0.1; among the 16 tested cells its q is 0.40: below an alpha of 0.5
    const comparison = compareCampaigns(a, b, { alpha: 0.5 });
    const figure = compareRatioFigure(comparison, { title: 't' });
    expect(figure.layout.xaxis.type).toBe('log');
    expect(figure.data.map((trace) => trace.name)).toEqual([
      'flagged: significant and beyond the minimum effect',
      'no significant change',
    ]);
    const [rect, line] = figure.layout.shapes!;
    expect(rect).toMatchObject({ type: 'rect', x1: 1.05 });
    expect(rect!.x0).toBeCloseTo(1 / 1.05, 12);
    expect(line).toMatchObject({ type: 'line', x0: 1, x1: 1 });
    // every cell with a ratio once; shutdown_killed (0 in both) has none
    const rows = figure.data.flatMap((trace) => trace.y);
    expect(rows).toHaveLength(comparison.cells.filter((cell) => cell.state === 'compared').length - 1);
    expect(rows).not.toContain('Docker containers N=0 shutdown_killed');
    // 3 repeats a side: every point has its interval around it
    for (const trace of figure.data) {
      expect(trace.error_x?.visible).toBe(true);
      trace.x.forEach((ratio, index) => {
        expect(trace.error_x!.array[index]).toBeGreaterThanOrEqual(0);
        expect(trace.error_x!.arrayminus[index]).toBeLessThanOrEqual(ratio as number);
      });
    }
    expect(compareRatioHeight(figure)).toBe(200 + 18 * rows.length);
  });

  it('draws no whisker where a side has fewer than 3 repeats, and says untestable', () => {
    const d09e = loadCampaign(path.join(FIXTURES, '2026-12-02T01-20-32Z-d09e'));
    const figure = compareRatioFigure(
      compareCampaigns(loadCampaign(path.join(FIXTURES, '2026-11-21T23-53-45Z-04de')), d09e),
      {
        title: 't',
        metrics: ['total_time'],
      },
    );
    expect(figure.data).toHaveLength(1);
    expect(figure.data[0]).toMatchObject({ name: 'untestable: too few repeats' });
    expect(figure.data[0]!.error_x).toMatchObject({ visible: false });
    expect(figure.data[0]!.error_x!.array.every((value) => value === null)).toBe(true);
    expect(figure.data[0]!.y).toEqual([
      'native N=1 total_time',
      'Docker containers N=1 total_time',
      'Docker containers N=2 total_time',
      'Docker containers N=4 total_time',
      'VMs (tcg) N=1 total_time',
      'VMs (tcg) N=2 total_time',
    ]);
  });
});

describe('compare tables', () => {
  const comparison = compareCampaigns(a, b);

  it('marks differing host lines and prints every cell with its verdict and why', () => {
    const hosts = hostsTableHtml(comparison.hosts, 'hosts');
    expect(hosts).toContain('>CPU model</td><td style="text-align:left;padding:2px 8px">Intel(R) Xeon(R) Processor<');
    expect(hosts).toContain('≠');
    const table = compareTableHtml(comparison, 'cells');
    expect(table).toContain('too few repeats to test (n=3 and 3): p cannot go below 0.10');
    expect(table).not.toContain('null');
    expect(table.match(/<tr><td/g)).toHaveLength(comparison.summary.compared);
    expect(compareTableHtml(comparison, 'cells', { onlyShared: false }).match(/<tr><td/g)).toHaveLength(
      comparison.cells.length,
    );
    expect(oneSidedLines(comparison.cells)).toContain('only in A: Docker containers N=8 (8 metrics)');
  });
});
