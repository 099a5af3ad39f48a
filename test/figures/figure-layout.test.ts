import { describe, expect, it } from 'vitest';
import { finishFigure, logTicks, wrapText } from '../../lib/figures/figure-layout.js';
import { numberText } from '../../lib/figures/number-text.js';
import type { Figure } from '../../lib/figures/plotly-spec.js';

const figure = (y: number[], extra: Partial<Figure['layout']> = {}): Figure => ({
  data: [
    { type: 'scatter', name: 'a', x: [1, 2], y },
    { type: 'scatter', name: 'thesis', x: [8], y: [y[0] as number] },
  ],
  layout: {
    title: { text: 'T' },
    xaxis: { title: { text: 'N' }, tickvals: [1, 2] },
    yaxis: { title: { text: 'time (s)' }, rangemode: 'tozero' },
    annotations: [{ text: 'a long note', xref: 'paper', yref: 'paper', x: 0, y: -0.3, showarrow: false }],
    ...extra,
  },
});

describe('figure layout rules', () => {
  it('turns an axis spanning more than a decade logarithmic, with magnitude-labelled ticks', () => {
    const wide = finishFigure(figure([0.076, 5000]));
    expect(wide.layout.yaxis).toMatchObject({ type: 'log', title: { text: 'time (s), log scale' } });
    expect(wide.layout.yaxis.rangemode).toBeUndefined();
    // the axis runs from the tick below the lowest value (0.076) to the one at or above the highest
    expect(wide.layout.yaxis.ticktext).toEqual(['0.01', '0.1', '1', '10', '100', '1\u202f000', '10\u202f000']);
    const [bottom, top] = wide.layout.yaxis.range as [number, number];
    expect(bottom).toBeLessThan(-2);
    expect(top).toBeGreaterThan(4);
    expect(finishFigure(figure([2, 5])).layout.yaxis.type).toBeUndefined();
  });

  it('ticks every N a series has, sets series side by side, moves notes to the caption, legend right', () => {
    const laid = finishFigure(figure([2, 5]));
    expect(laid.layout.xaxis.tickvals).toEqual([1, 2, 8]);
    expect(laid.layout.scattermode).toBe('group');
    expect(laid.notes).toEqual(['a long note']);
    expect(laid.layout.annotations).toBeUndefined();
    expect(laid.layout.legend).toMatchObject({ orientation: 'v', x: 1.02 });
  });

  it('wraps long category labels and grows the figure to hold them', () => {
    const labels = ['VM under mprime, 512 MB (mean over 1, 2, 4 vCPUs)', 'container'];
    const laid = finishFigure<Figure>({
      data: [{ type: 'scatter', name: 'a', x: labels, y: [1, 2] }],
      layout: {
        title: { text: 'T' },
        xaxis: { title: { text: '' }, type: 'category' },
        yaxis: { title: { text: '' } },
      },
    });
    expect(laid.layout.xaxis.ticktext?.[0]).toContain('<br>');
    expect(laid.layout.height).toBeGreaterThan(420);
  });

  it('steps log ticks 1-2-5, only powers of ten past three decades', () => {
    expect(logTicks(0.3, 30)).toEqual([0.2, 0.5, 1, 2, 5, 10, 20, 50]);
    expect(logTicks(0.05, 5000)).toEqual([0.01, 0.1, 1, 10, 100, 1000, 10000]);
    // a tick at or below the lowest value (Figure 4.4: VM points at 1 900 under a first tick of 5 000)
    expect(logTicks(1650, 34854)).toEqual([1000, 2000, 5000, 10000, 20000, 50000]);
  });

  it('breaks text at spaces and rounds numbers to their digits', () => {
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    // a number is not parted from its unit (05: "clean, 1 vCPU, 256<br>MiB")
    expect(wrapText('clean, 1 vCPU, 256 MiB', 18)).toEqual(['clean, 1 vCPU,', '256 MiB']);
    expect(numberText(1.1700055648302727)).toBe('1.17');
    expect(numberText(29671.4)).toBe('29\u202f671');
    expect(numberText(0.24875621890547267)).toBe('0.249');
  });
});
