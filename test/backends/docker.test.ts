import { afterAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../lib/util/docker-client.js';
import { DockerBackend, removeLeftoverContainers } from '../../lib/backends/docker.js';
import { AbortedError, BackendError } from '../../lib/util/errors.js';
import { parseCpuOutput } from '../../lib/workloads/sysbench-cpu.js';
import { dockerSkip, images } from '../helpers/capabilities.js';

const CAMPAIGN = `test-docker-${process.pid}`;

describe.skipIf(dockerSkip)('docker backend (real engine)', () => {
  const backend = () => new DockerBackend({ image: images!.dockerImage, campaign: CAMPAIGN });
  afterAll(async () => {
    expect(await removeLeftoverContainers(CAMPAIGN)).toBe(0);
  });

  it('starts a container from the guest image, runs sysbench in it, and removes it on stop', async () => {
    const guest = await backend().start({ name: `${CAMPAIGN}-a`, vcpus: 1, memoryMiB: 1024 });
    await guest.waitReady({ timeoutMs: 10_000 });
    expect(await guest.status()).toBe('running');
    const result = await guest.exec(['sysbench', 'cpu', '--cpu-max-prime=2000', '--events=200', '--time=0', 'run']);
    expect(result.exitCode).toBe(0);
    expect(parseCpuOutput(result.stdout).events).toBe(200);
    expect(result.endedNs > result.startedNs).toBe(true);
    const id = (guest as unknown as { id: string }).id;
    await guest.stop();
    await guest.stop();
    expect(await guest.status()).toBe('stopped');
    await expect(dockerClient().getContainer(id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('returns a failing command with its exit code and stderr instead of throwing', async () => {
    const guest = await backend().start({ name: `${CAMPAIGN}-b`, vcpus: 1, memoryMiB: 1024 });
    try {
      const result = await guest.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
      expect(result).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    } finally {
      await guest.stop();
    }
  });

  it('gives up on a command at its timeout', async () => {
    const guest = await backend().start({ name: `${CAMPAIGN}-c`, vcpus: 1, memoryMiB: 1024 });
    try {
      await expect(guest.exec(['sleep', '30'], { timeoutMs: 300 })).rejects.toThrow(AbortedError);
      await expect(guest.exec(['sleep', '30'], { timeoutMs: 300 })).rejects.toThrow(/^Timed out: sleep 30/);
    } finally {
      await guest.stop();
    }
  });

  it('explains a missing image with the command that builds it', async () => {
    const missing = new DockerBackend({ image: 'guestbench/does-not-exist:0', campaign: CAMPAIGN });
    const attempt = missing.start({ name: `${CAMPAIGN}-d`, vcpus: 1, memoryMiB: 1024 });
    await expect(attempt).rejects.toThrow(BackendError);
    await expect(missing.start({ name: `${CAMPAIGN}-e`, vcpus: 1, memoryMiB: 1024 })).rejects.toMatchObject({
      fix: 'run `guestbench images build` to build the guest image',
    });
  });
});
