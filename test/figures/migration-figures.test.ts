/**
 * Chapter 6's figure and table builders on the committed quick migration campaign (kvm under TCG,
 * docker unsupported): specs snapshot-tested against committed files.
 */
import { decimalsFor, fixedText } from '../../lib/figures/number-text.js';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import {
  compareMigrationWithThesis,
  migrationInconsistencies,
  migrationThesisValues,
  summarizeMigration,
} from '../../lib/analysis/migration-summary.js';
import {
  downtimeSourcesFigure,
  loadedByVcpusFigure,
  migrationVsMemoryFigure,
  vmVsContainerFigure,
} from '../../lib/figures/migration-figures.js';
import { migrationComparisonHtml, migrationTableHtml } from '../../lib/figures/migration-tables.js';
import type { Figure } from '../../lib/figures/plotly-spec.js';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/campaigns/2026-11-22T03-04-42Z-ea66');
const samples = loadCampaign(FIXTURE).samples;
const configs = summarizeMigration(samples);
const thesis = migrationThesisValues();
const comparisons = compareMigrationWithThesis(configs, thesis);

function fixtureMean(config: string, metric: string, measuredBy: string): number {
  const values = samples
    .filter(
      (row) => row.config === config && row.metric === metric && row.measured_by === measuredBy && row.state === 'ok',
    )
    .map((row) => row.value as number);
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/**
 * Every trace is either measured here or the thesis's, and its legend entry says which (in its
 * name, or in the legend's title when every entry shares it).
 */
function expectSeparateSeries(figure: Figure): void {
  for (const trace of figure.data) {
    const label = `${trace.name}, ${figure.layout.legend?.title?.text ?? ''}`;
    const ours = label.includes('this host');
    const theirs = label.includes('thesis');
    expect(ours !== theirs, label).toBe(true);
    if (ours) expect(label, label).toMatch(/tcg/);
  }
}

const names = (figure: Figure) => figure.data.map((trace) => trace.name);

describe('chapter 6 figures', () => {
  it("draws Figure 6.3: the clean guest vs memory, observer and QEMU, beside the thesis's one mean as a flat segment", async () => {
    const total = migrationVsMemoryFigure(configs, thesis, {
      title: 'Figure 6.3 (a)',
      metric: 'total_time',
      load: 'clean',
    });
    expect(names(total)).toEqual([
      'clean, 1 vCPU: observer, VMs (tcg), this host',
      'clean, 1 vCPU: QEMU, VMs (tcg), this host',
      'clean, one mean over 512, 1024, 6144 MiB: VMs (KVM), thesis',
    ]);
    expect(total.data[0]).toMatchObject({
      x: [256, 512],
      y: [
        fixtureMean('clean-1cpu-256m', 'total_time', 'observer'),
        fixtureMean('clean-1cpu-512m', 'total_time', 'observer'),
      ],
    });
    expect(total.data[2]).toMatchObject({ mode: 'lines', x: [512, 6144], y: [244.2, 244.2] });
    expect(total.layout.xaxis).toMatchObject({ type: 'log', tickvals: [256, 512, 1024, 6144] });
    expect(total.layout.title.text).toContain('TCG');
    expectSeparateSeries(total);
    await expect(JSON.stringify(total, null, 2)).toMatchFileSnapshot('snapshots/figure-6-3-total.json');
    const downtime = migrationVsMemoryFigure(configs, thesis, {
      title: 'Figure 6.3 (b)',
      metric: 'downtime',
      load: 'clean',
    });
    expect(downtime.data[1]?.y).toEqual(
      ['clean-1cpu-256m', 'clean-1cpu-512m'].map((config) => fixtureMean(config, 'downtime', 'qemu')),
    );
    expect(downtime.data[2]?.y).toEqual([2670, 2670]);
    expectSeparateSeries(downtime);
    await expect(JSON.stringify(downtime, null, 2)).toMatchFileSnapshot('snapshots/figure-6-3-downtime.json');
  });

  it('draws how total time grows with memory and load, the thesis per load', async () => {
    const figure = migrationVsMemoryFigure(configs, thesis, { title: 'growth', metric: 'total_time' });
    expect(names(figure)).toEqual([
      'clean, 1 vCPU: observer, VMs (tcg), this host',
      'clean, 1 vCPU: QEMU, VMs (tcg), this host',
      'loaded, 1 vCPU: observer, VMs (tcg), this host',
      'loaded, 1 vCPU: QEMU, VMs (tcg), this host',
      'loaded, 2 vCPUs: observer, VMs (tcg), this host',
      'loaded, 2 vCPUs: QEMU, VMs (tcg), this host',
      'clean, one mean over 512, 1024, 6144 MiB: VMs (KVM), thesis',
      'loaded, mean over 1, 2, 4 vCPUs: VMs (KVM), thesis',
    ]);
    expect(figure.data[4]).toMatchObject({
      x: [256],
      y: [fixtureMean('loaded-2cpu-256m', 'total_time', 'observer')],
      marker: { symbol: 'square' },
    });
    expect(figure.data[7]).toMatchObject({ x: [512, 1024, 2048], y: [215.6, 245.6, 274.2] });
    expectSeparateSeries(figure);
    await expect(JSON.stringify(figure, null, 2)).toMatchFileSnapshot('snapshots/migration-growth.json');
  });

  it("draws Figure 6.4: the loaded guest by vCPU count per memory size, the thesis's means as markers", async () => {
    for (const metric of ['total_time', 'downtime'] as const) {
      const figure = loadedByVcpusFigure(configs, thesis, { title: `Figure 6.4 ${metric}`, metric });
      expect(figure.layout.scattermode).toBe('group');
      expect(figure.data.map((trace) => trace.x)).toEqual([
        ...Array(4).fill(['256 MiB', '512 MiB', '1024 MiB', '2048 MiB']),
        ['512 MiB', '1024 MiB', '2048 MiB'],
      ]);
      expect(figure.data[0]?.y).toEqual([fixtureMean('loaded-1cpu-256m', metric, 'observer'), null, null, null]);
      expect(figure.data[3]).toMatchObject({
        name: '2 vCPUs: QEMU, VMs (tcg), this host',
        mode: 'markers',
        // vCPUs are the shape (2: square), QEMU open; the colour stays the VMs'
        marker: { symbol: 'square-open', color: '#d62728' },
        y: [fixtureMean('loaded-2cpu-256m', metric, 'qemu'), null, null, null],
      });
      expect(figure.data[4]).toMatchObject({
        name: 'mean over 1, 2, 4 vCPUs: VMs (KVM), thesis',
        mode: 'markers',
        y: metric === 'total_time' ? [215.6, 245.6, 274.2] : [2210, 1810, 2510],
      });
      expectSeparateSeries(figure);
      await expect(JSON.stringify(figure, null, 2)).toMatchFileSnapshot(
        `snapshots/figure-6-4-${metric === 'total_time' ? 'total' : 'downtime'}.json`,
      );
    }
  });

  it('draws Figure 6.5: VMs beside containers, the container unsupported as a note, not a bar', async () => {
    for (const metric of ['total_time', 'downtime'] as const) {
      const figure = vmVsContainerFigure(comparisons, { title: `Figure 6.5 ${metric}`, metric, note: 'thesis: ~20x' });
      expect(figure.data.map((trace) => [trace.name, trace.x])).toEqual([
        ['observer, this host (VMs under tcg)', ['Docker containers', 'VMs']],
        ['QEMU, this host (VMs under tcg)', ['Docker containers', 'VMs']],
        [
          'thesis (VMs under KVM; its Docker containers beside each container engine of ours)',
          metric === 'total_time' ? ['Docker containers', 'Docker containers', 'VMs'] : ['Docker containers', 'VMs'],
        ],
      ]);
      const vms = configs
        .filter((config) => config.backend === 'kvm')
        .map((config) => (metric === 'total_time' ? config.totalTime : config.downtime).observer!.mean);
      expect(figure.data[0]?.y).toEqual([null, vms.reduce((sum, value) => sum + value, 0) / vms.length]);
      expect(figure.data[2]?.y).toEqual(metric === 'total_time' ? [11.79, 11.7, 237.2] : [5700, 2200]);
      expect(figure.notes?.[0]).toMatch(
        /^Docker containers: not measured here, unsupported: container checkpoint\/restore does not work on this host/,
      );
      expectSeparateSeries(figure);
      await expect(JSON.stringify(figure, null, 2)).toMatchFileSnapshot(
        `snapshots/figure-6-5-${metric === 'total_time' ? 'total' : 'downtime'}.json`,
      );
    }
  });

  it("sets QEMU's downtime beside the observer's per configuration, with the paired difference", async () => {
    const figure = downtimeSourcesFigure(configs, { title: 'downtime sources' });
    expect(figure.data[0]?.x).toEqual([
      'clean, 1 vCPU, 256 MiB',
      'clean, 1 vCPU, 512 MiB',
      'loaded, 1 vCPU, 256 MiB',
      'loaded, 2 vCPUs, 256 MiB',
    ]);
    expect(figure.data[0]?.y).toEqual(
      ['clean-1cpu-256m', 'clean-1cpu-512m', 'loaded-1cpu-256m', 'loaded-2cpu-256m'].map((config) =>
        fixtureMean(config, 'downtime', 'qemu'),
      ),
    );
    expect(figure.data[1]?.y).toEqual(
      ['clean-1cpu-256m', 'clean-1cpu-512m', 'loaded-1cpu-256m', 'loaded-2cpu-256m'].map((config) =>
        fixtureMean(config, 'downtime', 'observer'),
      ),
    );
    expect(figure.data[2]?.y).toEqual(
      configs.filter((config) => config.backend === 'kvm').map((config) => config.downtimeGap!.mean),
    );
    // QEMU's account is a VM's: the container's configuration is not in this figure
    expect(figure.notes).toBeUndefined();
    expectSeparateSeries(figure);
    await expect(JSON.stringify(figure, null, 2)).toMatchFileSnapshot('snapshots/migration-downtime-sources.json');
  });
});

describe('chapter 6 tables', () => {
  const html = migrationTableHtml(configs, comparisons, {
    caption: 'Table 6.1, done right',
    inconsistencies: migrationInconsistencies(thesis),
  });

  it("gives every configuration its QEMU and observer figures with CIs, and the container's reason", () => {
    expect(html).toContain('clean, 1 vCPU, 256 MiB');
    // two repeats: the mean and n, the reason there is no interval once, under the table
    // (to about 3 significant digits: 0.825 s, 71.0 ms, 665 MiB)
    const shown = (value: number): string => fixedText(value, decimalsFor(value));
    expect(html).toMatch(
      new RegExp(`${shown(fixtureMean('clean-1cpu-256m', 'total_time', 'observer'))} n=2<sup>\\[\\d+\\]</sup>`),
    );
    expect(html).toMatch(
      new RegExp(`${shown(fixtureMean('clean-1cpu-256m', 'downtime', 'qemu'))} n=2<sup>\\[\\d+\\]</sup>`),
    );
    expect(html.split('too few repeats (n=2) for an interval').length - 1).toBe(1);
    expect(html).toContain('sent on the link (MiB: RAM + disk if copied)');
    expect(html).toContain(`${shown(fixtureMean('clean-1cpu-256m', 'link_bytes', 'link') / 2 ** 20)} n=2<sup>`);
    expect(html).toContain('unsupported: container checkpoint/restore does not work on this host');
    expect(html).toContain(`${shown(fixtureMean('clean-1cpu-256m', 'transferred_bytes', 'qemu') / 2 ** 20)} n=2<sup>`);
  });

  it('puts the thesis beside the groups it has a mean for, and says the printed Table 6.1 copies Table 5.1', () => {
    expect(html).toContain(
      'clean guest, every memory size (this host: 2 configuration(s), 256, 512 MiB; thesis: 512, 1024, 6144 MiB)',
    );
    expect(html).toContain('244.2 (Figure 6.3), ours/thesis');
    expect(html).toContain('2670 (printed 2.67 seconds; Section 6.5.2)');
    expect(html).toContain('215.6 (Table 6.1)');
    expect(html.indexOf('t6.1-copies-t5.1')).toBeLessThan(html.indexOf('t6.2-missing'));
    expect(html).toContain('repeats Table 5.1');
  });

  it('lists every comparison with where the thesis prints it', () => {
    const table = migrationComparisonHtml(comparisons, 'ours beside the thesis');
    expect(table).toContain('Figure 6.3, line 1483');
    expect(table).toContain('not measured here');
  });
});
