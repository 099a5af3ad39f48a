/**
 * Snapshot and restore of a QEMU VM, for starting a guest from a saved state instead of booting it
 * (thesis section 5.0.3, Figure 5.2). The VM boots from its own qcow2 overlay over the image's raw
 * disk; saving pauses it and writes its memory and device state with a migration to
 * `exec:cat > FILE` (QEMU 7.2 has no `file:` migration URI; it arrived in 8.2); a new QEMU started
 * with the same devices loads that state (`-incoming`) and runs on from it, its
 * writes going to a throwaway layer over the saved overlay, so one snapshot restores any number of
 * times. The new QEMU waits with `-incoming defer` so that starting QEMU and loading the state are
 * timed apart; the load itself is `migrate-incoming "exec:cat FILE"`, then `cont`.
 *
 * ```ts
 * const snapshot = await createSnapshotDir(kvm.images);
 * const source = await snapshotSource(kvm, snapshot).start(spec);   // a cold boot
 * await source.waitReady();
 * await saveVmState(source, snapshot);                              // pause, save, then:
 * await source.stop();
 * const restored = await restoreFrom(kvm, snapshot).start(spec);
 * await loadVmState(restored, snapshot);                            // state loaded, VM running
 * await restored.waitReady();                                       // the agent answers
 * ```
 */
import { readdirSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, rmdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { ImageSet } from '../images/find-images.js';
import { seconds } from '../util/clock.js';
import { BackendError, UsageError } from '../util/errors.js';
import { isProcessAlive } from '../util/signals.js';
import type { MeasuredValues, SaveRestore, SaveRestoreCycle, StepOptions } from './capabilities.js';
import type { Guest, GuestSpec } from './guest.js';
import { sleep } from './kvm-json-socket.js';
import { measureVmBoot, vmBootValues } from './kvm-latency.js';
import type { KvmBackend, KvmGuest } from './kvm.js';

/** A saved VM: its disk overlay and (once saved) its state file. */
export interface VmSnapshot {
  /** directory holding both files; removeSnapshot() deletes it */
  dir: string;
  /** qcow2 overlay over the image's raw disk: the VM's disk as it was when saved */
  overlay: string;
  /** the migration stream: memory and device state */
  stateFile: string;
}

/** What saving measured. */
export interface SaveResult {
  /** monotonic clock (process.hrtime.bigint) before the VM was paused, nanoseconds */
  startedNs: bigint;
  /** monotonic clock when QEMU reported the migration completed, nanoseconds */
  savedNs: bigint;
  /** size of the state file, bytes */
  bytes: number;
  /** QEMU's own `query-migrate` at completion (total-time, ram transferred ...) */
  migration: Record<string, unknown>;
}

// paths go into a shell command (exec:) and a QEMU option value: keep them plain
const SAFE_PATH = /^[A-Za-z0-9/._-]+$/;

/** Parent of snapshot directories: <tmpdir>/guestbench-snapshots-<pid>. */
export function defaultSnapshotRoot(): string {
  return path.join(os.tmpdir(), `guestbench-snapshots-${process.pid}`);
}

/**
 * Makes a snapshot directory under `root` with a fresh qcow2 overlay over the image's raw disk
 * (`qemu-img create -f qcow2 -F raw -b DISK`): the disk the snapshotted VM will boot from.
 */
export async function createSnapshotDir(
  images: ImageSet,
  options: { root?: string; qemuImg?: string } = {},
): Promise<VmSnapshot> {
  if (options.root === undefined) sweepStaleSnapshotRoots();
  const root = options.root ?? defaultSnapshotRoot();
  await mkdir(root, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(path.join(root, 'snap-'));
  const snapshot = { dir, overlay: path.join(dir, 'disk.qcow2'), stateFile: path.join(dir, 'state.bin') };
  if (!SAFE_PATH.test(dir) || !SAFE_PATH.test(images.disk)) {
    await removeSnapshot(snapshot);
    throw new UsageError(
      `Expected snapshot and image paths of letters, digits, '/', '.', '_' and '-', got ${dir} and ${images.disk}`,
      { fix: 'set TMPDIR (or the snapshot root) to a plain path' },
    );
  }
  const binary = options.qemuImg ?? 'qemu-img';
  const created = await execa(
    binary,
    ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', images.disk, snapshot.overlay],
    { reject: false, stdin: 'ignore' },
  );
  if (created.failed) {
    await removeSnapshot(snapshot);
    throw new BackendError(
      `Could not create the snapshot disk overlay (exit code ${created.exitCode ?? '?'}): ${created.command}: ${String(created.stderr).trim()}`,
      {
        backend: 'kvm',
        fix: 'apt-get install qemu-utils',
      },
    );
  }
  return snapshot;
}

/** Deletes a snapshot directory (and its root when that is empty). Safe to call twice. */
export async function removeSnapshot(snapshot: VmSnapshot): Promise<void> {
  await rm(snapshot.dir, { recursive: true, force: true });
  // the root goes when empty (another snapshot may still use it)
  await rmdir(path.dirname(snapshot.dir)).catch(() => {});
}

/** A backend whose VMs boot from the snapshot's overlay, writing to it (the VM to be saved). */
export function snapshotSource(kvm: KvmBackend, snapshot: VmSnapshot): KvmBackend {
  return kvm.derive({ rootDisk: { file: snapshot.overlay, format: 'qcow2', snapshot: false }, incoming: undefined });
}

/**
 * A backend whose VMs wait for a saved state (`-incoming defer`; then {@link loadVmState}): same
 * devices, disk = the saved overlay under a throwaway layer.
 */
export function restoreFrom(kvm: KvmBackend, snapshot: VmSnapshot): KvmBackend {
  return kvm.derive({ rootDisk: { file: snapshot.overlay, format: 'qcow2', snapshot: true }, incoming: 'defer' });
}

/**
 * Pauses the VM and saves its memory and device state to the snapshot's state file (a migration to
 * `exec:cat > FILE`, bandwidth unthrottled). The VM stays paused; stop it afterwards.
 */
export async function saveVmState(
  guest: KvmGuest,
  snapshot: VmSnapshot,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<SaveResult> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const qmp = guest.qmp;
  const startedNs = process.hrtime.bigint();
  // paused first: the state is one instant, not a live migration's moving target
  await qmp.execute('stop', undefined, { signal: options.signal });
  // QEMU 7.2 throttles migration to 32 MiB/s by default
  await qmp.execute('migrate-set-parameters', { 'max-bandwidth': 64 * 2 ** 30 }, { signal: options.signal });
  await qmp.execute('migrate', { uri: `exec:cat > ${snapshot.stateFile}` }, { signal: options.signal });
  const deadline = Date.now() + timeoutMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 50)) {
    const info = await qmp.execute<Record<string, unknown>>('query-migrate', undefined, { signal: options.signal });
    if (info.status === 'completed') {
      const savedNs = process.hrtime.bigint();
      return { startedNs, savedNs, bytes: (await stat(snapshot.stateFile)).size, migration: info };
    }
    if (info.status === 'failed' || info.status === 'cancelled') {
      throw new BackendError(
        `Saving the VM state failed (${String(info.status)}${info['error-desc'] ? `: ${String(info['error-desc'])}` : ''}): migrate to exec:cat > ${snapshot.stateFile}`,
        { backend: 'kvm' },
      );
    }
    if (Date.now() > deadline)
      throw new BackendError(
        `Saving the VM state did not complete within ${Math.round(timeoutMs / 1000)} s (status ${String(info.status)}): ${guest.spec.name}`,
        { backend: 'kvm' },
      );
    await sleep(wait, options.signal);
  }
}

/** When each step of loading a saved state happened (monotonic clock, nanoseconds). */
export interface LoadResult {
  /** before `migrate-incoming` was sent */
  startedNs: bigint;
  /** QEMU reported the incoming migration completed: the state is loaded, the VM paused */
  loadedNs: bigint;
  /** the VM runs again (`cont` answered) */
  runningNs: bigint;
}

/**
 * Loads the snapshot's state into a VM started from {@link restoreFrom} (QEMU waits with
 * `-incoming defer`), then resumes it: the saved VM was paused, and a loaded VM keeps the run
 * state it was saved in.
 */
export async function loadVmState(
  guest: KvmGuest,
  snapshot: VmSnapshot,
  options: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<LoadResult> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  // QEMU 7.2 waits for ever on an exec: source that ends before sending anything (e.g. cat of a
  // missing file): check the file first
  const size = await stat(snapshot.stateFile).then(
    (info) => info.size,
    () => 0,
  );
  if (size === 0)
    throw new BackendError(`No saved VM state at ${snapshot.stateFile} (missing or empty)`, {
      backend: 'kvm',
      fix: 'save one first with saveVmState()',
    });
  const qmp = guest.qmp;
  await qmp.execute(
    'migrate-set-capabilities',
    { capabilities: [{ capability: 'events', state: true }] },
    { signal: options.signal },
  );
  const done = qmp.waitForEvent('MIGRATION', {
    timeoutMs,
    signal: options.signal,
    match: (event) => ['completed', 'failed', 'cancelled'].includes(String(event.data.status)),
  });
  // QEMU exits when a load fails: report that instead of waiting out the timeout
  const ended = qmp.closed.then(() => 'closed' as const);
  const startedNs = process.hrtime.bigint();
  await qmp.execute('migrate-incoming', { uri: `exec:cat ${snapshot.stateFile}` }, { signal: options.signal });
  const outcome = await Promise.race([done, ended]);
  const loadedNs = process.hrtime.bigint();
  if (outcome === 'closed') {
    done.catch(() => {});
    throw new BackendError(
      `QEMU exited while loading the VM state (a state file from another QEMU or other devices?): ${guest.command.join(' ')}`,
      { backend: 'kvm' },
    );
  }
  if (outcome.data.status !== 'completed') {
    throw new BackendError(
      `Loading the VM state ${String(outcome.data.status)}: migrate-incoming exec:cat ${snapshot.stateFile}`,
      { backend: 'kvm' },
    );
  }
  await qmp.execute('cont', undefined, { signal: options.signal });
  return { startedNs, loadedNs, runningNs: process.hrtime.bigint() };
}

/** Removes the snapshot roots of guestbench processes that died without cleaning up (SIGKILL). */
export function sweepStaleSnapshotRoots(): void {
  let names: string[];
  try {
    names = readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^guestbench-snapshots-(\d+)$/.exec(name)?.[1];
    if (!pid || Number(pid) === process.pid || isProcessAlive(Number(pid))) continue;
    rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

/** One cold boot, save and restore of one VM, in its own snapshot directory. */
class SnapshotCycle implements SaveRestoreCycle {
  #snapshot: VmSnapshot | undefined;
  readonly #guests: KvmGuest[] = [];

  constructor(private readonly kvm: KvmBackend) {}

  async #directory(): Promise<VmSnapshot> {
    this.#snapshot ??= await createSnapshotDir(this.kvm.images);
    return this.#snapshot;
  }

  async coldStart(spec: GuestSpec, options: StepOptions) {
    const snapshot = await this.#directory();
    const cold = await measureVmBoot(snapshotSource(this.kvm, snapshot), spec, options);
    this.#guests.push(cold.guest);
    const values: MeasuredValues = [
      ['cold_boot_time', seconds(cold.times.requestedNs, cold.times.agentNs)],
      ...vmBootValues(cold.times).filter(([metric]) => metric !== 'boot_time'),
    ];
    return { guest: cold.guest, values, record: { coldBoot: cold.times, command: cold.guest.command } };
  }

  async save(guest: Guest, options: StepOptions) {
    const cold = this.#guests.find((candidate) => candidate === guest);
    if (!cold) throw new BackendError('snapshot: save the VM this cycle cold-booted', { backend: 'kvm' });
    try {
      const saved = await saveVmState(cold, await this.#directory(), options);
      const values: MeasuredValues = [
        ['snapshot_save_time', seconds(saved.startedNs, saved.savedNs)],
        ['snapshot_size', saved.bytes],
      ];
      return {
        values,
        record: {
          save: { startedNs: saved.startedNs, savedNs: saved.savedNs, bytes: saved.bytes, migration: saved.migration },
        },
      };
    } finally {
      // saving leaves the VM paused: its QEMU has done its part
      await cold.stop();
    }
  }

  async restore(spec: GuestSpec, options: StepOptions) {
    const snapshot = await this.#directory();
    const requestedNs = process.hrtime.bigint();
    const restored = await restoreFrom(this.kvm, snapshot).start(spec, { signal: options.signal });
    this.#guests.push(restored);
    const qmpNs = restored.qmpReadyNs ?? requestedNs;
    const load = await loadVmState(restored, snapshot, { signal: options.signal });
    await restored.waitReady({ signal: options.signal, timeoutMs: options.timeoutMs });
    const readyNs = restored.readyNs ?? process.hrtime.bigint();
    const values: MeasuredValues = [
      ['restore_time', seconds(requestedNs, readyNs)],
      ['restore_vmm', seconds(requestedNs, qmpNs)],
      ['restore_state_load', seconds(qmpNs, load.loadedNs)],
      ['restore_agent', seconds(load.loadedNs, readyNs)],
    ];
    return {
      guest: restored,
      values,
      record: { restore: { requestedNs, qmpNs, ...load, readyNs, command: restored.command } },
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#guests.map((guest) => guest.stop()));
    if (this.#snapshot) await removeSnapshot(this.#snapshot);
  }
}

/** The kvm backend's save/restore: a snapshot of the running VM to a file, loaded by a new QEMU. */
export function kvmSaveRestore(kvm: KvmBackend): SaveRestore {
  return {
    method:
      'disk: qcow2 overlay over the image disk; save: QMP stop, migrate (max-bandwidth unthrottled) to "exec:cat > state" (QEMU 7.2 has no file: URI), then quit; ' +
      'restore: same QEMU command line with the overlay under a throwaway layer (snapshot=on) and -incoming defer, migrate-incoming "exec:cat state", cont; ' +
      'check: a token written to /run (tmpfs) before the save is read back after the restore',
    readiness: 'the guest agent answers guest-sync-delimited and guest-ping',
    check: async () => ({ usable: true, detail: 'QEMU saves and loads VM state by migration to and from a file' }),
    open: async () => new SnapshotCycle(kvm),
  };
}
