/**
 * Charts of the values the thesis states for its figures, and the comparisons it states.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadThesis } from '../../lib/thesis/index.js';
import {
  THESIS_CHARTS,
  comparisonLabel,
  statedComparisons,
  statedComparisonsHtml,
  statedPoints,
  thesisChart,
} from '../../lib/thesis-report/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = loadThesis(path.join(repoRoot, 'data', 'thesis'));

describe('thesis charts', () => {
  it('builds every chart with at least one trace and only finite values', () => {
    for (const id of THESIS_CHARTS) {
      const figure = thesisChart(data, id);
      expect(figure.data.length, id).toBeGreaterThan(0);
      for (const trace of figure.data) {
        expect(trace.x.length, `${id} ${trace.name}`).toBe(trace.y.length);
        expect(
          trace.y.every((y) => y !== null && Number.isFinite(y)),
          `${id} ${trace.name}`,
        ).toBe(true);
      }
    }
  });

  it('Figure 4.1: the bare host, native (about 35.94 s, hollow) and 8 containers (42.05 s) by backend and N', async () => {
    const figure = thesisChart(data, 'figure-4.1');
    expect(figure.data.map((trace) => [trace.name, trace.x, trace.y, trace.marker?.symbol])).toEqual([
      ['native (approximate)', ['N=1'], [35.94], 'circle-open'],
      ['containers', ['N=8'], [42.05], 'circle'],
    ]);
    expect(figure.data[0]?.text?.[0]).toBe('≈ 35.94 s; Figure 4.1, line 987');
    await expect(JSON.stringify(figure, null, 2)).toMatchFileSnapshot('snapshots/figure-4-1-stated.json');
  });

  it('Figure 5.1 plots Tables 5.1 and 5.2 against N', async () => {
    const figure = thesisChart(data, 'figure-5.1');
    const vmBoot = figure.data.find((trace) => trace.name === 'VMs (KVM), boot time (Table 5.1)');
    expect(vmBoot).toMatchObject({ x: [1, 2, 4, 8, 12], y: [6.12, 6.3, 7.86, 9, 30.77] });
    const containerBoot = figure.data.find((trace) => trace.name === 'containers, boot time (Table 5.2)');
    expect(containerBoot?.x).toEqual([1, 2, 4, 8, 16]);
    expect(figure.layout.xaxis.tickvals).toEqual([1, 2, 4, 8, 12, 16]);
    await expect(JSON.stringify(figure, null, 2)).toMatchFileSnapshot('snapshots/figure-5-1.json');
  });

  it('migration charts keep both container times the thesis gives, and show downtimes in seconds', async () => {
    const total = statedPoints(data, 'figures-6.3-6.5-total-time');
    expect(total.filter((point) => point.backend === 'docker').map((point) => [point.x, point.y])).toEqual([
      ['container (line 1508)', 11.79],
      ['container (line 1520)', 11.7],
    ]);
    expect(total.find((point) => point.row.id === 's6.5.1-kvm-loaded-512-total_time')?.x).toBe(
      'VM under mprime, 512 MB (mean over 1, 2, 4 vCPUs)',
    );
    const downtime = thesisChart(data, 'figures-6.3-6.5-downtime');
    expect(downtime.layout.yaxis.title.text).toBe('downtime (s)');
    const vms = downtime.data.find((trace) => trace.name === 'VMs (KVM)');
    expect(vms?.y).toEqual([2.67, 2.21, 1.81, 2.51, 2.2]);
    await expect(JSON.stringify(thesisChart(data, 'figures-6.3-6.5-total-time'), null, 2)).toMatchFileSnapshot(
      'snapshots/figures-6-3-6-5-total-time.json',
    );
  });

  it('chapter 5 ratios: stated beside what the tables give (6 and 14 against 13.9; triples against 5.0)', () => {
    const figure = thesisChart(data, 'figures-5.1-5.2-ratios');
    const fromTables = figure.data.find((trace) => trace.name === 'from the printed tables');
    expect(fromTables?.x).toEqual(['boot time, N=1: VMs (KVM) / containers', 'VMs (KVM), boot time: N=12 / N=1']);
    expect(fromTables?.y).toEqual([13.909, 5.028]);
    const stated = figure.data.filter((trace) => trace.name.startsWith('stated')).flatMap((trace) => trace.y);
    expect(stated.sort((a, b) => Number(a ?? 0) - Number(b ?? 0))).toEqual([3, 3, 4.5, 6, 10, 14]);
  });
});

describe('stated comparisons', () => {
  it('labels a comparison by what both sides share, then what differs', () => {
    const [cpuDifference, cpuHalf] = statedComparisons(data, ['density-cpu']);
    expect(cpuDifference && comparisonLabel(cpuDifference.row)).toBe('VMs (KVM), total time: N=8 − N=1');
    expect(cpuHalf?.label).toBe('max. time per request, N=8: containers / VMs (KVM)');
  });

  it('computes the comparison from the printed values where both sides are printed', () => {
    const latency = statedComparisons(data, ['latency']);
    const byId = new Map(latency.map((item) => [item.row.id, item]));
    expect(byId.get('f5.1-n8-boot_time-kvm-minus-docker')?.computed.map((item) => item.value)).toEqual([9 - 0.44]);
    expect(byId.get('f5.1-n1-boot_time-kvm-over-docker')?.computed[0]?.from.map((row) => row.id)).toEqual([
      't5.1-kvm-n1-boot_time',
      't5.2-docker-n1-boot_time',
    ]);
    // the thesis gives the container migration time twice: both combinations are shown
    const migration = statedComparisons(data, ['migration']).find(
      (item) => item.row.id === 's6.5.1-total_time-kvm-over-docker',
    );
    expect(migration?.computed.map((item) => item.value.toFixed(2))).toEqual(['20.12', '20.27']);
    const html = statedComparisonsHtml(statedComparisons(data, ['latency', 'latency-restore']), 'Latency');
    expect(html).toContain('13.91 (6.12 s / 0.44 s, lines 1230, 1255)');
    expect(html).toContain('boot-ratio-6-vs-14');
  });

  it("leaves out the method sections' parameter ratios", () => {
    expect(statedComparisons(data, ['density-fileio']).map((item) => item.row.id)).not.toContain(
      's4.5.2-file_total_size-over-ram',
    );
  });
});
