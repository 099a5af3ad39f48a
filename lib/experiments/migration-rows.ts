/**
 * One migration's figures as result rows (pure, unit-tested): total_time and downtime twice, once as
 * the backend counts them (QEMU's query-migrate for a VM) and once as the observer saw the guest's
 * service, plus the backend's transfer figures, the steps guestbench timed (a container's checkpoint, transfer and
 * restore) and the bytes counted on the link.
 */
import type { MigrationOutcome } from '../backends/capabilities.js';
import type { BackendName } from '../model/backends.js';
import type { ObserverFigures } from '../network/observer.js';
import { migrationConfigId, type MigrationConfig } from '../results/parameters.js';
import { okRow, valuelessRow, type RowFields } from '../results/rows.js';
import type { Accel, MeasuredBy, MetricName, Sample } from '../results/schema.js';

export type { MigrationConfig };
export { migrationConfigId };

/** Where one migration's rows belong. */
export interface MigrationCell {
  campaign: string;
  experiment: string;
  backend: BackendName;
  accel: Accel;
  /** a container's OCI runtime */
  runtime?: string;
  repeat: number;
  config: MigrationConfig;
  raw?: string;
}

/** The two figures every cell reports, from the backend's vantage point and the observer's. */
export const MIGRATION_PRIMARY: ReadonlyArray<[MetricName, 'own' | 'observer']> = [
  ['total_time', 'own'],
  ['total_time', 'observer'],
  ['downtime', 'own'],
  ['downtime', 'observer'],
];

function fields(cell: MigrationCell, measuredBy: MeasuredBy, guest: number): RowFields {
  return {
    campaign: cell.campaign,
    experiment: cell.experiment,
    backend: cell.backend,
    accel: cell.accel,
    ...(cell.runtime === undefined ? {} : { runtime: cell.runtime }),
    guests: 1,
    guest,
    repeat: cell.repeat,
    ...(cell.raw === undefined ? {} : { raw: cell.raw }),
    config: cell.config.id,
    load: cell.config.load,
    vcpus: cell.config.vcpus,
    memory_mib: cell.config.memoryMiB,
    measured_by: measuredBy,
  };
}

/**
 * The rows of one completed migration: the backend's own figures (`outcome.values`, measured by
 * `outcome.measuredBy`), the observer's, and `linkBytes`, what the source sent on the migration link.
 */
export function migrationRows(
  cell: MigrationCell,
  outcome: Pick<MigrationOutcome, 'measuredBy' | 'values' | 'phases'>,
  observer: ObserverFigures,
  linkBytes: number,
  at = new Date().toISOString(),
): Sample[] {
  // the observer's first: the figures every backend has, and the thesis's vantage point
  const values: Array<[MetricName, MeasuredBy, number]> = [
    ['total_time', 'observer', observer.totalTimeS],
    ['downtime', 'observer', observer.downtimeMs],
    ['probes_lost', 'observer', observer.probesLost],
    ...outcome.values.map(([metric, value]): [MetricName, MeasuredBy, number] => [metric, outcome.measuredBy, value]),
    ...(outcome.phases ?? []).map(([metric, value]): [MetricName, MeasuredBy, number] => [metric, 'runner', value]),
    ['link_bytes', 'link', linkBytes],
  ];
  return values.map(([metric, measuredBy, value]) => okRow(fields(cell, measuredBy, 1), metric, value, at));
}

/**
 * The primary rows of a cell that failed (errored) or that the host cannot run (unsupported), with
 * the reason: the observer's, and the backend's own where it has an account (`own`: QEMU's for a
 * VM; a backend that cannot migrate has none).
 */
export function migrationValuelessRows(
  cell: MigrationCell,
  state: 'errored' | 'unsupported',
  reason: string,
  own: MeasuredBy | undefined,
  at = new Date().toISOString(),
): Sample[] {
  return MIGRATION_PRIMARY.flatMap(([metric, who]) => {
    const measuredBy = who === 'own' ? own : 'observer';
    return measuredBy === undefined
      ? []
      : [valuelessRow(fields(cell, measuredBy, state === 'unsupported' ? 0 : 1), metric, state, reason, at)];
  });
}
