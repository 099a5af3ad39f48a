/**
 * Whiskers and interval text for cells with and without an interval (too few repeats).
 */
import { describe, expect, it } from 'vitest';
import { describe as stats } from '../../lib/analysis/statistics.js';
import { ciBarTrace, countText, whiskers } from '../../lib/figures/ci-bars.js';
import { intervalText, meanWithInterval } from '../../lib/figures/interval-text.js';
import { figureHtml } from '../../lib/notebook/plotly-html.js';

const three = stats([10, 12, 14]);
const two = stats([10, 12]);

describe('whiskers', () => {
  it('draws a whisker where there is an interval and none (null, not 0) where there is not', () => {
    const bars = whiskers([three, two, null]);
    expect(bars.visible).toBe(true);
    expect(bars.array[0]).toBeCloseTo(three.ciHigh! - 12, 12);
    expect(bars.arrayminus[0]).toBeCloseTo(12 - three.ciLow!, 12);
    expect(bars.array.slice(1)).toEqual([null, null]);
    expect(bars.arrayminus.slice(1)).toEqual([null, null]);
    expect(whiskers([two]).visible).toBe(false);
  });

  it('says in the hover text the value rounded, n, both bounds, or why a cell has no whisker', () => {
    expect(countText(three)).toBe('n=3');
    expect(countText(two)).toBe('n=2, too few repeats (n=2) for an interval');
    expect(countText(null)).toBe('no value');
    const trace = ciBarTrace('Docker containers', '#1f77b4', ['a', 'b'], [three, two], { unit: 's' });
    expect(trace.text).toEqual(['12 s, n=3, 95% CI [7.93, 18.2]', '11 s, n=2 (too few repeats (n=2) for an interval)']);
    expect(trace.hovertemplate).toBe('%{text}<extra>Docker containers</extra>');
  });

  it('hands plotly NaN for a missing whisker, which it draws as nothing (null it would draw as a flat tick)', () => {
    const html = figureHtml({
      data: [ciBarTrace('x', '#000', ['a'], [two], { unit: 's' })],
      layout: { title: { text: 't' }, xaxis: { title: { text: 'x' } }, yaxis: { title: { text: 'y' } } },
    });
    expect(html).toContain('"array":[null]');
    expect(html).toContain('v === null ? NaN : v');
  });
});

describe('interval text', () => {
  it('prints the interval, or the reason there is none, never "null"', () => {
    expect(intervalText(three, 2)).toBe(`[${three.ciLow!.toFixed(2)}, ${three.ciHigh!.toFixed(2)}]`);
    expect(meanWithInterval(three, 1)).toBe(`12.0 [${three.ciLow!.toFixed(1)}, ${three.ciHigh!.toFixed(1)}] n=3`);
    // the reason goes to the table's footnotes (printed once), the cell keeps the mean and its n
    expect(meanWithInterval(two, 1)).toEqual({ text: '11.0 n=2', note: 'too few repeats (n=2) for an interval' });
    expect(intervalText(two, 1)).toEqual({ text: '–', note: 'too few repeats (n=2) for an interval' });
    // decimals by default: about 3 significant digits of the mean; a count of 0 prints 0, not 0.000
    expect(meanWithInterval({ mean: 0, sd: 0, ciLow: 0, ciHigh: 0, n: 3 })).toBe('0 [0, 0] n=3');
    expect(meanWithInterval({ mean: 0.0761, ciLow: 0.07, ciHigh: 0.0822, n: 3 })).toBe('0.0761 [0.0700, 0.0822] n=3');
    expect(meanWithInterval({ mean: 29671.4, ciLow: 29000, ciHigh: 30342.8, n: 3 })).toBe(
      '29\u202f671 [29\u202f000, 30\u202f343] n=3',
    );
    // statistics made elsewhere without an interval or its reason (a mean of means)
    expect(meanWithInterval({ mean: 3, ciLow: null, ciHigh: null, n: 4 }, 1)).toBe('3.0 n=4');
    expect(intervalText({ mean: 3, ciLow: null, ciHigh: null, n: 4 }, 1)).toBe('');
  });
});
