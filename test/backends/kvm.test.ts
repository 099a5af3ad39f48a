/**
 * The kvm backend against a real QEMU: boots the guest image under TCG (1 vCPU, 1024 MiB), runs
 * sysbench inside, aborts a command, stops, and checks that nothing is left behind. Also the
 * accelerator probe, for real. Needs qemu-system-x86_64 and the guest images (built here if missing,
 * which needs root and debootstrap); skipped with the reason printed otherwise.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeAccelCached } from '../../lib/backends/accel-probe.js';
import { KvmBackend, type KvmGuest } from '../../lib/backends/kvm.js';
import { buildImages, type ImageSet } from '../../lib/images/index.js';
import { AbortedError, BackendError, UsageError } from '../../lib/util/errors.js';
import { parseCpuOutput } from '../../lib/workloads/sysbench-cpu.js';

const qemu = await execa('qemu-system-x86_64', ['--version'], { reject: false });
const qemuMissing = qemu.failed
  ? 'qemu-system-x86_64 is not installed (fix: apt-get install qemu-system-x86)'
  : undefined;

// the images: reuse the cache, build when missing (root + debootstrap), else say why we skip
let images: ImageSet | undefined;
let imagesMissing: string | undefined;
if (!qemuMissing) {
  try {
    images = await buildImages({ docker: false, log: (line) => console.log(`[images] ${line}`) });
  } catch (error) {
    imagesMissing = `${(error as Error).message.split('\n')[0]}${(error as { fix?: string }).fix ? ` (fix: ${(error as { fix?: string }).fix})` : ''}`;
  }
}
const skipReason = qemuMissing ?? imagesMissing;
if (skipReason) console.warn(`SKIPPED kvm backend tests: ${skipReason}`);

const NAME = `kvmtest-${process.pid}`;

async function qemuProcessesNamed(name: string): Promise<string[]> {
  const result = await execa('pgrep', ['-af', 'qemu-system'], { reject: false });
  return result.stdout.split('\n').filter((line) => line.includes(`-name ${name} `));
}

describe.skipIf(skipReason !== undefined)('kvm backend (real QEMU, TCG)', () => {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'gb-kvm-test-'));
  let backend: KvmBackend;
  let guest: KvmGuest;
  let diskMtime: number;

  beforeAll(async () => {
    backend = new KvmBackend({ images: images!, accel: 'tcg', runDir });
    diskMtime = statSync(images!.disk).mtimeMs;
    const launched = process.hrtime.bigint();
    guest = await backend.start({ name: NAME, vcpus: 1, memoryMiB: 1024 });
    expect(await guest.status()).toBe('starting');
    await guest.waitReady({ timeoutMs: 120_000 });
    console.log(
      `TCG boot: launch to agent ready ${(Number(process.hrtime.bigint() - launched) / 1e9).toFixed(2)} s, guest uptime at init marker ${await guest.guestUptimeAtReady()} s`,
    );
  });

  afterAll(async () => {
    await guest?.stop();
    rmSync(runDir, { recursive: true, force: true });
  });

  it('reports versions for campaign metadata', async () => {
    const versions = await backend.versions();
    expect(versions.qemu).toMatch(/^\d+\.\d+\.\d+/);
    expect(versions).toMatchObject({
      accel: 'tcg',
      guestKernel: images!.manifest.kernel.release,
      guestSysbench: images!.manifest.sysbenchVersion,
    });
  });

  it('runs sysbench cpu inside the VM', async () => {
    expect(await guest.status()).toBe('running');
    const result = await guest.exec(['sysbench', 'cpu', '--cpu-max-prime=2000', '--events=200', '--time=0', 'run']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('sysbench 1.0.20');
    expect(result.stdout).toContain('Prime numbers limit: 2000');
    expect(parseCpuOutput(result.stdout).events).toBe(200);
    expect(result.endedNs > result.startedNs).toBe(true);
    expect(result.argv).toEqual(['sysbench', 'cpu', '--cpu-max-prime=2000', '--events=200', '--time=0', 'run']);
  });

  it('returns non-zero exits and unstartable programs instead of throwing', async () => {
    expect(await guest.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'])).toMatchObject({
      exitCode: 3,
      stdout: 'out\n',
      stderr: 'err\n',
    });
    expect(await guest.exec(['sh', '-c', 'kill -KILL $$'])).toMatchObject({ exitCode: 137 });
    const missing = await guest.exec(['/no/such/program']);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toContain('No such file or directory');
  });

  it('kills the guest process on timeout and on abort, without disturbing other commands', async () => {
    await expect(guest.exec(['sleep', '60'], { timeoutMs: 500 })).rejects.toThrow(
      /^Timed out: sleep 60 in VM kvmtest-/,
    );
    const controller = new AbortController();
    const concurrent = guest.exec(['sleep', '1']);
    const aborted = guest.exec(['sleep', '62'], { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await expect(aborted).rejects.toThrow(AbortedError);
    await expect(aborted).rejects.toThrow(/^Aborted: sleep 62 in VM kvmtest-/);
    expect((await concurrent).exitCode).toBe(0);
    const ps = await guest.exec(['sh', '-c', 'for f in /proc/[0-9]*/cmdline; do tr "\\0" " " <"$f"; echo; done']);
    expect(ps.exitCode).toBe(0);
    expect(ps.stdout).toContain('qemu-ga');
    expect(ps.stdout).not.toMatch(/sleep (60|62)/);
  });

  it('writes go to a throwaway overlay: the shared base disk is untouched', async () => {
    expect((await guest.exec(['sh', '-c', 'echo scratch >/root/scratch && sync && cat /root/scratch'])).stdout).toBe(
      'scratch\n',
    );
    expect(statSync(images!.disk).mtimeMs).toBe(diskMtime);
  });

  it('stops, idempotently, leaving no QEMU process, socket or directory', async () => {
    const pid = guest.pid!;
    const vmDir = guest.vmDir;
    expect(existsSync(path.join(vmDir, 'qmp.sock'))).toBe(true);
    expect(await qemuProcessesNamed(NAME)).toHaveLength(1);
    await Promise.all([guest.stop(), guest.stop()]);
    await guest.stop();
    expect(await guest.status()).toBe('stopped');
    expect(await qemuProcessesNamed(NAME)).toEqual([]);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(existsSync(vmDir)).toBe(false);
    await expect(guest.exec(['true'])).rejects.toThrow(BackendError);
  });

  it('validates the spec and reports a QEMU that refuses to start, cleaning up', async () => {
    await expect(backend.start({ name: 'bad name', vcpus: 1, memoryMiB: 1024 })).rejects.toThrow(UsageError);
    await expect(backend.start({ name: `${NAME}-x`, vcpus: 0, memoryMiB: 1024 })).rejects.toThrow(/`vcpus`/);
    const broken = new KvmBackend({ images: images!, accel: 'tcg', runDir, cpu: 'no-such-cpu-model' });
    const failure = await broken
      .start({ name: `${NAME}-broken`, vcpus: 1, memoryMiB: 256 })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BackendError);
    expect((failure as Error).message).toMatch(
      /QEMU exited before its QMP socket was ready \(code 1\) in VM \S+\n.*no-such-cpu-model/s,
    );
    const controller = new AbortController();
    controller.abort();
    await expect(
      backend.start({ name: `${NAME}-aborted`, vcpus: 1, memoryMiB: 256 }, { signal: controller.signal }),
    ).rejects.toThrow(AbortedError);
    expect(await qemuProcessesNamed(`${NAME}-broken`)).toEqual([]);
    expect(await qemuProcessesNamed(`${NAME}-aborted`)).toEqual([]);
    expect(readdirSync(runDir)).toEqual([]);
  });
});

describe.skipIf(skipReason !== undefined)('accelerator probe (real QEMU)', () => {
  const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'gb-probe-test-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

  it('boots a probe guest, says which accelerator works and why, and caches the answer', async () => {
    const probe = await probeAccelCached(images!, { cacheDir, timeoutMs: 15_000 });
    console.log(`accel probe: ${JSON.stringify(probe)}`);
    expect(probe.state).toBe('ok');
    if (probe.state !== 'ok') return;
    expect(probe.cached).toBe(false);
    expect(probe.kvm.reason.length).toBeGreaterThan(10);
    if (probe.accel === 'tcg') {
      expect(probe.kvm.usable).toBe(false);
      expect(probe.tcg?.usable).toBe(true);
    }
    const again = await probeAccelCached(images!, { cacheDir });
    expect(again).toEqual({ ...probe, cached: true });
    expect(await qemuProcessesNamed(`accel-probe-kvm-${process.pid}`)).toEqual([]);
    expect(await qemuProcessesNamed(`accel-probe-tcg-${process.pid}`)).toEqual([]);
  });
});
