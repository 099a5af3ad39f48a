/**
 * The container backends against their real engines: the Docker engine, and podman's API service
 * (with the project's own storage and configuration), driven by the same client. Start, readiness,
 * exec, stop, and nothing left behind, on each.
 */
import { getEventListeners } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import { AbortedError, BackendError } from '../../lib/util/errors.js';
import { parseCpuOutput } from '../../lib/workloads/sysbench-cpu.js';
import { containerBackends } from '../helpers/capabilities.js';
import { campaignContainers } from '../helpers/leftovers.js';

describe.each(containerBackends)('$name backend (real engine)', (state) => {
  const CAMPAIGN = `test-${state.name}-${process.pid}`;
  const skip = !state.check.usable;
  afterAll(async () => {
    if (!skip) expect(await campaignContainers(CAMPAIGN)).toEqual([]);
  });

  it.skipIf(skip)('starts a container from the guest image, runs sysbench in it, and removes it on stop', async () => {
    const backend = state.make(CAMPAIGN);
    expect(backend.name).toBe(state.name);
    expect(backend.runtime).toMatch(/^(runc|crun) \d/);
    const guest = await backend.start({ name: `${CAMPAIGN}-a`, vcpus: 1, memoryMiB: 1024 });
    await guest.waitReady({ timeoutMs: 30_000 });
    expect(await guest.status()).toBe('running');
    const result = await guest.exec(['sysbench', 'cpu', '--cpu-max-prime=2000', '--events=200', '--time=0', 'run']);
    expect(result.exitCode).toBe(0);
    expect(parseCpuOutput(result.stdout).events).toBe(200);
    expect(result.endedNs > result.startedNs).toBe(true);
    const id = guest.id;
    await guest.stop();
    await guest.stop();
    expect(await guest.status()).toBe('stopped');
    const client = await backend.engine.client();
    await expect(client.getContainer(id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it.skipIf(skip)('gives a guest started with scratch storage a volume of its own, removed with it', async () => {
    const guest = await state.make(CAMPAIGN).start({
      name: `${CAMPAIGN}-v`,
      vcpus: 1,
      memoryMiB: 1024,
      scratch: { sizeMiB: 64, cache: 'none', hostRoot: '/var/tmp' },
    });
    try {
      await guest.waitReady({ timeoutMs: 30_000 });
      const dir = await guest.scratch?.prepare();
      expect(dir).toBe('/scratch');
      const wrote = await guest.exec(['sh', '-c', 'echo x >/scratch/f && grep -q " /scratch " /proc/mounts']);
      expect(wrote.exitCode).toBe(0);
    } finally {
      await guest.stop();
    }
  });

  it.skipIf(skip)('returns a failing command with its exit code and stderr instead of throwing', async () => {
    const guest = await state.make(CAMPAIGN).start({ name: `${CAMPAIGN}-b`, vcpus: 1, memoryMiB: 1024 });
    try {
      const result = await guest.exec(['sh', '-c', 'echo out; echo err >&2; exit 3']);
      expect(result).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    } finally {
      await guest.stop();
    }
  });

  it.skipIf(skip)("leaves no listener on the caller's signal after its commands, however many", async () => {
    const guest = await state.make(CAMPAIGN).start({ name: `${CAMPAIGN}-l`, vcpus: 1, memoryMiB: 1024 });
    const campaign = new AbortController().signal;
    try {
      await guest.waitReady({ timeoutMs: 30_000 });
      for (let run = 0; run < 12; run++) expect((await guest.exec(['true'], { signal: campaign })).exitCode).toBe(0);
      expect(getEventListeners(campaign, 'abort')).toHaveLength(0);
    } finally {
      await guest.stop();
    }
  });

  it.skipIf(skip)('gives up on a command at its timeout', async () => {
    const guest = await state.make(CAMPAIGN).start({ name: `${CAMPAIGN}-c`, vcpus: 1, memoryMiB: 1024 });
    try {
      await expect(guest.exec(['sleep', '30'], { timeoutMs: 300 })).rejects.toThrow(AbortedError);
      await expect(guest.exec(['sleep', '30'], { timeoutMs: 300 })).rejects.toThrow(/^Timed out: sleep 30/);
    } finally {
      await guest.stop();
    }
  });

  it.skipIf(skip)('leaves no container behind when the start is aborted, at whatever point', async () => {
    // from before the create request to after the start reply: an aborted create or start request
    // is still carried out by the engine (a SIGTERM during group set-up once left two containers)
    for (const delayMs of [0, 1, 3, 10, 30, 60, 100, 200, 400]) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), delayMs);
      const name = `${CAMPAIGN}-x${delayMs}`;
      try {
        const guest = await state
          .make(CAMPAIGN)
          .start({ name, vcpus: 1, memoryMiB: 1024 }, { signal: controller.signal });
        // it finished starting before the abort: its owner stops it
        await guest.stop();
      } catch (error) {
        expect(error, `aborted after ${delayMs} ms`).toBeInstanceOf(AbortedError);
      } finally {
        clearTimeout(timer);
      }
      expect(await campaignContainers(CAMPAIGN), `aborted after ${delayMs} ms`).toEqual([]);
    }
  });

  it.skipIf(skip)('explains a missing image with the command that builds it', async () => {
    const missing = state.make(CAMPAIGN).derive({ image: 'guestbench/does-not-exist:0' });
    const attempt = missing.start({ name: `${CAMPAIGN}-d`, vcpus: 1, memoryMiB: 1024 });
    await expect(attempt).rejects.toThrow(BackendError);
    await expect(missing.start({ name: `${CAMPAIGN}-e`, vcpus: 1, memoryMiB: 1024 })).rejects.toMatchObject({
      fix: 'run `guestbench images build` to build the guest image',
    });
  });
});
