/**
 * The kvm backend's live migration between the two hosts of a host pair (lib/network/host-pair.ts):
 * the guest boots on the source host from a qcow2 overlay, with a NIC on the source's tap (its init
 * gives it the LAN address, and starts the echo service the observer probes); the target QEMU waits
 * with `-incoming tcp:` in the target's namespace, on a blank disk of the same size when the disk is
 * copied with the migration (the thesis's `--copy-storage-all`), or on the same overlay (shared
 * storage); kvm-migrate.ts drives QEMU's pre-copy migration over QMP.
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import type { HostPair } from '../network/host-pair.js';
import type { DiskMode } from '../results/parameters.js';
import { BackendError, firstLine } from '../util/errors.js';
import { withTimeout } from '../util/signals.js';
import type {
  Continuity,
  LiveMigration,
  MeasuredValues,
  MigrateOptions,
  MigrationOutcome,
  MigrationSession,
  RawRecord,
} from './capabilities.js';
import type { GuestSpec } from './guest.js';
import { migrateVm } from './kvm-migrate.js';
import { createSnapshotDir, removeSnapshot, type VmSnapshot } from './kvm-snapshot.js';
import type { KvmBackend, KvmGuest, RootDisk } from './kvm.js';

/** The port the target QEMU listens on for the migration stream. */
const MIGRATION_PORT = 4444;

// a locally administered MAC, the same on both hosts (the guest keeps its NIC)
function guestMac(): string {
  const bytes = randomBytes(3);
  return `52:54:00:${[...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':')}`;
}

// the target's disk when the disk is copied: a blank qcow2 of the source disk's size, in the repeat's directory
async function createBlankDisk(dir: string, sizeBytes: number): Promise<string> {
  const file = path.join(dir, 'target.qcow2');
  const created = await execa('qemu-img', ['create', '-q', '-f', 'qcow2', file, String(sizeBytes)], {
    reject: false,
    stdin: 'ignore',
  });
  if (created.failed) {
    throw new BackendError(
      `could not create the target's blank disk: ${created.command}: ${String(created.stderr).trim()}`,
      {
        backend: 'kvm',
        fix: 'apt-get install qemu-utils',
      },
    );
  }
  return file;
}

// what the target looked like when a step failed: QEMU's run state, the guest's console, and (if
// its agent answers within a few seconds) the guest's view of its NIC
async function describeTarget(target: KvmGuest): Promise<RawRecord> {
  const status = await withTimeout(
    target.qmp.execute<Record<string, unknown>>('query-status'),
    5000,
    'no answer within 5 s',
  ).catch((error: unknown) => `query-status failed: ${firstLine(error)}`);
  const consoleTail = await target.consoleTail(20);
  let nic: string;
  try {
    await target.waitReady({ timeoutMs: 10_000 });
    const shown = await target.exec(['sh', '-c', 'ip -s link show eth0; ip addr show eth0; cat /proc/net/udp'], {
      timeoutMs: 10_000,
    });
    nic = `${shown.stdout}${shown.stderr}`;
  } catch (error) {
    nic = `the agent did not answer: ${firstLine(error)}`;
  }
  return { status, console: consoleTail, nic };
}

/** The guest kernel's uptime, seconds (/proc/uptime through the agent). */
async function uptime(guest: KvmGuest): Promise<number> {
  const read = await guest.exec(['cat', '/proc/uptime'], { timeoutMs: 60_000 });
  const value = Number(read.stdout.trim().split(/\s+/)[0]);
  if (read.exitCode !== 0 || !Number.isFinite(value))
    throw new BackendError(`could not read /proc/uptime in ${guest.spec.name}: ${read.stderr.trim()}`, {
      backend: 'kvm',
    });
  return value;
}

function relativeMs(ns: bigint | undefined, from: bigint): number | null {
  return ns === undefined ? null : Number(ns - from) / 1e6;
}

/** One VM migrated between the pair's hosts. */
class VmMigration implements MigrationSession {
  #target: KvmGuest | undefined;
  #uptimeBefore: number | undefined;

  private constructor(
    private readonly kvm: KvmBackend,
    private readonly spec: GuestSpec,
    private readonly options: { pair: HostPair; disk: DiskMode },
    private readonly overlay: VmSnapshot,
    private readonly nic: { tap: string; mac: string; address: string },
    private readonly uri: string,
    readonly source: KvmGuest,
  ) {}

  /** Boots the guest on the source host; on failure nothing is left behind. */
  static async open(
    kvm: KvmBackend,
    spec: GuestSpec,
    options: { pair: HostPair; disk: DiskMode; signal?: AbortSignal },
  ): Promise<VmMigration> {
    const { pair } = options;
    const overlay = await createSnapshotDir(kvm.images);
    const nic = { tap: pair.source.tap, mac: guestMac(), address: pair.lan.guestCidr };
    const uri = `tcp:${pair.target.migrationAddress}:${MIGRATION_PORT}`;
    try {
      const source = await kvm
        .derive({ rootDisk: VmMigration.rootDisk(overlay), netns: pair.source.netns, nic, incoming: undefined })
        .start(spec, { signal: options.signal });
      return new VmMigration(kvm, spec, options, overlay, nic, uri, source);
    } catch (error) {
      await removeSnapshot(overlay);
      throw error;
    }
  }

  private static rootDisk(overlay: VmSnapshot): RootDisk {
    return { file: overlay.overlay, format: 'qcow2', snapshot: false };
  }

  get target(): KvmGuest | undefined {
    return this.#target;
  }

  #record(): RawRecord {
    return {
      uri: this.uri,
      nic: this.nic,
      sourceCommand: this.source.command,
      ...(this.#target ? { targetCommand: this.#target.command } : {}),
    };
  }

  async prepareTarget(signal?: AbortSignal): Promise<void> {
    const disk: RootDisk =
      this.options.disk === 'copy'
        ? {
            file: await createBlankDisk(this.overlay.dir, (await stat(this.kvm.images.disk)).size),
            format: 'qcow2',
            snapshot: false,
          }
        : VmMigration.rootDisk(this.overlay);
    this.#target = await this.kvm
      .derive({ rootDisk: disk, netns: this.options.pair.target.netns, nic: this.nic, incoming: this.uri })
      .start(this.spec, { signal });
  }

  async migrate(options: MigrateOptions): Promise<MigrationOutcome> {
    const target = this.#target;
    if (!target) throw new BackendError('migrate: prepare the target first', { backend: 'kvm' });
    this.#uptimeBefore = await uptime(this.source);
    const run = await migrateVm(this.source, target, {
      uri: this.uri,
      copyDisk: this.options.disk === 'copy',
      ...options,
    });
    const values: MeasuredValues = [
      ['total_time', run.qemu.totalTimeMs / 1000],
      ['downtime', run.qemu.downtimeMs],
      ['setup_time', run.qemu.setupTimeMs],
      ['transferred_bytes', run.qemu.transferredBytes],
      ['dirty_sync_count', run.qemu.dirtySyncCount],
      ['bandwidth', run.qemu.mbps],
    ];
    return {
      issuedNs: run.issuedNs,
      switchedNs: run.resumedNs,
      measuredBy: 'qemu',
      values,
      record: {
        ...this.#record(),
        qemu: {
          info: run.info,
          parameters: run.parameters,
          pausedMs: relativeMs(run.pausedNs, run.issuedNs),
          completedMs: relativeMs(run.completedNs, run.issuedNs),
          resumedMs: relativeMs(run.resumedNs, run.issuedNs),
        },
      },
    };
  }

  /** The guest's uptime before the migration and on the target now: the same kernel went on running. */
  async continuity(): Promise<Continuity> {
    const target = this.#target;
    const before = this.#uptimeBefore;
    if (!target || before === undefined)
      throw new BackendError('continuity: the VM has not migrated', { backend: 'kvm' });
    await target.waitReady({ timeoutMs: 60_000 });
    const after = await uptime(target);
    // a VM booted afresh on the target would be seconds old
    return { what: "the guest kernel's uptime (s)", before, after, kept: after >= before };
  }

  async failureRecord(): Promise<RawRecord> {
    return {
      ...this.#record(),
      sourceConsole: await this.source.consoleTail(20),
      ...(this.#target ? { target: await describeTarget(this.#target) } : {}),
    };
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.source.stop(), this.#target?.stop()]);
    await removeSnapshot(this.overlay);
  }
}

/** The kvm backend's live migration. */
export function kvmLiveMigration(kvm: KvmBackend): LiveMigration {
  return {
    method:
      'QEMU pre-copy live migration driven over QMP, to a QEMU waiting with -incoming tcp: on the target host; the disk copied with the migration (QEMU block migration, as virsh migrate --copy-storage-all) or shared',
    measuredBy: 'qemu',
    ownsTiming: true,
    check: async () => ({ usable: true, detail: 'QEMU live migration over QMP' }),
    open: (spec, options) => VmMigration.open(kvm, spec, options),
  };
}
