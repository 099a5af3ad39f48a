/**
 * A real live migration of a small VM from one network namespace to another over the shaped link,
 * with the observer probing the guest's echo service: QEMU's figures and the observer's agree with
 * each other, the guest answers on the target (agent and service) and keeps what it had in memory,
 * and afterwards no QEMU, namespace or interface is left. Needs root, qemu-system-x86_64, qemu-img
 * and the guest images (built here if missing); skipped with the reason printed otherwise.
 */
import { readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAccelCached } from '../../lib/backends/accel-probe.js';
import { KvmBackend, type KvmGuest } from '../../lib/backends/kvm.js';
import {
  migrateVm,
  MigrationTimeoutError,
  qemuMigrationFigures,
  type MigrationRun,
} from '../../lib/backends/kvm-migrate.js';
import { createSnapshotDir, removeSnapshot, type VmSnapshot } from '../../lib/backends/kvm-snapshot.js';
import { GUEST_ECHO_PORT } from '../../lib/images/recipe.js';
import { buildImages, type ImageSet } from '../../lib/images/index.js';
import { createHostPair, linkSentBytes, removeHostPair, type HostPair } from '../../lib/network/host-pair.js';
import { observerFigures, startObserver, type ObserverFigures, type ProbeLog } from '../../lib/network/observer.js';
import { hostPairLeftovers, qemusNamed } from '../helpers/leftovers.js';

const tools = await Promise.all(
  ['qemu-system-x86_64', 'qemu-img', 'tc'].map((tool) =>
    execa(tool, tool === 'tc' ? ['-V'] : ['--version'], { reject: false }),
  ),
);
let skipReason =
  process.getuid?.() !== 0
    ? 'not root (network namespaces and tap devices need it)'
    : tools.some((tool) => tool.failed)
      ? 'qemu-system-x86_64, qemu-img or tc is missing (fix: apt-get install qemu-system-x86 qemu-utils iproute2)'
      : undefined;
let images: ImageSet | undefined;
if (!skipReason) {
  try {
    images = await buildImages({ docker: false, log: (line) => console.log(`[images] ${line}`) });
  } catch (error) {
    skipReason = (error as Error).message.split('\n')[0];
  }
}
if (skipReason) console.warn(`SKIPPED live migration tests: ${skipReason}`);

const NAME = `migtest-${process.pid}`;

describe.skipIf(skipReason !== undefined).each(['copy', 'shared'] as const)(
  'live migration between two namespaces, disk %s (real QEMU)',
  (diskMode) => {
    let pair: HostPair;
    let overlay: VmSnapshot;
    let source: KvmGuest;
    let target: KvmGuest;
    let run: MigrationRun;
    let log: ProbeLog;
    let figures: ObserverFigures;
    let linkBytes: number;
    const token = `token-${process.pid}`;

    beforeAll(async () => {
      const probe = await probeAccelCached(images!);
      const kvm = new KvmBackend({ images: images!, accel: probe.state === 'ok' ? probe.accel : 'tcg' });
      pair = await createHostPair({ link: { rateMbit: 1000, delayMs: 0 } });
      overlay = await createSnapshotDir(images!);
      const rootDisk = { file: overlay.overlay, format: 'qcow2' as const, snapshot: false };
      // copied: the target starts on a blank disk of the same size; shared: on the source's own disk
      const blank = `${overlay.dir}/target.qcow2`;
      if (diskMode === 'copy')
        await execa('qemu-img', ['create', '-q', '-f', 'qcow2', blank, String(statSync(images!.disk).size)]);
      const targetDisk = diskMode === 'copy' ? { ...rootDisk, file: blank } : rootDisk;
      const nic = { tap: pair.source.tap, mac: '52:54:00:4d:49:47', address: pair.lan.guestCidr };
      const spec = { name: `${NAME}-${diskMode}`, vcpus: 1, memoryMiB: 256 };
      const uri = `tcp:${pair.target.migrationAddress}:4444`;
      source = await kvm.derive({ rootDisk, netns: pair.source.netns, nic }).start(spec);
      await source.waitReady({ timeoutMs: 180_000 });
      // something only the guest's memory holds (/run is a tmpfs), and something on its disk
      expect(
        (await source.exec(['sh', '-c', `echo ${token} > /run/token && echo ${token}-disk > /root/token && sync`]))
          .exitCode,
      ).toBe(0);
      target = await kvm.derive({ rootDisk: targetDisk, netns: pair.target.netns, nic, incoming: uri }).start(spec);
      const observer = await startObserver({ address: pair.lan.guestAddress, port: GUEST_ECHO_PORT, intervalMs: 5 });
      await observer.waitForAnswer(30_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const sentBefore = await linkSentBytes(pair);
      run = await migrateVm(source, target, { uri, timeoutMs: 120_000, copyDisk: diskMode === 'copy' });
      linkBytes = (await linkSentBytes(pair)) - sentBefore;
      await new Promise((resolve) => setTimeout(resolve, 1000));
      log = await observer.stop();
      figures = observerFigures(log, { issuedNs: run.issuedNs, switchedNs: run.resumedNs });
    }, 300_000);

    afterAll(async () => {
      await source?.stop();
      await target?.stop();
      if (overlay) await removeSnapshot(overlay);
      if (pair) await removeHostPair(pair);
    });

    it("QEMU reports a completed pre-copy migration that carried the guest's RAM over the shaped link", () => {
      expect(run.info.status).toBe('completed');
      expect(run.qemu.ramTotalBytes).toBeGreaterThanOrEqual(256 * 2 ** 20);
      expect(run.qemu.transferredBytes).toBeGreaterThan(10 * 2 ** 20);
      expect(run.qemu.totalTimeMs).toBeGreaterThan(0);
      expect(run.qemu.downtimeMs).toBeGreaterThan(0);
      expect(run.qemu.dirtySyncCount).toBeGreaterThanOrEqual(2);
      // the 1 Gbit/s link is the limit, not QEMU (whose own cap is raised)
      expect(run.qemu.mbps).toBeLessThan(1000 * 1.1);
      expect(run.parameters['max-bandwidth']).toBe(64 * 2 ** 30);
      // what crossed the link: RAM (and the disk's data when copied; its zeros go compactly)
      expect(linkBytes).toBeGreaterThan(run.qemu.transferredBytes);
      if (diskMode === 'copy') expect(linkBytes - run.qemu.transferredBytes).toBeGreaterThan(200 * 2 ** 20);
      else expect(linkBytes - run.qemu.transferredBytes).toBeLessThan(50 * 2 ** 20);
    });

    it('the source paused before the target resumed, both within the migration', () => {
      expect(run.pausedNs).toBeDefined();
      expect(run.pausedNs!).toBeGreaterThan(run.issuedNs);
      expect(run.resumedNs).toBeGreaterThan(run.pausedNs!);
      expect(run.completedNs).toBeGreaterThan(run.pausedNs!);
    });

    it('the observer saw the service answer before, go silent at the switch-over, and answer from the target', () => {
      const answered = log.probes.filter((probe) => probe.answeredNs !== undefined);
      expect(answered.some((probe) => probe.answeredNs! < run.issuedNs)).toBe(true);
      expect(answered.some((probe) => probe.answeredNs! > run.resumedNs)).toBe(true);
      expect(figures.downtimeMs).toBeGreaterThan(0);
      // the service's outage covers the guest's pause at least
      expect(figures.downtimeMs).toBeGreaterThanOrEqual(run.qemu.downtimeMs * 0.9);
      expect(figures.totalTimeS * 1000).toBeGreaterThanOrEqual(run.qemu.totalTimeMs * 0.9);
      expect(figures.probesLost).toBeGreaterThan(0);
    });

    it("the guest runs on the target: its agent answers and its memory is the source's", async () => {
      await target.waitReady({ timeoutMs: 60_000 });
      const read = await target.exec(['cat', '/run/token']);
      expect(read.stdout.trim()).toBe(token);
      // read back from the target's disk, not the page cache the migration carried over
      const fromDisk = await target.exec(['sh', '-c', 'echo 3 > /proc/sys/vm/drop_caches && cat /root/token']);
      expect(fromDisk.stdout.trim()).toBe(`${token}-disk`);
      expect(target.command.join(' ')).toContain(diskMode === 'copy' ? 'target.qcow2' : overlay.overlay);
      expect(target.command).toContain('-incoming');
      expect(target.command.slice(0, 4)).toEqual(['ip', 'netns', 'exec', pair.target.netns]);
    });

    it('leaves no QEMU, namespace or interface once stopped and removed', async () => {
      await source.stop();
      await target.stop();
      await removeSnapshot(overlay);
      await removeHostPair(pair);
      expect(await qemusNamed(`${NAME}-${diskMode}`)).toEqual([]);
      expect(await hostPairLeftovers(process.pid)).toEqual([]);
    });
  },
);

interface QueryMigrate {
  status: string;
  'total-time': number;
  downtime: number;
  'setup-time': number;
  ram: Record<string, number>;
}
const fixture = (name: string): QueryMigrate & Record<string, unknown> =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/qmp', name), 'utf8')) as QueryMigrate &
    Record<string, unknown>;

describe('QEMU migration figures (recorded query-migrate answers)', () => {
  it('reads a completed migration', async () => {
    const info = fixture('query-migrate-completed.json');
    expect(qemuMigrationFigures(info)).toEqual({
      totalTimeMs: info['total-time'],
      downtimeMs: info.downtime,
      setupTimeMs: info['setup-time'],
      transferredBytes: info.ram.transferred,
      dirtySyncCount: info.ram['dirty-sync-count'],
      mbps: info.ram.mbps,
      ramTotalBytes: info.ram.total,
    });
  });

  it('a query in the moment after `completed` reads zero times (QEMU 7.2): the figures are taken only once set', async () => {
    const info = fixture('query-migrate-completed-unsettled.json');
    expect(info.status).toBe('completed');
    expect(info['total-time']).toBe(0);
    expect(qemuMigrationFigures(info).totalTimeMs).toBe(0);
    expect(() => qemuMigrationFigures({ status: 'active' })).toThrow(
      /query-migrate has no numeric total-time \(status active\)/,
    );
    expect(MigrationTimeoutError.prototype).toBeInstanceOf(Error);
  });
});
