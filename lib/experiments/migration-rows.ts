/**
 * One migration's figures as result rows (pure, unit-tested): total_time and downtime twice, once
 * as QEMU counts them and once as the observer saw the guest's service, plus QEMU's transfer figures.
 */
import type { QemuMigrationFigures } from '../backends/kvm-migrate.js';
import type { ObserverFigures } from '../network/observer.js';
import {
  METRICS,
  type Accel,
  type BackendName,
  type MeasuredBy,
  type MetricName,
  type MigrationLoad,
  type Sample,
} from '../results/schema.js';

/** A guest configuration of the thesis's migration runs (section 6.3). */
export interface MigrationConfig {
  /** e.g. `clean-1cpu-512m`: the rows' `config` */
  id: string;
  load: MigrationLoad;
  vcpus: number;
  memoryMiB: number;
}

/** The configuration id of a load, vCPU count and memory size. */
export function migrationConfigId(load: MigrationLoad, vcpus: number, memoryMiB: number): string {
  return `${load}-${vcpus}cpu-${memoryMiB}m`;
}

/** The configuration the container rows carry (the thesis migrated one container running a small script). */
export const CONTAINER_CONFIG = 'container';

/** Where one migration's rows belong. */
export interface MigrationCell {
  campaign: string;
  experiment: string;
  backend: BackendName;
  accel: Accel;
  repeat: number;
  /** a VM configuration; undefined for the container */
  config: MigrationConfig | undefined;
  raw?: string;
}

/** The two figures every cell reports, each from both vantage points. */
export const MIGRATION_PRIMARY: ReadonlyArray<[MetricName, MeasuredBy]> = [
  ['total_time', 'qemu'],
  ['total_time', 'observer'],
  ['downtime', 'qemu'],
  ['downtime', 'observer'],
];

function base(
  cell: MigrationCell,
  metric: MetricName,
  measuredBy: MeasuredBy,
  at: string,
): Omit<Sample, 'value' | 'state' | 'guest'> {
  const config = cell.config;
  return {
    campaign: cell.campaign,
    experiment: cell.experiment,
    backend: cell.backend,
    accel: cell.accel,
    guests: 1,
    repeat: cell.repeat,
    metric,
    unit: METRICS[metric],
    at,
    ...(cell.raw === undefined ? {} : { raw: cell.raw }),
    config: config?.id ?? CONTAINER_CONFIG,
    ...(config ? { load: config.load, vcpus: config.vcpus, memory_mib: config.memoryMiB } : {}),
    measured_by: measuredBy,
  };
}

/** The rows of one completed VM migration; `linkBytes`: what the source sent on the migration link meanwhile. */
export function migrationRows(
  cell: MigrationCell,
  qemu: QemuMigrationFigures,
  observer: ObserverFigures,
  linkBytes: number,
  at = new Date().toISOString(),
): Sample[] {
  const values: Array<[MetricName, MeasuredBy, number]> = [
    ['total_time', 'qemu', qemu.totalTimeMs / 1000],
    ['total_time', 'observer', observer.totalTimeS],
    ['downtime', 'qemu', qemu.downtimeMs],
    ['downtime', 'observer', observer.downtimeMs],
    ['setup_time', 'qemu', qemu.setupTimeMs],
    ['transferred_bytes', 'qemu', qemu.transferredBytes],
    ['dirty_sync_count', 'qemu', qemu.dirtySyncCount],
    ['bandwidth', 'qemu', qemu.mbps],
    ['probes_lost', 'observer', observer.probesLost],
    ['link_bytes', 'link', linkBytes],
  ];
  return values.map(([metric, measuredBy, value]) => ({
    ...base(cell, metric, measuredBy, at),
    guest: 1,
    value,
    state: 'ok' as const,
  }));
}

/** The primary rows of a cell that failed (errored) or that the host cannot run (unsupported), with the reason. */
export function migrationValuelessRows(
  cell: MigrationCell,
  state: 'errored' | 'unsupported',
  reason: string,
  at = new Date().toISOString(),
): Sample[] {
  return MIGRATION_PRIMARY.map(([metric, measuredBy]) => ({
    ...base(cell, metric, measuredBy, at),
    guest: state === 'unsupported' ? 0 : 1,
    value: null,
    state,
    reason,
  }));
}
