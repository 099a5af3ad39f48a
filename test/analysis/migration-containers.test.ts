/**
 * Chapter 6 with containers, on a real quick campaign committed as a fixture (podman containers
 * migrated by CRIU, VMs under TCG, Docker unsupported): the container's figures per configuration,
 * podman's results beside the thesis's Docker containers (named as such), the thesis's two stated
 * ratios computed over the configurations both backends ran, and the figures and table that show them.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { evaluateClaim } from '../../lib/analysis/claims/evaluate-claims.js';
import {
  compareMigrationWithThesis,
  migrationThesisValues,
  summarizeMigration,
} from '../../lib/analysis/migration-summary.js';
import { containerMigrationStepsFigure, vmVsContainerFigure } from '../../lib/figures/migration-figures.js';
import { migrationTableHtml } from '../../lib/figures/migration-tables.js';
import { loadClaims } from '../../lib/thesis/index.js';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/campaigns/2026-12-02T00-04-54Z-2406');
const campaign = loadCampaign(FIXTURE);
const configs = summarizeMigration(campaign.samples);
const thesis = migrationThesisValues();
const comparisons = compareMigrationWithThesis(configs, thesis);
const CONFIGS = ['clean-1cpu-256m', 'clean-1cpu-512m', 'loaded-1cpu-256m', 'loaded-2cpu-256m'];

/** The plain mean of the fixture's ok values of one (backend, config, metric, measured_by). */
function fixtureMean(backend: string, config: string, metric: string, measuredBy: string): number {
  const values = campaign.samples
    .filter(
      (row) =>
        row.backend === backend &&
        row.config === config &&
        row.metric === metric &&
        row.measured_by === measuredBy &&
        row.state === 'ok',
    )
    .map((row) => row.value as number);
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

const of = (backend: string, config: string) =>
  configs.find((item) => item.backend === backend && item.config === config)!;

describe('summarizeMigration with container rows', () => {
  it("gives each podman configuration CRIU's figures and the three timed steps, and a VM none", () => {
    for (const config of CONFIGS) {
      const podman = of('podman', config);
      expect(podman).toMatchObject({ state: 'ok', accel: 'none', errored: 0 });
      expect(podman.checkpoint?.frozenMs?.mean).toBe(fixtureMean('podman', config, 'criu_frozen_time', 'criu'));
      expect(podman.checkpoint?.archiveBytes?.mean).toBe(fixtureMean('podman', config, 'snapshot_size', 'criu'));
      expect(podman.checkpoint?.transferStepMs?.mean).toBe(fixtureMean('podman', config, 'phase_transfer', 'runner'));
      expect(podman.checkpoint?.restoreStepMs?.n).toBe(2);
      // no QEMU account for a container: its total time and downtime are the observer's only
      expect(podman.totalTime.qemu).toBeNull();
      expect(podman.downtime.observer?.mean).toBe(fixtureMean('podman', config, 'downtime', 'observer'));
      expect(of('kvm', config).checkpoint).toBeNull();
    }
    expect(of('docker', 'clean-1cpu-256m')).toMatchObject({ state: 'unsupported', checkpoint: null });
  });
});

describe("podman beside the thesis's Docker containers", () => {
  const group = (backend: string, metric: string) =>
    comparisons.filter((item) => item.backend === backend && item.metric === metric && item.load === null);

  it("sets the thesis's container values beside podman's mean over its configurations, ratio ours/thesis", () => {
    const total = group('podman', 'total_time');
    expect(total.map((item) => item.thesis?.value)).toEqual([11.79, 11.7]);
    const ours = CONFIGS.map((config) => of('podman', config).totalTime.observer!.mean);
    const mean = ours.reduce((sum, value) => sum + value, 0) / ours.length;
    for (const item of total) {
      expect(item.group).toBe('podman containers, every configuration');
      expect(item.ours?.observer).toBeCloseTo(mean, 12);
      expect(item.ours?.qemu).toBeNull();
      expect(item.ratio).toBeCloseTo(mean / item.thesis!.value, 12);
    }
    expect(group('podman', 'downtime').map((item) => item.thesis?.value)).toEqual([5700]);
  });

  it('keeps Docker beside the same thesis values with its reason, and gives podman no per-load groups', () => {
    const docker = group('docker', 'total_time');
    expect(docker.map((item) => item.thesis?.value)).toEqual([11.79, 11.7]);
    expect(docker.every((item) => item.ours === null)).toBe(true);
    expect(docker[0]?.oursMissing).toMatch(/^unsupported: docker lacks live migration between two hosts/);
    expect(comparisons.filter((item) => item.backend === 'podman' && item.load !== null)).toEqual([]);
  });
});

describe("the thesis's stated migration ratios on this campaign", () => {
  const claims = new Map(loadClaims({ experiments: ['migration'] }).map((claim) => [claim.id, claim]));
  const evaluate = (id: string, samples = campaign.samples) =>
    evaluateClaim(claims.get(id)!, { id: campaign.meta.id, samples });
  const mean = (backend: string, field: 'totalTime' | 'downtime') =>
    CONFIGS.map((config) => of(backend, config)[field].observer!.mean).reduce((sum, value) => sum + value, 0) /
    CONFIGS.length;

  it('computes "a VM takes almost 20 times as long" from the observer figures of the four shared configurations', () => {
    const result = evaluate('6.5.1-migration-vm-20x');
    expect(result.claim.thesis).toMatchObject({ value: 20, rows: ['s6.5.1-total_time-kvm-over-docker'] });
    // equal repeats per configuration: the pooled mean is the mean of the configurations' means
    expect(result.ours?.value).toBeCloseTo(mean('kvm', 'totalTime') / mean('podman', 'totalTime'), 12);
    if (result.verdict !== 'not measured') throw new Error('TCG VMs are not set against containers');
    expect(result.reason).toMatch(/^kvm ran under TCG/);
  });

  it('computes "the container\'s downtime is double" the same way, container over VM, podman for Docker', () => {
    const result = evaluate('6.5.2-downtime-container-double');
    expect(result.ours?.value).toBeCloseTo(mean('podman', 'downtime') / mean('kvm', 'downtime'), 12);
  });

  it('says what is missing when a side was not measured', () => {
    const vmsOnly = campaign.samples.filter((row) => row.backend === 'kvm');
    expect(evaluate('6.5.1-migration-vm-20x', vmsOnly)).toMatchObject({
      verdict: 'not measured',
      reason: 'docker not run (nor a stand-in: podman, lxc)',
      ours: null,
    });
  });
});

describe('chapter 6 figures and table with containers', () => {
  it('draws Figure 6.5 with a category per backend, the thesis beside Docker and podman', () => {
    const figure = vmVsContainerFigure(comparisons, { title: 'Figure 6.5', metric: 'total_time' });
    expect(figure.data.map((trace) => trace.x)).toEqual([
      ['Docker containers', 'podman containers', 'VMs'],
      ['Docker containers', 'podman containers', 'VMs'],
      ['Docker containers', 'Docker containers', 'podman containers', 'podman containers', 'VMs'],
    ]);
    expect(figure.data[0]?.y?.[0]).toBeNull();
    expect(figure.data[0]?.y?.[1]).toBeCloseTo(
      CONFIGS.map((config) => of('podman', config).totalTime.observer!.mean).reduce((sum, value) => sum + value, 0) / 4,
      12,
    );
    expect(figure.notes?.[0]).toMatch(/^Docker containers: not measured here, unsupported/);
  });

  it("breaks a container's downtime into its three timed steps beside the observer's outage and CRIU's freeze", () => {
    const figure = containerMigrationStepsFigure(configs, { title: 'steps' });
    expect(figure.layout.barmode).toBe('stack');
    // what every entry ends with (", this host") is the legend's title
    expect(figure.layout.legend?.title?.text).toBe('this host');
    expect(figure.data.map((trace) => trace.name)).toEqual([
      "checkpoint + export (source): guestbench's clock",
      "archive over the link: guestbench's clock",
      "import + restore (target): guestbench's clock",
      'observer: service unreachable',
      'CRIU: processes frozen (within the checkpoint)',
    ]);
    expect(figure.data[0]?.x).toEqual(CONFIGS.map((config) => expect.stringContaining(config.split('-')[0]!)));
    expect(figure.data[1]?.y).toEqual(
      CONFIGS.map((config) => fixtureMean('podman', config, 'phase_transfer', 'runner')),
    );
    expect(figure.data[3]?.y).toEqual(CONFIGS.map((config) => fixtureMean('podman', config, 'downtime', 'observer')));
    expect(containerMigrationStepsFigure([], { title: 'none' }).notes?.[0]).toMatch(/^no container migration/);
  });

  it("adds the container's CRIU columns to Table 6.1", () => {
    const html = migrationTableHtml(configs, comparisons, { caption: 'Table 6.1' });
    expect(html).toContain('container: CRIU frozen (ms)');
    expect(html).toContain('container: checkpoint / link / restore steps (ms)');
    expect(html).toContain('podman containers, this host');
    expect(html).toContain('podman containers, every configuration');
  });
});
