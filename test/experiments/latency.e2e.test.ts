/**
 * The latency and latency-restore campaigns end to end at tiny size, through the command line, on
 * the real Docker engine and real QEMU: the rows, their accelerator labels, the definitions in
 * campaign.json, and nothing left behind (no QEMU process, no container, no run or snapshot
 * directory).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCampaignMeta, readSamples } from '../../lib/results/store.js';
import type { Sample } from '../../lib/results/schema.js';
import { isProcessAlive } from '../../lib/util/signals.js';
import { checkCriu } from '../../lib/backends/criu.js';
import { checkContainerCheckpoint } from '../../lib/backends/docker-checkpoint.js';
import { containerBackends, dockerSkip } from '../helpers/capabilities.js';
import { campaignContainers, campaignQemus } from '../helpers/leftovers.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/guestbench.js');
let results: string;
beforeAll(() => {
  results = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-latency-e2e-'));
});
afterAll(() => fs.rmSync(results, { recursive: true, force: true }));

/** Temp directories of guestbench processes that are gone (kvm run roots, snapshot roots). */
function orphanedTempDirs(): string[] {
  return fs.readdirSync(os.tmpdir()).filter((name) => {
    const pid = /^guestbench-(?:snapshots-)?(\d+)$/.exec(name)?.[1];
    return pid !== undefined && !isProcessAlive(Number(pid));
  });
}

async function run(args: string[]): Promise<{ id: string; dir: string; samples: Sample[]; stderr: string }> {
  const before = new Set(fs.readdirSync(results));
  const child = await execa('node', [BIN, 'run', ...args, '--results', results], { reject: false });
  expect(child.exitCode, child.stderr).toBe(0);
  const id = fs.readdirSync(results).find((name) => !before.has(name)) as string;
  const dir = path.join(results, id);
  expect(await campaignContainers(id)).toEqual([]);
  expect(await campaignQemus(id)).toEqual([]);
  expect(orphanedTempDirs()).toEqual([]);
  return { id, dir, samples: readSamples(dir).samples, stderr: child.stderr };
}

const podmanUsable = containerBackends.find((state) => state.name === 'podman')?.check.usable === true;

const ok = (samples: Sample[], backend: string, metric: string) =>
  samples.filter((row) => row.backend === backend && row.metric === metric && row.state === 'ok');

describe.skipIf(dockerSkip)('latency campaigns end to end (real Docker and QEMU)', () => {
  it('latency: boot and shutdown of one more guest beside one running guest, per backend, with phases and raw records', async () => {
    const { dir, samples } = await run(['latency', '--backends', 'docker,kvm', '--guests', '1', '--repeats', '1']);
    const meta = readCampaignMeta(dir);
    expect(meta.state).toBe('complete');
    expect(['kvm', 'tcg']).toContain(meta.accel.kvm);
    const parameters = meta.parameters as { guests: Record<string, number[]> };
    // what ready and gone meant, in each backend's own words
    expect(meta.methods?.docker?.ready).toMatch(/prints "guestbench-ready" on stdout/);
    expect(meta.methods?.docker?.gone).toMatch(/exits on SIGTERM/);
    expect(meta.methods?.kvm?.ready).toMatch(/prints "guestbench-init: ready uptime=\.\.\." on the serial console/);
    expect(meta.methods?.kvm?.gone).toMatch(/guest-shutdown/);
    expect(parameters.guests).toEqual({ docker: [1], kvm: [1] });
    expect(samples.filter((row) => row.state !== 'ok')).toEqual([]);
    for (const backend of ['docker', 'kvm'] as const) {
      for (const metric of ['boot_time', 'shutdown_time']) {
        const rows = ok(samples, backend, metric);
        expect(rows, `${backend} ${metric}`).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          guests: 1,
          guest: 2,
          repeat: 1,
          unit: 's',
          accel: backend === 'kvm' ? meta.accel.kvm : 'none',
        });
        expect(rows[0]!.value).toBeGreaterThan(0);
        const raw = JSON.parse(fs.readFileSync(path.join(dir, rows[0]!.raw!), 'utf8')) as Record<string, unknown>;
        expect(raw.boot).toBeDefined();
      }
    }
    const vm = Object.fromEntries(
      samples.filter((row) => row.backend === 'kvm').map((row) => [row.metric, row.value as number]),
    );
    expect(vm.phase_vmm! + vm.phase_guest!).toBeCloseTo(vm.boot_time!, 6);
    expect(vm.phase_poweroff!).toBeLessThanOrEqual(vm.shutdown_time!);
    expect(vm.guest_uptime_at_marker).toBeGreaterThan(0);
    const container = Object.fromEntries(
      samples.filter((row) => row.backend === 'docker').map((row) => [row.metric, row.value as number]),
    );
    expect(container.phase_create! + container.phase_attach! + container.phase_start!).toBeCloseTo(
      container.boot_time!,
      6,
    );
    expect(container.shutdown_killed).toBe(0);
    expect(container.engine_start_time).toBeGreaterThan(0);
    expect(container.boot_time!).toBeLessThan(vm.boot_time!);
  });

  it('latency-restore: cold boot against restore from a saved state, VMs and containers (CRIU), each restore checked', async () => {
    const { dir, samples } = await run(['latency-restore', '--backends', 'docker,podman,kvm', '--repeats', '1']);
    const meta = readCampaignMeta(dir);
    expect(meta.state).toBe('complete');
    const cold = ok(samples, 'kvm', 'cold_boot_time')[0];
    const restored = ok(samples, 'kvm', 'restore_time')[0];
    expect(cold).toMatchObject({ guests: 0, guest: 1, accel: meta.accel.kvm });
    expect(restored!.value!).toBeLessThan(cold!.value!);
    const raw = JSON.parse(fs.readFileSync(path.join(dir, restored!.raw!), 'utf8')) as { check: string };
    expect(raw.check).toMatch(/read back after the restore/);
    expect(ok(samples, 'kvm', 'snapshot_size')[0]!.value).toBeGreaterThan(2 ** 20);
    // a container restores wherever this host can checkpoint it: then it must, else the rows say why
    const docker = await checkContainerCheckpoint();
    const criu = await checkCriu();
    const usable: Record<string, boolean> = { docker: docker.supported, podman: criu.usable && podmanUsable };
    for (const backend of ['docker', 'podman'].filter((name) => name === 'docker' || podmanUsable)) {
      expect(ok(samples, backend, 'cold_boot_time'), backend).toHaveLength(1);
      const restore = samples.filter((row) => row.backend === backend && row.metric === 'restore_time');
      expect(restore, backend).toHaveLength(1);
      if (!usable[backend]) {
        expect(restore[0]).toMatchObject({ state: 'unsupported', value: null, accel: 'none' });
        expect(restore[0]!.reason).toMatch(/experimental|criu|CRIU/);
        continue;
      }
      expect(restore[0]!.state, `${backend}: ${restore[0]!.reason ?? ''}`).toBe('ok');
      expect(ok(samples, backend, 'snapshot_size')[0]!.value, backend).toBeGreaterThan(0);
      expect(ok(samples, backend, 'engine_restore_time'), backend).toHaveLength(1);
      const record = JSON.parse(fs.readFileSync(path.join(dir, restore[0]!.raw!), 'utf8')) as {
        restore: { continuity: { checked: string; kept: boolean } };
      };
      // the restored container's processes came from the checkpoint: one started just before it runs
      expect(record.restore.continuity).toMatchObject({ kept: true });
      expect(record.restore.continuity.checked).toMatch(/^a process \(sleep 2147483\.\d+\) started in the container/);
    }
  });

  it('latency-restore without a working CRIU: the container restores are unsupported with the reason, the rest runs', async () => {
    const before = new Set(fs.readdirSync(results));
    const child = await execa(
      'node',
      [BIN, 'run', 'latency-restore', '--backends', 'docker', '--repeats', '1', '--results', results],
      { reject: false, env: { GUESTBENCH_CRIU: '/nonexistent/criu' } },
    );
    expect(child.exitCode, child.stderr).toBe(0);
    const id = fs.readdirSync(results).find((name) => !before.has(name)) as string;
    const samples = readSamples(path.join(results, id)).samples;
    expect(ok(samples, 'docker', 'cold_boot_time')).toHaveLength(1);
    const restore = samples.filter((row) => row.metric === 'restore_time');
    expect(restore).toHaveLength(1);
    expect(restore[0]).toMatchObject({ state: 'unsupported', value: null });
    expect(restore[0]!.reason).toContain('CRIU is not installed (`/nonexistent/criu --version` does not run)');
    expect(child.stderr).toContain('docker restore unsupported');
    expect(await campaignContainers(id)).toEqual([]);
  });
});
