import { describe, expect, it } from 'vitest';
import { DOCKER_CHECKPOINTER } from '../../lib/backends/docker-checkpoint.js';
import type { DockerGuest } from '../../lib/backends/docker.js';

// the engine's answer when moby#42900 bites (Docker 20.10), as a real restore printed it
const MOBY_42900 =
  '(HTTP code 500) server error - failed to upload checkpoint to containerd: commit failed: content sha256:2b078a02b81fa91821d81e43a2c0eb8921f02651e80eb3ff310a58e4760bc05a: already exists ';

/** A container whose start answers with `failures` in turn, then succeeds; counts the calls. */
function containerFailing(...failures: string[]) {
  const calls: object[] = [];
  const guest = {
    container: {
      start: (options: object) => {
        calls.push(options);
        const failure = failures.shift();
        return failure === undefined ? Promise.resolve() : Promise.reject(new Error(failure));
      },
    },
  } as unknown as DockerGuest;
  return { guest, calls };
}

describe('restoring a Docker checkpoint', () => {
  it('asks again, after a pause, when the engine refuses for moby#42900, records it and times from the request that restored', async () => {
    const { guest, calls } = containerFailing(MOBY_42900, MOBY_42900);
    const before = process.hrtime.bigint();
    const record = await DOCKER_CHECKPOINTER.restore(guest, 'gb-1234');
    expect(calls).toHaveLength(3);
    // the pauses before the second and third request: 250 + 500 ms
    expect(Number((record.retriedAtNs as bigint) - before) / 1e6).toBeGreaterThanOrEqual(700);
    expect(record.engineBug).toMatch(/^moby#42900, 2 attempt\(s\) refused before this one: /);
  });

  it('does not hide any other failure, nor a fourth refusal', async () => {
    await expect(DOCKER_CHECKPOINTER.restore(containerFailing('no such checkpoint').guest, 'gb-1')).rejects.toThrow(
      'no such checkpoint',
    );
    const always = containerFailing(MOBY_42900, MOBY_42900, MOBY_42900, MOBY_42900);
    await expect(DOCKER_CHECKPOINTER.restore(always.guest, 'gb-2')).rejects.toThrow('already exists');
    expect(always.calls).toHaveLength(4);
  });
});
