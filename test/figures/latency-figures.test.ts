/**
 * Chapter 5's figure and table builders on fixed rows: specs snapshot-tested against committed files.
 */
import { describe, expect, it } from 'vitest';
import { bootPhases, phaseMeans } from '../../lib/analysis/latency-phases.js';
import { summarizeRestore } from '../../lib/analysis/latency-restore-summary.js';
import { summarize } from '../../lib/analysis/summarize.js';
import type { ThesisPoint } from '../../lib/analysis/thesis-points.js';
import { latencyVsGuestsFigure, phaseBreakdownFigure, restoreFigure } from '../../lib/figures/latency-figures.js';
import { meanWithCi, metricsTableHtml, restoreTableHtml } from '../../lib/figures/latency-tables.js';
import type { Sample } from '../../lib/results/schema.js';
import { rowMaker } from '../helpers/samples.js';

const row = rowMaker({
  campaign: 'c',
  experiment: 'latency',
  backend: 'kvm',
  accel: 'tcg',
  guests: 0,
  guest: 1,
  repeat: 1,
  metric: 'boot_time',
  at: '2026-11-22T00:00:00.000Z',
});

const latencyRows: Sample[] = [
  ...[
    [0, 5.0, 5.2],
    [1, 6.0, 6.4],
  ].flatMap(([guests, a, b]) => [row({ guests, value: a }), row({ guests, repeat: 2, value: b })]),
  ...[
    [0, 0.3, 0.31],
    [1, 0.32, 0.3],
  ].flatMap(([guests, a, b]) => [
    row({ backend: 'docker', accel: 'none', guests, value: a }),
    row({ backend: 'docker', accel: 'none', guests, repeat: 2, value: b }),
  ]),
  row({ metric: 'shutdown_time', value: 0.3 }),
  row({ metric: 'shutdown_time', repeat: 2, value: 0.34 }),
  row({ backend: 'docker', accel: 'none', metric: 'shutdown_time', value: 0.12 }),
  row({ metric: 'phase_vmm', value: 0.1 }),
  row({ metric: 'phase_guest', value: 4.9 }),
  row({ metric: 'guest_uptime_at_marker', value: 4.0 }),
  row({ metric: 'phase_agent', value: 0.2 }),
];
const thesis: ThesisPoint[] = [
  { backend: 'kvm', guests: 1, metric: 'boot_time', value: 6.12, approximate: false, source: 'Table 5.1, line 1230' },
  {
    backend: 'kvm',
    guests: 1,
    metric: 'shutdown_time',
    value: 3.24,
    approximate: false,
    source: 'Table 5.1, line 1230',
  },
  {
    backend: 'docker',
    guests: 1,
    metric: 'boot_time',
    value: 0.44,
    approximate: false,
    source: 'Table 5.2, line 1255',
  },
];

describe('chapter 5 figures', () => {
  it('draws Figure 5.1: boot and shutdown per kind of guest, the thesis beside them, on a log axis', async () => {
    const figure = latencyVsGuestsFigure(summarize(latencyRows), thesis, { title: 'Figure 5.1' });
    expect(figure.data.map((trace) => trace.name)).toEqual([
      'Docker containers boot, this host',
      'VMs (tcg) boot, this host',
      'containers boot, thesis',
      'VMs (KVM) boot, thesis',
      'Docker containers shutdown, this host',
      'VMs (tcg) shutdown, this host',
      'VMs (KVM) shutdown, thesis',
    ]);
    expect(figure.data[1]).toMatchObject({ x: [0, 1], y: [5.1, 6.2] });
    expect(figure.layout.yaxis.type).toBe('log');
    await expect(JSON.stringify(figure, null, 2)).toMatchFileSnapshot('snapshots/figure-5-1.json');
  });

  it('draws Figure 5.2 with the unsupported restore as an annotation carrying the reason', async () => {
    const rows = summarizeRestore([
      row({ experiment: 'latency-restore', metric: 'cold_boot_time', value: 5 }),
      row({ experiment: 'latency-restore', metric: 'restore_time', value: 0.4 }),
      row({ experiment: 'latency-restore', metric: 'cold_boot_time', repeat: 2, value: 5.4 }),
      row({ experiment: 'latency-restore', metric: 'restore_time', repeat: 2, value: 0.36 }),
      row({ experiment: 'latency-restore', backend: 'docker', accel: 'none', metric: 'cold_boot_time', value: 0.35 }),
      row({
        experiment: 'latency-restore',
        backend: 'docker',
        accel: 'none',
        guest: 0,
        metric: 'restore_time',
        value: null,
        state: 'unsupported',
        reason: 'criu check fails',
      }),
    ]);
    const figure = restoreFigure(rows, { title: 'Figure 5.2', note: 'thesis: ~3x' });
    expect(figure.data.map((trace) => [trace.name, trace.x, trace.y])).toEqual([
      ['cold boot', ['Docker containers', 'VMs (tcg)'], [0.35, 5.2]],
      ['restore from saved state (hatched)', ['Docker containers', 'VMs (tcg)'], [null, 0.38]],
    ]);
    expect(figure.notes).toEqual(['Docker containers: restore unsupported (criu check fails)', 'thesis: ~3x']);
    await expect(JSON.stringify(figure, null, 2)).toMatchFileSnapshot('snapshots/figure-5-2.json');
    const table = restoreTableHtml(rows, 'Figure 5.2');
    expect(table).toContain('unsupported: criu check fails');
    expect(table).toContain(meanWithCi(rows[0]!.speedup, 2));
  });

  it('stacks the boot phases, the step after ready drawn lighter', () => {
    const means = phaseMeans(summarize(latencyRows), {
      backend: 'kvm',
      phases: bootPhases('kvm', 'latency'),
      what: 'boot',
    });
    const figure = phaseBreakdownFigure(means, { title: 'VM boot by phase' });
    expect(figure.layout.barmode).toBe('stack');
    expect(figure.data.map((trace) => trace.y)).toEqual([[0.1], [0.9000000000000004], [4], [0.2]]);
    expect(figure.data.map((trace) => (trace as { opacity?: number }).opacity)).toEqual([
      undefined,
      undefined,
      undefined,
      0.45,
    ]);
    expect(figure.data[0]?.x).toEqual(['VMs (tcg) N=0 boot']);
  });

  it('tabulates several metrics per backend and N', () => {
    const html = metricsTableHtml(summarize(latencyRows), ['boot_time', 'shutdown_time'], 'caption');
    // two repeats: the mean with its n, the reason as a footnote (the interval was [3.829, 6.371],
    // nine sds wide); each reason printed once however many cells share it
    expect(html).toMatch(
      /<td style="text-align:right;padding:2px 8px;white-space:nowrap">5\.10 n=2<sup>\[\d\]<\/sup><\/td>/,
    );
    expect(html).toMatch(/0\.120 n=1<sup>\[\d\]<\/sup>/);
    for (const reason of ['too few repeats (n=2) for an interval', 'too few repeats (n=1) for an interval'])
      expect(html.split(reason).length - 1).toBe(1);
    expect(html).not.toContain('null');
  });
});
