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
import { dockerSkip } from '../helpers/capabilities.js';
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

  it('latency-restore: cold boot against restore from a saved state; the container restore says why it cannot run', async () => {
    const { dir, samples, stderr } = await run(['latency-restore', '--backends', 'docker,kvm', '--repeats', '1']);
    const meta = readCampaignMeta(dir);
    expect(meta.state).toBe('complete');
    const cold = ok(samples, 'kvm', 'cold_boot_time')[0];
    const restored = ok(samples, 'kvm', 'restore_time')[0];
    expect(cold).toMatchObject({ guests: 0, guest: 1, accel: meta.accel.kvm });
    expect(restored!.value!).toBeLessThan(cold!.value!);
    const raw = JSON.parse(fs.readFileSync(path.join(dir, restored!.raw!), 'utf8')) as { check: string };
    expect(raw.check).toMatch(/read back after the restore/);
    expect(ok(samples, 'kvm', 'snapshot_size')[0]!.value).toBeGreaterThan(2 ** 20);
    expect(ok(samples, 'docker', 'cold_boot_time')).toHaveLength(1);
    const containerRestore = samples.filter((row) => row.backend === 'docker' && row.metric === 'restore_time');
    expect(containerRestore).toHaveLength(1);
    if (containerRestore[0]!.state === 'unsupported') {
      expect(containerRestore[0]).toMatchObject({ value: null, accel: 'none' });
      expect(containerRestore[0]!.reason).toMatch(/experimental|criu|CRIU/);
      expect(stderr).toContain('docker restore unsupported');
    } else {
      expect(containerRestore[0]!.state).toBe('ok');
    }
  });
});
