/**
 * The lxc backend against real LXC: a system container from the guest image's rootfs starts,
 * writes its ready marker, runs commands (exit codes, stderr, timeouts), gets its scratch directory
 * and, when asked, cgroup limits; stopping it leaves no container, mount or directory behind, and
 * cleanup removes what a killed runner left. Skipped with the reason when LXC or the images are
 * missing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { LXC_PATH, LxcBackend, cgroupLayout, removeLeftoverContainers } from '../../lib/backends/lxc.js';
import { checkLxc } from '../../lib/backends/lxc-provider.js';
import { AbortedError } from '../../lib/util/errors.js';
import { parseCpuOutput } from '../../lib/workloads/sysbench-cpu.js';
import { imagesState, skipUnless } from '../helpers/capabilities.js';

const check = await checkLxc({ images: imagesState.images });
const skip = skipUnless(
  check.usable,
  'lxc backend tests',
  check.usable ? undefined : `${check.reason} (fix: ${check.fix})`,
);
const CAMPAIGN = `lxctest-${process.pid}`;

async function mounted(dir: string): Promise<boolean> {
  return (await execa('mountpoint', ['-q', dir], { reject: false })).exitCode === 0;
}

describe.skipIf(skip)('lxc backend (real LXC)', () => {
  const backend = () => new LxcBackend({ images: imagesState.images!, campaign: CAMPAIGN });
  afterAll(async () => {
    expect(await removeLeftoverContainers(CAMPAIGN)).toBe(0);
  });

  it('starts a system container from the image, runs sysbench in it, and leaves nothing on stop', async () => {
    const guest = await backend().start({ name: `${CAMPAIGN}-a`, vcpus: 1, memoryMiB: 512 });
    await guest.waitReady({ timeoutMs: 30_000 });
    expect(await guest.status()).toBe('running');
    const pid1 = await guest.exec(['cat', '/proc/1/cmdline']);
    expect(pid1.stdout).toContain('guestbench-lxc-init');
    const run = await guest.exec(['sysbench', 'cpu', '--cpu-max-prime=2000', '--events=200', '--time=0', 'run']);
    expect(run.exitCode).toBe(0);
    expect(parseCpuOutput(run.stdout).events).toBe(200);
    const dir = path.join(LXC_PATH, guest.container);
    expect(await mounted(path.join(dir, 'rootfs'))).toBe(true);
    await guest.stop();
    await guest.stop();
    expect(await guest.status()).toBe('stopped');
    expect(existsSync(dir)).toBe(false);
  });

  it('returns a failing command with its exit code and stderr, and gives up on one at its timeout', async () => {
    const guest = await backend().start({ name: `${CAMPAIGN}-b`, vcpus: 1, memoryMiB: 512 });
    try {
      await guest.waitReady({ timeoutMs: 30_000 });
      expect(await guest.exec(['sh', '-c', 'echo out; echo err >&2; exit 3'])).toMatchObject({
        exitCode: 3,
        stdout: 'out\n',
        stderr: 'err\n',
      });
      await expect(guest.exec(['sleep', '30'], { timeoutMs: 300 })).rejects.toThrow(AbortedError);
      // killed inside the container, not left running behind lxc-attach
      const left = await guest.exec([
        'sh',
        '-c',
        'for p in /proc/[0-9]*; do tr "\\0" " " <"$p/cmdline"; echo; done | grep -c "^sleep 30 "',
      ]);
      expect(left.stdout.trim()).toBe('0');
    } finally {
      await guest.stop();
    }
  });

  it('bind-mounts a private scratch directory and applies cgroup limits when asked', async () => {
    const hostRoot = mkdtempSync(path.join('/var/tmp', 'gb-lxc-scratch-'));
    const limited = new LxcBackend({ images: imagesState.images!, campaign: CAMPAIGN, limits: true });
    const guest = await limited.start({
      name: `${CAMPAIGN}-c`,
      vcpus: 1,
      memoryMiB: 256,
      scratch: { sizeMiB: 16, cache: 'none', hostRoot },
    });
    try {
      await guest.waitReady({ timeoutMs: 30_000 });
      const dir = await guest.scratch!.prepare();
      expect((await guest.exec(['sh', '-c', `echo x > ${dir}/f && grep -q " ${dir} " /proc/mounts`])).exitCode).toBe(0);
      expect(existsSync(path.join(hostRoot, `lxc-${CAMPAIGN}-c`, 'f'))).toBe(true);
      // the limits, as the host's cgroups hold them (a CPU quota does not change what nproc says)
      const limits =
        cgroupLayout() === 'v1'
          ? [
              'memory/lxc.payload.guestbench-' + `${CAMPAIGN}-c/memory.limit_in_bytes`,
              `cpu/lxc.payload.guestbench-${CAMPAIGN}-c/cpu.cfs_quota_us`,
            ]
          : [`lxc.payload.guestbench-${CAMPAIGN}-c/memory.max`, `lxc.payload.guestbench-${CAMPAIGN}-c/cpu.max`];
      const [memory, cpu] = limits.map((file) => readFileSync(path.join('/sys/fs/cgroup', file), 'utf8').trim());
      expect(Number(memory)).toBe(256 * 2 ** 20);
      expect(cpu).toMatch(/^100000( 100000)?$/);
    } finally {
      await guest.stop();
    }
    expect(existsSync(path.join(hostRoot, `lxc-${CAMPAIGN}-c`))).toBe(false);
    rmSync(hostRoot, { recursive: true, force: true });
  });

  it('cleanup removes a container whose runner died, mount and all', async () => {
    // a runner (the compiled library, as the CLI runs it) that starts a container and is killed before stopping it
    const script = `
      import { LxcBackend } from '${path.resolve(import.meta.dirname, '../../dist/lib/backends/lxc.js')}';
      import { findImages } from '${path.resolve(import.meta.dirname, '../../dist/lib/images/index.js')}';
      const guest = await new LxcBackend({ images: findImages(), campaign: 'orphan-${process.pid}' }).start({ name: 'orphan-${process.pid}', vcpus: 1, memoryMiB: 256 });
      await guest.waitReady({ timeoutMs: 30000 });
      console.log('ready');
      setInterval(() => {}, 1000);
    `;
    const child = execa('node', ['--input-type=module', '-e', script], { reject: false });
    await new Promise<void>((resolve) =>
      child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()),
    );
    child.kill('SIGKILL');
    await child;
    const dir = path.join(LXC_PATH, `guestbench-orphan-${process.pid}`);
    expect(existsSync(dir)).toBe(true);
    expect(await removeLeftoverContainers()).toBeGreaterThanOrEqual(1);
    expect(existsSync(dir)).toBe(false);
  }, 120_000);
});
