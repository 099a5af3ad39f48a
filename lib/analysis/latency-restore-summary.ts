/**
 * Figure 5.2's numbers: per kind of guest, the cold boot and the restore from a saved state, the
 * speed-up (cold / restore, paired per repeat: each repeat restores the state its own cold boot
 * saved), or why there is no restore (unsupported, with the reason).
 */
import { byBackend, type BackendName } from '../model/backends.js';
import type { Accel, Sample } from '../results/schema.js';
import { describe, type Stats } from './statistics.js';

/** One kind of guest in Figure 5.2. */
export interface RestoreSummary {
  backend: BackendName;
  accel: Accel;
  /** guests already running (N) */
  guests: number;
  cold: Stats | null;
  /** cold boot of the repeats that also have a restore: the values `speedup` and `saving` pair with `restore` */
  pairedCold: Stats | null;
  restore: Stats | null;
  /** cold_boot_time / restore_time per repeat, then summarized; null without both */
  speedup: Stats | null;
  /** cold - restore per repeat, seconds (the thesis states the container's saving this way) */
  saving: Stats | null;
  /** VM: time to pause and save the state, seconds (not part of restore_time) */
  save: Stats | null;
  /** VM: size of the saved state, MiB */
  stateMiB: Stats | null;
  /** restore_time rows that were unsupported or errored */
  restoreState: 'ok' | 'unsupported' | 'errored' | 'none';
  /** why there is no restore value (the first unsupported or errored row's reason) */
  reason: string | null;
}

function okValues(rows: readonly Sample[]): Map<number, number> {
  const byRepeat = new Map<number, number>();
  for (const row of rows) if (row.state === 'ok') byRepeat.set(row.repeat, row.value);
  return byRepeat;
}

function stats(values: number[], options: { signed?: boolean } = {}): Stats | null {
  return values.length === 0 ? null : describe(values, options);
}

/** Summarizes a latency-restore campaign's rows per (backend, accel, N). */
export function summarizeRestore(samples: readonly Sample[]): RestoreSummary[] {
  const cells = new Map<string, Sample[]>();
  for (const sample of samples) {
    if (!['cold_boot_time', 'restore_time', 'snapshot_save_time', 'snapshot_size'].includes(sample.metric)) continue;
    const key = `${sample.backend}/${sample.guests}`;
    cells.set(key, [...(cells.get(key) ?? []), sample]);
  }
  return [...cells.values()]
    .map((rows) => {
      const first = rows[0] as Sample;
      const cold = okValues(rows.filter((row) => row.metric === 'cold_boot_time'));
      const restoreRows = rows.filter((row) => row.metric === 'restore_time');
      const restore = okValues(restoreRows);
      const paired = [...restore.keys()].filter((repeat) => cold.has(repeat));
      const failed = restoreRows.find((row) => row.state !== 'ok');
      const measuredAccel = rows.find((row) => row.state === 'ok')?.accel ?? first.accel;
      return {
        backend: first.backend,
        accel: measuredAccel,
        guests: first.guests,
        cold: stats([...cold.values()]),
        pairedCold: stats(paired.map((repeat) => cold.get(repeat) as number)),
        restore: stats([...restore.values()]),
        speedup: stats(paired.map((repeat) => (cold.get(repeat) as number) / (restore.get(repeat) as number))),
        // a difference: restore may be slower than a cold boot
        saving: stats(
          paired.map((repeat) => (cold.get(repeat) as number) - (restore.get(repeat) as number)),
          { signed: true },
        ),
        save: stats([...okValues(rows.filter((row) => row.metric === 'snapshot_save_time')).values()]),
        stateMiB: stats(
          [...okValues(rows.filter((row) => row.metric === 'snapshot_size')).values()].map((bytes) => bytes / 2 ** 20),
        ),
        restoreState: restore.size > 0 ? 'ok' : failed ? failed.state : 'none',
        reason: restore.size > 0 ? null : (failed?.reason ?? null),
      } satisfies RestoreSummary;
    })
    .sort((a, b) => byBackend(a, b) || a.guests - b.guests);
}
