/**
 * The content store of the containerd under a Docker engine, reached with containerd's own client
 * (`ctr`, shipped with Debian's containerd package). One job: drop a blob nothing references, which
 * Docker 20.10's checkpoint restore trips over (moby#42900, docker-checkpoint.ts).
 *
 * ```ts
 * const outcome = await removeContainerdContent('sha256:c03a…');
 * // { outcome: 'removed', detail: 'ctr -n moby content delete sha256:c03a… (/var/run/docker/containerd/…)' }
 * ```
 */
import { execa } from 'execa';
import { pathExists } from '../util/filesystems.js';

/** The namespace the Docker engine keeps its containerd objects in. */
const DOCKER_NAMESPACE = 'moby';

/**
 * Where containerd listens: the one dockerd starts for itself first, then a system containerd
 * (a dockerd started with `--containerd`, as systemd units on Debian and Ubuntu do).
 */
const CONTAINERD_SOCKETS = ['/var/run/docker/containerd/containerd.sock', '/run/containerd/containerd.sock'];

/** What became of the request to remove a blob. */
export interface ContentRemoval {
  /** removed: it was there and is gone; absent: containerd did not hold it (any more); failed: no answer */
  outcome: 'removed' | 'absent' | 'failed';
  /** the command and socket that removed it, or why nothing was removed */
  detail: string;
}

/** Removes one blob (`sha256:<hex>`) from the Docker engine's containerd content store. */
export async function removeContainerdContent(digest: string, signal?: AbortSignal): Promise<ContentRemoval> {
  const reasons: string[] = [];
  for (const socket of CONTAINERD_SOCKETS) {
    if (!(await pathExists(socket))) continue;
    const args = ['--address', socket, '-n', DOCKER_NAMESPACE, 'content', 'delete', digest];
    const run = await execa('ctr', args, {
      reject: false,
      stdin: 'ignore',
      timeout: 10_000,
      ...(signal ? { cancelSignal: signal } : {}),
    });
    // ctr prints each blob it deleted, and exits 0 also when there was none
    const command = `ctr -n ${DOCKER_NAMESPACE} content delete ${digest} (${socket})`;
    if (run.exitCode === 0)
      return run.stdout.split('\n').includes(digest)
        ? { outcome: 'removed', detail: command }
        : { outcome: 'absent', detail: `${command}: not there (any more)` };
    reasons.push(`${socket}: ${(run.stderr || run.shortMessage || '').trim().split('\n')[0]}`);
  }
  return {
    outcome: 'failed',
    detail: reasons.length > 0 ? reasons.join('; ') : `no containerd socket at ${CONTAINERD_SOCKETS.join(' or ')}`,
  };
}
