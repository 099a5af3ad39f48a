import { describe, expect, it } from 'vitest';
import { compareWithThesis } from '../../lib/analysis/compare.js';
import { relativeToNative, thesisRelativeToNative } from '../../lib/analysis/relative.js';
import { summarize } from '../../lib/analysis/summarize.js';
import { workloadDiffers } from '../../lib/analysis/workload-totals.js';
import { comparisonHtml } from '../../lib/figures/comparison-table.js';
import { printedText } from '../../lib/figures/number-text.js';
import type { ThesisPoint } from '../../lib/analysis/thesis-points.js';
import { metricVsGuestsFigure, perRequestFigure } from '../../lib/figures/density-figures.js';
import { escapeHtml, htmlTable } from '../../lib/figures/html-table.js';
import type { Sample } from '../../lib/results/schema.js';
import { rowMaker } from '../helpers/samples.js';

const row = rowMaker({
  campaign: 'c',
  experiment: 'density-cpu',
  backend: 'docker',
  accel: 'none',
  guests: 1,
  guest: 1,
  repeat: 1,
  metric: 'total_time',
  at: '2026-11-21T00:00:00.000Z',
});

const samples: Sample[] = [
  row({ backend: 'native', value: 10 }),
  row({ backend: 'native', repeat: 2, value: 12 }),
  row({ guests: 1, value: 11 }),
  row({ guests: 1, repeat: 2, value: 13 }),
  row({ guests: 2, value: 20 }),
  row({ guests: 2, guest: 2, value: 22 }),
  row({ guests: 2, repeat: 2, value: 24 }),
  row({ guests: 2, guest: 2, repeat: 2, value: 26 }),
  row({ backend: 'kvm', accel: 'tcg', value: 50 }),
  row({ backend: 'kvm', accel: 'tcg', repeat: 2, value: 54 }),
  row({ backend: 'kvm', accel: 'tcg', metric: 'latency_avg', unit: 'ms', value: 5 }),
];
const thesis: ThesisPoint[] = [
  {
    backend: 'native',
    guests: 1,
    metric: 'total_time',
    value: 35.94,
    approximate: true,
    source: 'Figure 4.1, line 987',
  },
  {
    backend: 'docker',
    guests: 8,
    metric: 'total_time',
    value: 42.05,
    approximate: false,
    source: 'Figure 4.1, line 987',
  },
  { backend: 'kvm', guests: 8, metric: 'latency_avg', value: 4.45, approximate: true, source: 'Figure 4.3, line 998' },
];

describe('density figures', () => {
  it('draws Figure 4.1 with a series per backend, the accelerator in the label, and the thesis beside it', async () => {
    const figure = metricVsGuestsFigure(summarize(samples), thesis, {
      title: 'Figure 4.1',
      metric: 'total_time',
      yTitle: 'total time (s)',
    });
    expect(figure.data.map((trace) => trace.name)).toEqual([
      'native, this host',
      'Docker containers, this host',
      'VMs (tcg), this host',
      'native, thesis',
      'containers, thesis',
    ]);
    expect(figure.data[1]).toMatchObject({ x: [1, 2], y: [12, 23] });
    await expect(JSON.stringify(figure, null, 2)).toMatchFileSnapshot('snapshots/figure-4-1.json');
  });

  it('draws per-request latency for one backend only', () => {
    const figure = perRequestFigure(summarize(samples), thesis, { backend: 'kvm', title: 'Figure 4.3' });
    expect(figure.data.map((trace) => trace.name)).toEqual(['avg, this host (tcg)', 'avg, thesis']);
  });
});

describe('comparison table', () => {
  it('keeps ours and the thesis in separate columns, and divides only like quantities', () => {
    const comparisons = compareWithThesis(summarize(samples), thesis, ['total_time']);
    const native = comparisons.find((item) => item.backend === 'native');
    expect(native?.ours?.mean).toBe(11);
    expect(native?.thesis?.value).toBe(35.94);
    // a total of the workload: our 10000 primes against the thesis's 30000 is no finding
    expect(native?.ratio).toBeNull();
    const docker8 = comparisons.find((item) => item.backend === 'docker' && item.guests === 8);
    expect(docker8).toMatchObject({ ours: null, ratio: null, thesis: { value: 42.05 } });
    const html = comparisonHtml(comparisons, 'Figure 4.1 values');
    // two repeats: the mean, and the reason there is no interval once, as a footnote
    expect(html).toMatch(/>11\.0<sup>\[1\]<\/sup><\/td>/);
    expect(html.split('too few repeats (n=2) for an interval').length - 1).toBe(1);
    expect(html).toContain('~35.94');
    expect(html).toContain('Totals of the workload (times and counts of a whole run) get no ours / thesis');
    // ratios to the bare host are like quantities whatever the workload's size
    const relative = compareWithThesis(
      relativeToNative(samples, 'total_time'),
      thesisRelativeToNative(thesis, 'total_time'),
      ['total_time'],
    );
    const both = relative.filter((item) => item.ours && item.thesis);
    expect(both.length).toBeGreaterThan(0);
    for (const item of both)
      expect(item.ratio).toBeCloseTo((item.ours?.mean as number) / (item.thesis?.value as number), 12);
  });

  it('shows no table of dashes, no ratio column without a ratio, and no ours / thesis across workload sizes', () => {
    // the thesis states N=8 only; this campaign ran N=1, 2: nothing to set side by side
    const eight = compareWithThesis(
      summarize(samples).filter((item) => item.guests < 8),
      thesis.filter((point) => point.guests === 8),
      ['total_time'],
    );
    const nothing = comparisonHtml(eight, 'Per-request time');
    expect(nothing).not.toContain('<table');
    expect(nothing).toContain('nothing to set side by side');
    expect(nothing).toContain('Docker containers N=8');
    // a total: every ratio is withheld, so the column is not drawn
    const totals = comparisonHtml(compareWithThesis(summarize(samples), thesis, ['total_time']), 'Totals');
    expect(totals).not.toContain('ours / thesis</th>');
    // a quick campaign's smaller workload: ratios to the bare host only
    const quick = workloadDiffers({ experiment: 'density-cpu', profile: 'quick' });
    expect(quick).toContain("the quick profile's smaller density-cpu workload");
    expect(workloadDiffers({ experiment: 'density-cpu', profile: 'thesis' })).toBeNull();
    expect(workloadDiffers({ experiment: 'latency', profile: 'quick' })).toBeNull();
    const relative = compareWithThesis(
      relativeToNative(samples, 'total_time'),
      thesisRelativeToNative(thesis, 'total_time'),
      ['total_time'],
    );
    expect(comparisonHtml(relative, 'Relative', { workloadDiffers: quick })).toContain('ours / thesis</th>');
  });

  it('prints a thesis value as printed, and a value derived from printed ones at 3 significant digits', () => {
    expect(printedText(244.2)).toBe('244.2');
    expect(printedText(3.58)).toBe('3.58');
    expect(printedText(29671)).toBe('29\u202f671');
    expect(printedText(1.1700055648302727)).toBe('1.17');
    expect(printedText(0.24875621890547267)).toBe('0.249');
    expect(printedText(0.07560546875)).toBe('0.0756');
  });

  it('escapes cell text', () => {
    expect(escapeHtml('<a & "b">')).toBe('&lt;a &amp; &quot;b&quot;&gt;');
    expect(htmlTable([{ a: null }], [{ label: 'a', value: (r) => r.a }])).toContain('>–<');
  });

  it('sends a long text to a footnote, unless its column keeps it in the cell', () => {
    const long = 'a claim whose words are the point of its row and run well past one line of a table cell, as many do';
    const footnoted = htmlTable([{ a: long }], [{ label: 'a', value: (r) => r.a }]);
    expect(footnoted).toContain('see note <sup>[1]</sup>');
    expect(footnoted).toContain(`<li>${long}</li>`);
    const wrapped = htmlTable([{ a: long }], [{ label: 'a', value: (r) => r.a, long: 'wrap' }]);
    expect(wrapped).toContain(`>${long}</td>`);
    expect(wrapped).not.toContain('see note');
  });
});
