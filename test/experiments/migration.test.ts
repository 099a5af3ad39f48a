/**
 * The migration experiment's parameters (the thesis profile is the thesis's section 6.3, read from
 * data/thesis), its rows, and how they are summarized and resumed.
 */
import { describe, expect, it } from 'vitest';
import { summarize } from '../../lib/analysis/summarize.js';
import { cellKey, doneCells } from '../../lib/experiments/context.js';
import { MIGRATION_PROFILES, loadCommand, migration } from '../../lib/experiments/migration.js';
import { migrationRows, migrationValuelessRows, type MigrationCell } from '../../lib/experiments/migration-rows.js';
import type { MetricName } from '../../lib/results/schema.js';
import { loadThesisRows } from '../../lib/thesis/index.js';

const thesis = loadThesisRows().filter((row) => row.experiment === 'migration');
const parameter = (metric: string) => thesis.filter((row) => row.metric === metric && row.statistic === 'parameter');

describe('migration parameters', () => {
  it("the thesis profile runs the thesis's configurations, repeats and link", () => {
    const params = migration.parameters({ profile: 'thesis', backends: ['kvm', 'docker'] });
    const memoryOf = (load: string) =>
      parameter('guest_memory')
        .filter((row) => row.load === load)
        .map((row) => Number(row.value) / 2 ** 20);
    const clean = params.configs.filter((config) => config.load === 'clean');
    expect(clean.map((config) => config.memoryMiB)).toEqual(memoryOf('clean'));
    expect(new Set(clean.map((config) => config.vcpus))).toEqual(new Set([1]));
    const loaded = params.configs.filter((config) => config.load === 'loaded');
    const loadedVcpus = parameter('guest_vcpus')
      .filter((row) => row.load === 'loaded')
      .map((row) => Number(row.value));
    expect(loaded.map((config) => `${config.vcpus}x${config.memoryMiB}`).sort()).toEqual(
      memoryOf('loaded')
        .flatMap((memory) => loadedVcpus.map((vcpus) => `${vcpus}x${memory}`))
        .sort(),
    );
    expect(params.repeats).toBe(parameter('repeats')[0]?.value);
    expect(params.link.rateMbit).toBe(parameter('link_speed')[0]?.value);
    // the observer probes far more often than the thesis's ping
    expect(params.probeIntervalMs).toBeLessThan(Number(parameter('ping_interval')[0]?.value) * 1000);
    expect(params.backends).toEqual(['kvm', 'docker']);
  });

  it('quick is smaller, --repeats and --link-mbit override; a backend that cannot migrate stays, to say so', () => {
    const params = migration.parameters({ profile: 'quick', backends: ['native', 'kvm'], repeats: 1, linkMbit: 100 });
    expect(params.backends).toEqual(['native', 'kvm']);
    expect(params.repeats).toBe(1);
    expect(params.link).toEqual({ rateMbit: 100, delayMs: 0 });
    expect(Math.max(...params.configs.map((config) => config.memoryMiB))).toBeLessThan(
      Math.max(...MIGRATION_PROFILES.thesis.configs.map((config) => config.memoryMiB)),
    );
    expect(MIGRATION_PROFILES.quick.link.rateMbit).toBe(1000);
  });

  it('the load runs one FFT and one memory worker per vCPU', () => {
    expect(loadCommand(MIGRATION_PROFILES.thesis.load, 4)).toBe(
      'stress-ng --cpu 4 --cpu-method fft --vm 4 --vm-bytes 16M --vm-keep',
    );
  });
});

describe('migration rows', () => {
  const config = { id: 'loaded-2cpu-512m', load: 'loaded' as const, vcpus: 2, memoryMiB: 512 };
  const cell: MigrationCell = {
    campaign: 'c',
    experiment: 'migration',
    backend: 'kvm',
    accel: 'tcg',
    repeat: 3,
    config,
    raw: 'raw/x.txt',
  };
  const qemuFigures = (totalTime: number) => ({
    measuredBy: 'qemu' as const,
    values: [
      ['total_time', totalTime],
      ['downtime', 210],
      ['setup_time', 2],
      ['transferred_bytes', 1.6e8],
      ['dirty_sync_count', 4],
      ['bandwidth', 960],
    ] as Array<[MetricName, number]>,
  });
  const qemu = qemuFigures(1.25);
  const observer = { totalTimeS: 1.34, downtimeMs: 305, probesDuringMigration: 260, probesLost: 55, largestGapMs: 305 };

  it("one completed migration: total_time and downtime from both vantage points, in their units, plus QEMU's transfer figures", () => {
    const rows = migrationRows(cell, qemu, observer, 1.7e8, 'T');
    const pick = (metric: string, by: string) => rows.find((row) => row.metric === metric && row.measured_by === by);
    expect(pick('total_time', 'qemu')).toMatchObject({
      value: 1.25,
      unit: 's',
      state: 'ok',
      config: 'loaded-2cpu-512m',
      load: 'loaded',
      vcpus: 2,
      memory_mib: 512,
      guests: 1,
      guest: 1,
      repeat: 3,
      raw: 'raw/x.txt',
      accel: 'tcg',
    });
    expect(pick('total_time', 'observer')).toMatchObject({ value: 1.34, unit: 's' });
    expect(pick('downtime', 'qemu')).toMatchObject({ value: 210, unit: 'ms' });
    expect(pick('downtime', 'observer')).toMatchObject({ value: 305, unit: 'ms' });
    expect(pick('transferred_bytes', 'qemu')?.value).toBe(1.6e8);
    expect(pick('bandwidth', 'qemu')).toMatchObject({ value: 960, unit: 'Mbit/s' });
    expect(pick('probes_lost', 'observer')?.value).toBe(55);
    expect(pick('link_bytes', 'link')).toMatchObject({ value: 1.7e8, unit: 'bytes' });
    expect(rows).toHaveLength(10);
  });

  it("a failed or impossible cell: the primary rows, valueless, with the reason; only the observer's where the backend cannot migrate", () => {
    const errored = migrationValuelessRows(cell, 'errored', 'migrate: boom', 'qemu', 'T');
    expect(errored.map((row) => `${row.metric}/${row.measured_by}`)).toEqual([
      'total_time/qemu',
      'total_time/observer',
      'downtime/qemu',
      'downtime/observer',
    ]);
    expect(
      errored.every(
        (row) => row.value === null && row.state === 'errored' && row.reason === 'migrate: boom' && row.guest === 1,
      ),
    ).toBe(true);
    const container = migrationValuelessRows(
      { ...cell, backend: 'docker', accel: 'none' },
      'unsupported',
      'docker lacks live migration',
      undefined,
      'T',
    );
    expect(container.map((row) => `${row.metric}/${row.measured_by}`)).toEqual([
      'total_time/observer',
      'downtime/observer',
    ]);
    expect(container[0]).toMatchObject({ config: 'loaded-2cpu-512m', vcpus: 2, guest: 0, state: 'unsupported' });
  });

  it('summaries keep configurations and vantage points apart; a failed run counts once; resume knows cells by configuration', () => {
    const other = { ...config, id: 'clean-1cpu-512m', load: 'clean' as const, vcpus: 1 };
    const rows = [
      ...migrationRows(cell, qemu, observer, 1.7e8),
      ...migrationRows({ ...cell, repeat: 4 }, qemuFigures(1.35), observer, 1.7e8),
      ...migrationValuelessRows({ ...cell, repeat: 5 }, 'errored', 'x', 'qemu'),
      ...migrationRows({ ...cell, config: other, repeat: 1 }, qemu, observer, 1.7e8),
    ];
    const summary = summarize(rows).filter((row) => row.metric === 'total_time');
    expect(summary.map((row) => `${row.config}/${row.measured_by}/${row.n}/${row.errored}`)).toEqual([
      'clean-1cpu-512m/observer/1/0',
      'clean-1cpu-512m/qemu/1/0',
      'loaded-2cpu-512m/observer/2/1',
      'loaded-2cpu-512m/qemu/2/1',
    ]);
    expect(summary.find((row) => row.config === 'loaded-2cpu-512m' && row.measured_by === 'qemu')?.mean).toBeCloseTo(
      1.3,
      9,
    );
    const done = doneCells(rows);
    expect(done.has(cellKey({ backend: 'kvm', guests: 1, repeat: 3, config: 'loaded-2cpu-512m' }))).toBe(true);
    expect(done.has(cellKey({ backend: 'kvm', guests: 1, repeat: 3, config: 'clean-1cpu-512m' }))).toBe(false);
    expect(cellKey({ backend: 'kvm', guests: 1, repeat: 3 })).toBe('kvm/1/3');
  });
});
