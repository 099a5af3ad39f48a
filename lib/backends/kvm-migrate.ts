/**
 * Live migration of a running VM to a QEMU waiting with `-incoming tcp:ADDR:PORT` (pre-copy, QEMU's
 * default): the source copies memory while the guest runs, repeats for pages dirtied meanwhile, and
 * pauses the guest for the last round once what is left fits the downtime limit at the measured
 * bandwidth. Returns QEMU's own figures (`query-migrate` on the source at completion) and when the
 * source paused (`STOP`) and the target resumed (`RESUME`), on the runner's monotonic clock.
 *
 * ```ts
 * const result = await migrateVm(source, target, { uri: 'tcp:192.168.213.2:4444', timeoutMs: 120_000 });
 * result.qemu.downtimeMs; // QEMU's downtime: the vCPUs' pause, not the service gap (see lib/network/observer.ts)
 * ```
 */
import { AbortedError, BackendError } from '../util/errors.js';
import { boundedSignal } from '../util/signals.js';
import type { KvmGuest } from './kvm.js';
import { sleep } from './kvm-json-socket.js';
import type { QmpEvent } from './qmp.js';

/** How to migrate. */
export interface MigrateOptions {
  /** where the target listens, e.g. `tcp:192.168.213.2:4444` */
  uri: string;
  /** QEMU `max-bandwidth`, bytes/s (default: unthrottled, the link decides; QEMU 7.2's own default is 32 MiB/s) */
  maxBandwidthBytes?: number;
  /** QEMU `downtime-limit`, milliseconds (default: QEMU's 300) */
  downtimeLimitMs?: number;
  /**
   * copy the guest's disks with the migration (QEMU block migration, the `block` capability, with
   * zero blocks sent compactly; the target's disk must be a blank image of the same size), as
   * `virsh migrate --copy-storage-all` does; otherwise the target opens the same disk (shared storage).
   * QEMU 7.2's `query-migrate` drops its `disk` figures once the migration completed: count the
   * bytes on the link instead (lib/network/host-pair.ts linkSentBytes)
   */
  copyDisk?: boolean;
  /**
   * give up (migrate_cancel) if not completed by then; pre-copy never ends when the guest dirties memory faster than
   * the link carries it
   */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** QEMU's account of one completed migration (source side `query-migrate`). */
export interface QemuMigrationFigures {
  /** migrate command -> completion, as QEMU counts it, milliseconds */
  totalTimeMs: number;
  /** the guest's pause for the last round, milliseconds */
  downtimeMs: number;
  /** migrate command -> first RAM round starts, milliseconds */
  setupTimeMs: number;
  /** RAM bytes sent */
  transferredBytes: number;
  /** passes over the dirty bitmap: 1 for a guest that dirtied nothing, more for a busy one */
  dirtySyncCount: number;
  /** QEMU's measured throughput, Mbit/s */
  mbps: number;
  /** guest RAM size, bytes */
  ramTotalBytes: number;
}

/** What migrateVm measured. */
export interface MigrationRun {
  /** just before `migrate` was sent (monotonic clock, nanoseconds) */
  issuedNs: bigint;
  /** the source reported the guest paused (last `STOP` before completion) */
  pausedNs: bigint | undefined;
  /** the source reported `completed` */
  completedNs: bigint;
  /** the target reported the guest running (`RESUME`) */
  resumedNs: bigint;
  qemu: QemuMigrationFigures;
  /** the source's full `query-migrate` answer at completion */
  info: Record<string, unknown>;
  /** the parameters QEMU migrated with (`query-migrate-parameters` on the source) */
  parameters: Record<string, unknown>;
}

/** The migration did not finish in time (it was cancelled; the guest runs on, on the source). */
export class MigrationTimeoutError extends BackendError {}

/** Reads QEMU's figures out of a `query-migrate` answer; throws a BackendError when one is missing. */
export function qemuMigrationFigures(info: Record<string, unknown>): QemuMigrationFigures {
  const ram = (info.ram ?? {}) as Record<string, unknown>;
  const number = (value: unknown, name: string): number => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new BackendError(
        `query-migrate has no numeric ${name} (status ${String(info.status)}): ${JSON.stringify(info)}`,
        { backend: 'kvm' },
      );
    }
    return value;
  };
  return {
    totalTimeMs: number(info['total-time'], 'total-time'),
    downtimeMs: number(info.downtime, 'downtime'),
    setupTimeMs: number(info['setup-time'], 'setup-time'),
    transferredBytes: number(ram.transferred, 'ram.transferred'),
    dirtySyncCount: number(ram['dirty-sync-count'], 'ram.dirty-sync-count'),
    mbps: number(ram.mbps, 'ram.mbps'),
    ramTotalBytes: number(ram.total, 'ram.total'),
  };
}

/**
 * The source's `query-migrate` once its figures are final. QEMU 7.2 announces `completed` (event
 * and status) a moment before its migration thread computes total-time and downtime: a query in
 * that window reads 0 for both (seen here). Polls until total-time is set, for up to 2 s.
 */
async function settledMigrationInfo(
  source: KvmGuest,
  signal: AbortSignal | undefined,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 2000;
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    const info = await source.qmp.execute<Record<string, unknown>>('query-migrate', undefined, { signal });
    if (info.status !== 'completed' || (typeof info['total-time'] === 'number' && info['total-time'] > 0)) return info;
    if (Date.now() > deadline) {
      throw new BackendError(
        `QEMU reported the migration completed but no total-time within 2 s: ${JSON.stringify(info)}`,
        { backend: 'kvm' },
      );
    }
    await sleep(wait, signal);
  }
}

/**
 * Migrates `source` to `target` (started with `-incoming` on `options.uri`) and waits until the
 * target runs the guest. On timeout or abort the migration is cancelled and the guest keeps running
 * on the source.
 */
export async function migrateVm(source: KvmGuest, target: KvmGuest, options: MigrateOptions): Promise<MigrationRun> {
  const { signal } = options;
  const events = { capability: 'events', state: true };
  const copy = options.copyDisk === true;
  const offered = await source.qmp.execute<Array<{ capability: string }>>('query-migrate-capabilities', undefined, {
    signal,
  });
  if (copy && !offered.some((item) => item.capability === 'block')) {
    throw new BackendError(
      `This QEMU cannot copy disks with a migration: it has no \`block\` migration capability (QEMU 9.1 removed it)`,
      {
        backend: 'kvm',
        fix: 'migrate with shared storage (`--disk shared`), or use QEMU 7.2-9.0',
      },
    );
  }
  const copying = copy
    ? [
        { capability: 'block', state: true },
        { capability: 'zero-blocks', state: true },
      ]
    : [];
  await source.qmp.execute('migrate-set-capabilities', { capabilities: [events, ...copying] }, { signal });
  await target.qmp.execute('migrate-set-capabilities', { capabilities: [events] }, { signal });
  await source.qmp.execute(
    'migrate-set-parameters',
    {
      'max-bandwidth': options.maxBandwidthBytes ?? 64 * 2 ** 30,
      ...(options.downtimeLimitMs !== undefined ? { 'downtime-limit': options.downtimeLimitMs } : {}),
    },
    { signal },
  );
  const parameters = await source.qmp.execute<Record<string, unknown>>('query-migrate-parameters', undefined, {
    signal,
  });
  let pausedNs: bigint | undefined;
  let resumedNs: bigint | undefined;
  const stopWatching = [
    source.qmp.onEvent((event) => {
      if (event.event === 'STOP') pausedNs = process.hrtime.bigint();
    }),
    target.qmp.onEvent((event) => {
      if (event.event === 'RESUME') resumedNs ??= process.hrtime.bigint();
    }),
  ];
  const ended = (event: QmpEvent): boolean => ['completed', 'failed', 'cancelled'].includes(String(event.data.status));
  // aborts on the caller's signal or at the timeout (told apart below by signal.aborted)
  const deadline = boundedSignal(signal, options.timeoutMs) as AbortSignal;
  try {
    const finished = source.qmp.waitForEvent('MIGRATION', { match: ended });
    const issuedNs = process.hrtime.bigint();
    await source.qmp.execute('migrate', { uri: options.uri }, { signal });
    const gaveUp = new Promise<'gave-up'>((resolve) =>
      deadline.aborted
        ? resolve('gave-up')
        : deadline.addEventListener('abort', () => resolve('gave-up'), { once: true }),
    );
    const targetGone = target.qmp.closed.then(() => 'target-exited' as const);
    const outcome = await Promise.race([finished, gaveUp, targetGone]);
    if (outcome === 'gave-up' || outcome === 'target-exited') {
      finished.catch(() => {});
      await source.qmp.execute('migrate_cancel').catch(() => {});
      if (outcome === 'target-exited')
        throw new BackendError(`The target QEMU exited during the migration: ${target.command.join(' ')}`, {
          backend: 'kvm',
        });
      if (signal?.aborted)
        throw new AbortedError(`Migration of ${source.spec.name} aborted (cancelled; the guest stays on the source)`);
      const info = await source.qmp.execute<Record<string, unknown>>('query-migrate').catch(() => ({}));
      const ram = (info as { ram?: Record<string, unknown> }).ram ?? {};
      throw new MigrationTimeoutError(
        `Migration of ${source.spec.name} did not complete within ${Math.round(options.timeoutMs / 1000)} s (cancelled): ` +
          `${String(ram['dirty-sync-count'] ?? '?')} rounds, ${String(ram['dirty-pages-rate'] ?? '?')} pages/s dirtied, ${String(ram.mbps ?? '?')} Mbit/s sent: the guest dirties memory faster than the link carries it`,
        { backend: 'kvm', fix: 'use a faster link, a lighter load, or a longer timeout' },
      );
    }
    const completedNs = process.hrtime.bigint();
    const info = await settledMigrationInfo(source, signal);
    if (outcome.data.status !== 'completed') {
      throw new BackendError(
        `Migration of ${source.spec.name} ${String(outcome.data.status)}${info['error-desc'] ? `: ${String(info['error-desc'])}` : ''}: migrate ${options.uri}`,
        { backend: 'kvm' },
      );
    }
    // the target runs the guest on its own once the state is in (QEMU's autostart)
    if (resumedNs === undefined) {
      await target.qmp.waitForEvent('RESUME', { timeoutMs: 30_000, signal }).catch(async (cause: unknown) => {
        if (resumedNs !== undefined) return;
        const status = await target.qmp
          .execute<{ status?: string }>('query-status')
          .catch(() => ({ status: 'unknown' }));
        if (status.status === 'running') {
          resumedNs = process.hrtime.bigint();
          return;
        }
        throw new BackendError(
          `The target did not resume the guest within 30 s of the migration (status ${String(status.status)})`,
          { cause, backend: 'kvm' },
        );
      });
      resumedNs ??= process.hrtime.bigint();
    }
    return { issuedNs, pausedNs, completedNs, resumedNs, qemu: qemuMigrationFigures(info), info, parameters };
  } finally {
    for (const stop of stopWatching) stop();
  }
}
