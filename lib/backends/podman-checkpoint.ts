/**
 * The podman backend's save/restore (thesis Figure 5.2): `podman container checkpoint` (CRIU; the
 * container stops, its checkpoint stays in the container's storage) and `podman container restore`,
 * each with CRIU's own statistics (`--print-stats`: freezing, frozen, memory dump and restore times,
 * pages) kept in the raw record.
 */
import path from 'node:path';
import { directoryBytes } from '../util/filesystems.js';
import type { CapabilityCheck, SaveRestore } from './capabilities.js';
import { CheckpointCycle, type Checkpointer } from './container-checkpoint.js';
import { CRIU_FIX, checkCriu } from './criu.js';
import type { DockerBackend } from './docker.js';
import { podman, podmanFailure, type PodmanHost } from './podman.js';

/** CRIU's statistics as podman prints them (`--print-stats`), or the text when it is not JSON. */
export function parsePodmanStats(stdout: string): unknown {
  try {
    return JSON.parse(stdout) as unknown;
  } catch {
    return stdout.trim();
  }
}

/** podman's checkpoints of containers in a host's storage. */
export function podmanCheckpointer(host: PodmanHost): Checkpointer {
  return {
    restoredEvent: 'restore',
    async checkpoint(guest, signal) {
      const run = await podman(host, ['container', 'checkpoint', '--print-stats', guest.id], { signal });
      if (run.exitCode !== 0) throw new Error(`podman container checkpoint: ${podmanFailure(run)}`);
      const dir = path.join(host.graphroot, 'overlay-containers', guest.id, 'userdata', 'checkpoint');
      return {
        name: 'checkpoint',
        bytes: await directoryBytes(dir),
        record: { dir, criuStats: parsePodmanStats(String(run.stdout)) },
      };
    },
    async restore(guest, _name, signal) {
      const run = await podman(host, ['container', 'restore', '--print-stats', guest.id], { signal });
      if (run.exitCode !== 0) throw new Error(`podman container restore: ${podmanFailure(run)}`);
      return { criuStats: parsePodmanStats(String(run.stdout)) };
    },
  };
}

/** Can podman checkpoint here: a CRIU that works on this kernel (podman needs no experimental mode). */
export async function checkPodmanCheckpoint(): Promise<CapabilityCheck> {
  const criu = await checkCriu();
  return criu.usable
    ? { usable: true, detail: `criu ${criu.version ?? ''} passes \`criu check\`` }
    : { usable: false, reason: criu.problem ?? 'CRIU does not work here', fix: CRIU_FIX };
}

/** The podman backend's save/restore. */
export function podmanSaveRestore(backend: DockerBackend, host: PodmanHost): SaveRestore {
  const timed = backend.derive({ exitOnSigterm: true });
  return {
    method:
      'podman container checkpoint (CRIU; the container stops, the checkpoint stays in its storage), then podman container restore; CRIU statistics from --print-stats in the raw record',
    readiness: 'the engine runs `true` in it (exec API)',
    check: checkPodmanCheckpoint,
    open: async () => new CheckpointCycle(timed, podmanCheckpointer(host)),
  };
}
