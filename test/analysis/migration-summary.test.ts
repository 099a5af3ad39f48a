/**
 * Chapter 6's analysis on the committed quick migration campaign (kvm under TCG; docker unsupported)
 * and on a few made-up rows for the errored paths.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { migrationSetup } from '../../lib/analysis/migration-setup.js';
import {
  compareMigrationWithThesis,
  migrationInconsistencies,
  migrationThesisValues,
  summarizeMigration,
  TABLE_6_1_COPIES_5_1,
} from '../../lib/analysis/migration-summary.js';
import type { Sample } from '../../lib/results/schema.js';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/campaigns/2026-11-22T03-04-42Z-ea66');
const campaign = loadCampaign(FIXTURE);
const configs = summarizeMigration(campaign.samples);
const thesis = migrationThesisValues();
const comparisons = compareMigrationWithThesis(configs, thesis);

/** The plain mean of the fixture's ok values of one (config, metric, measured_by). */
function fixtureMean(config: string, metric: string, measuredBy: string): number {
  const values = campaign.samples
    .filter(
      (row) => row.config === config && row.metric === metric && row.measured_by === measuredBy && row.state === 'ok',
    )
    .map((row) => row.value as number);
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

/** The fixture's value of one (config, metric, measured_by, repeat). */
function fixtureValue(config: string, metric: string, measuredBy: string, repeat: number): number {
  return campaign.samples.find(
    (row) => row.config === config && row.metric === metric && row.measured_by === measuredBy && row.repeat === repeat,
  )?.value as number;
}

describe('summarizeMigration', () => {
  it('gives one summary per configuration, backends in legend order (the container first), VMs by load, memory, vCPUs', () => {
    expect(
      configs.map((config) => [config.config, config.load, config.vcpus, config.memoryMiB, config.accel, config.state]),
    ).toEqual([
      ['container', null, null, null, 'none', 'unsupported'],
      ['clean-1cpu-256m', 'clean', 1, 256, 'tcg', 'ok'],
      ['clean-1cpu-512m', 'clean', 1, 512, 'tcg', 'ok'],
      ['loaded-1cpu-256m', 'loaded', 1, 256, 'tcg', 'ok'],
      ['loaded-2cpu-256m', 'loaded', 2, 256, 'tcg', 'ok'],
    ]);
  });

  it("keeps QEMU's figures and the observer's apart, with exact means over the repeats", () => {
    const clean = configs.find((config) => config.config === 'clean-1cpu-256m')!;
    expect(clean.totalTime.observer?.mean).toBe(fixtureMean('clean-1cpu-256m', 'total_time', 'observer'));
    expect(clean.totalTime.qemu?.mean).toBe(fixtureMean('clean-1cpu-256m', 'total_time', 'qemu'));
    expect(clean.downtime.qemu?.mean).toBe(fixtureMean('clean-1cpu-256m', 'downtime', 'qemu'));
    expect(clean.downtime.observer?.n).toBe(2);
    expect(clean.transferredBytes?.mean).toBe(fixtureMean('clean-1cpu-256m', 'transferred_bytes', 'qemu'));
    expect(clean.probesLost?.mean).toBe(fixtureMean('clean-1cpu-256m', 'probes_lost', 'observer'));
    expect(clean.linkBytes?.mean).toBe(fixtureMean('clean-1cpu-256m', 'link_bytes', 'link'));
    // observer − QEMU, paired per repeat
    const gap = (repeat: number) =>
      fixtureValue('clean-1cpu-256m', 'downtime', 'observer', repeat) -
      fixtureValue('clean-1cpu-256m', 'downtime', 'qemu', repeat);
    expect(clean.downtimeGap?.mean).toBeCloseTo((gap(1) + gap(2)) / 2, 9);
    expect(clean.downtimeGap?.n).toBe(2);
  });

  it('shows the container as unsupported with the recorded reason and no numbers', () => {
    const container = configs.find((config) => config.config === 'container')!;
    expect(container.reason).toContain('criu check');
    expect(container.reason).toContain('--experimental');
    expect([
      container.totalTime.observer,
      container.totalTime.qemu,
      container.downtime.observer,
      container.downtimeGap,
    ]).toEqual([null, null, null, null]);
  });

  it('counts errored runs once and says why a configuration has no value', () => {
    const base = {
      campaign: 'c',
      experiment: 'migration',
      backend: 'kvm',
      accel: 'tcg',
      guests: 1,
      guest: 1,
      unit: 's',
      at: '2026-11-22T00:00:00.000Z',
      config: 'loaded-4cpu-512m',
      load: 'loaded',
      vcpus: 4,
      memory_mib: 512,
    } as const;
    const rows: Sample[] = [
      {
        ...base,
        repeat: 1,
        metric: 'total_time',
        measured_by: 'qemu',
        value: null,
        state: 'errored',
        reason: 'migration did not converge within 120 s',
      },
      {
        ...base,
        repeat: 1,
        metric: 'total_time',
        measured_by: 'observer',
        value: null,
        state: 'errored',
        reason: 'migration did not converge within 120 s',
      },
    ];
    const [summary] = summarizeMigration(rows);
    expect(summary).toMatchObject({
      state: 'errored',
      errored: 1,
      reason: 'migration did not converge within 120 s',
      totalTime: { qemu: null, observer: null },
    });
  });
});

describe("the thesis's migration values", () => {
  it('are the means its text prints, with what each covers, restatements and the copied Table 6.1 left out', () => {
    const byId = new Map(thesis.map((value) => [value.id, value]));
    expect(byId.get('f6.3-kvm-clean-total_time')).toMatchObject({
      value: 244.2,
      unit: 's',
      load: 'clean',
      memoryMiB: null,
      memoryCovered: [512, 1024, 6144],
      vcpusCovered: [1],
    });
    expect(byId.get('s6.5.1-kvm-loaded-1024-total_time')).toMatchObject({
      value: 245.6,
      memoryMiB: 1024,
      vcpusCovered: [1, 2, 4],
    });
    expect(byId.get('s6.5.2-kvm-clean-downtime')).toMatchObject({
      value: 2670,
      unit: 'ms',
      printed: { value: 2.67, unit: 'seconds' },
    });
    expect(byId.get('s6.5.1-docker-total_time')?.value).toBe(11.79);
    expect(byId.has('f6.5-docker-downtime')).toBe(false);
    expect(thesis.every((value) => value.metric === 'total_time' || value.metric === 'downtime')).toBe(true);
  });

  it("lists the inconsistencies touching them, Table 6.1's copy of Table 5.1 first", () => {
    const ids = migrationInconsistencies(thesis).map((item) => item.id);
    expect(ids[0]).toBe(TABLE_6_1_COPIES_5_1);
    expect(ids).toEqual(
      expect.arrayContaining([
        't6.2-missing',
        't6.1-cited-for-absent-values',
        'docker-migration-time-11.79-vs-11.70',
        'vm-migration-time-237.2-unreconciled',
      ]),
    );
  });
});

describe('compareMigrationWithThesis', () => {
  const find = (metric: string, group: string) =>
    comparisons.filter((item) => item.metric === metric && item.group === group);

  it("compares the one clean mean with the mean of our clean configurations (observer), QEMU's beside", () => {
    const [clean] = find('total_time', 'clean guest, every memory size');
    const observer =
      (fixtureMean('clean-1cpu-256m', 'total_time', 'observer') +
        fixtureMean('clean-1cpu-512m', 'total_time', 'observer')) /
      2;
    expect(clean?.ours).toMatchObject({ configs: ['clean-1cpu-256m', 'clean-1cpu-512m'], memoryMiB: [256, 512] });
    expect(clean?.ours?.observer).toBeCloseTo(observer, 12);
    expect(clean?.ours?.qemu).toBeCloseTo(
      (fixtureMean('clean-1cpu-256m', 'total_time', 'qemu') + fixtureMean('clean-1cpu-512m', 'total_time', 'qemu')) / 2,
      12,
    );
    expect(clean?.thesis?.value).toBe(244.2);
    expect(clean?.ratio).toBeCloseTo(observer / 244.2, 12);
    // the clean guest is compared as a whole, not per memory size
    expect(comparisons.some((item) => item.load === 'clean' && item.memoryMiB !== null)).toBe(false);
  });

  it("matches the loaded guest per memory size only: ours at 256 MiB has no thesis value, the thesis's sizes have none of ours", () => {
    const [ours] = find('downtime', 'loaded guest, 256 MiB, every vCPU count');
    expect(ours?.thesis).toBeNull();
    expect(ours?.ours?.vcpus).toEqual([1, 2]);
    expect(ours?.ours?.observer).toBeCloseTo(
      (fixtureMean('loaded-1cpu-256m', 'downtime', 'observer') +
        fixtureMean('loaded-2cpu-256m', 'downtime', 'observer')) /
        2,
      9,
    );
    for (const [size, value] of [
      [512, 2210],
      [1024, 1810],
      [2048, 2510],
    ] as const) {
      const [thesisOnly] = find('downtime', `loaded guest, ${size} MiB, every vCPU count`);
      expect(thesisOnly).toMatchObject({
        ours: null,
        oursMissing: 'not measured here',
        ratio: null,
        thesis: { value },
      });
    }
  });

  it("keeps both of the thesis's container times and says why ours is missing", () => {
    const container = find('total_time', 'Docker containers, every configuration');
    expect(container.map((item) => item.thesis?.value)).toEqual([11.79, 11.7]);
    expect(
      container.every(
        (item) => item.ours === null && item.oursMissing?.startsWith('unsupported: container checkpoint/restore'),
      ),
    ).toBe(true);
    expect(find('downtime', 'Docker containers, every configuration').map((item) => item.thesis?.value)).toEqual([
      5700,
    ]);
  });

  it('never carries a thesis number in our fields', () => {
    const thesisNumbers = new Set(thesis.map((value) => value.value));
    for (const item of comparisons) {
      expect(thesisNumbers.has(item.ours?.observer ?? NaN)).toBe(false);
      expect(thesisNumbers.has(item.ours?.qemu ?? NaN)).toBe(false);
    }
  });
});

describe('migrationSetup', () => {
  it('states the set-up from campaign.json and the raw records', () => {
    const facts = new Map(migrationSetup(campaign).map((fact) => [fact.term, fact.value]));
    expect(facts.get('source and target hosts')).toContain('veth pair');
    expect(facts.get('link between them')).toBe(
      '1000 Mbit/s, 0 ms added delay; shaped with tc: `root tbf rate 1000mbit burst 500000 latency 100ms`',
    );
    expect(facts.get('VM migration')).toContain('pre-copy only: post-copy bytes 0 in all 8 QEMU records');
    expect(facts.get('observer')).toMatch(/^one probe every 5 ms/);
    expect(facts.get('load (loaded guests)')).toContain('stress-ng');
    expect(facts.get('guest disk')).toMatch(/^copy: copied with the migration .*blank qcow2/);
  });
});
