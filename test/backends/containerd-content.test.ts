/**
 * moby#42900 on the real engine: the blob removal it needs (containerd's content store under the
 * Docker engine, through `ctr`), and a container checkpointed and restored again and again, which
 * collides with the bug about one restore in four here and must restore every time.
 */
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { checkContainerCheckpoint, DOCKER_CHECKPOINTER } from '../../lib/backends/docker-checkpoint.js';
import { removeContainerdContent } from '../../lib/backends/containerd-content.js';
import type { DockerGuest } from '../../lib/backends/docker.js';
import { containerBackends, skipUnless } from '../helpers/capabilities.js';
import { campaignContainers } from '../helpers/leftovers.js';

const docker = containerBackends.find((state) => state.name === 'docker')!;
const support = docker.check.usable ? await checkContainerCheckpoint() : undefined;
const skip = skipUnless(support?.supported ?? false, 'moby#42900 tests', support?.reason ?? 'no Docker engine');
const SOCKET = '/var/run/docker/containerd/containerd.sock';
const CAMPAIGN = `test-moby42900-${process.pid}`;

async function contentDigests(): Promise<string[]> {
  const listed = await execa('ctr', ['--address', SOCKET, '-n', 'moby', 'content', 'ls', '-q']);
  return listed.stdout.split('\n').filter(Boolean);
}

describe('moby#42900 on the real Docker engine', () => {
  afterAll(async () => {
    if (!skip) expect(await campaignContainers(CAMPAIGN)).toEqual([]);
  });

  it.skipIf(skip)(
    'removes a blob from the engine containerd store, and says why when there is none to remove',
    async () => {
      const blob = `guestbench test blob ${randomBytes(8).toString('hex')}`;
      const digest = `sha256:${(await execa('sha256sum', { input: blob })).stdout.split(' ')[0]}`;
      await execa(
        'ctr',
        ['--address', SOCKET, '-n', 'moby', 'content', 'ingest', '--expected-digest', digest, 'gb-test'],
        {
          input: blob,
        },
      );
      expect(await contentDigests()).toContain(digest);
      const removal = await removeContainerdContent(digest);
      expect(removal).toEqual({ outcome: 'removed', detail: `ctr -n moby content delete ${digest} (${SOCKET})` });
      expect(await contentDigests()).not.toContain(digest);
      const again = await removeContainerdContent(digest);
      expect(again.outcome).toBe('absent');
    },
  );

  it.skipIf(skip)('restores a checkpointed container every time, however often the engine collides', async () => {
    const guest = (await docker
      .make(CAMPAIGN, { exitOnSigterm: true })
      .start({ name: `${CAMPAIGN}-c`, vcpus: 1, memoryMiB: 256 })) as DockerGuest;
    const collisions: string[] = [];
    try {
      await guest.waitReady({ timeoutMs: 30_000 });
      for (let cycle = 0; cycle < 6; cycle++) {
        const saved = await DOCKER_CHECKPOINTER.checkpoint(guest);
        const restored = await DOCKER_CHECKPOINTER.restore(guest, saved.name);
        if (restored.engineBug !== undefined) collisions.push(String(restored.engineBug));
        expect((await guest.exec(['true'])).exitCode).toBe(0);
      }
    } finally {
      await guest.stop();
    }
    // every collision was mended at once, by removing the blob or finding the collector took it; never by waiting
    for (const collision of collisions)
      expect(collision).toMatch(/refused before this one \((removed|the collector had taken) the blob: ctr -n moby/);
    console.log(`moby#42900: ${collisions.length} of 6 restores collided and were mended`);
  });
});
