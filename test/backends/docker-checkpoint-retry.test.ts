import { describe, expect, it } from 'vitest';
import { type ContentRemover, dockerCheckpointer } from '../../lib/backends/docker-checkpoint.js';
import type { DockerGuest } from '../../lib/backends/docker.js';

// the engine's answer when moby#42900 bites (Docker 20.10), as a real restore printed it
const DIGEST = 'sha256:2b078a02b81fa91821d81e43a2c0eb8921f02651e80eb3ff310a58e4760bc05a';
const MOBY_42900 = `(HTTP code 500) server error - failed to upload checkpoint to containerd: commit failed: content ${DIGEST}: already exists `;

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

/** A content store that removes (or not) what it is asked to, and remembers what. */
function contentStore(outcome: 'removed' | 'absent' | 'failed') {
  const asked: string[] = [];
  const remove: ContentRemover = (digest) => {
    asked.push(digest);
    return Promise.resolve({ outcome, detail: outcome === 'failed' ? 'no ctr' : `ctr content delete ${digest}` });
  };
  return { remove, asked };
}

describe('restoring a Docker checkpoint (moby#42900)', () => {
  it('removes the blob the engine collided with and asks again at once; records it and times from the request that restored', async () => {
    const { guest, calls } = containerFailing(MOBY_42900);
    const store = contentStore('removed');
    const before = process.hrtime.bigint();
    const record = await dockerCheckpointer(store.remove).restore(guest, 'gb-1234');
    expect(calls).toHaveLength(2);
    expect(store.asked).toEqual([DIGEST]);
    expect(Number((record.retriedAtNs as bigint) - before) / 1e6).toBeLessThan(200);
    expect(record.engineBug).toMatch(
      /^moby#42900, 1 attempt\(s\) refused before this one \(removed the blob: ctr content delete sha256:2b07/,
    );
  });

  it('waits for the garbage collector, longer each time, when the blob cannot be removed', async () => {
    const { guest, calls } = containerFailing(MOBY_42900, MOBY_42900);
    const before = process.hrtime.bigint();
    const record = await dockerCheckpointer(contentStore('failed').remove).restore(guest, 'gb-1234');
    expect(calls).toHaveLength(3);
    // the pauses before the second and third request: 250 + 500 ms
    expect(Number((record.retriedAtNs as bigint) - before) / 1e6).toBeGreaterThanOrEqual(700);
    expect(record.engineBug).toMatch(
      /2 attempt\(s\) refused before this one \(could not reach containerd \(no ctr\), waited; /,
    );
  });

  it('does not hide any other failure, nor a fourth refusal', async () => {
    const checkpointer = dockerCheckpointer(contentStore('removed').remove);
    await expect(checkpointer.restore(containerFailing('no such checkpoint').guest, 'gb-1')).rejects.toThrow(
      'no such checkpoint',
    );
    const always = containerFailing(MOBY_42900, MOBY_42900, MOBY_42900, MOBY_42900);
    await expect(checkpointer.restore(always.guest, 'gb-2')).rejects.toThrow('already exists');
    expect(always.calls).toHaveLength(4);
  });
});
