/**
 * Container checkpoint and restore through the Docker engine's checkpoint API (CRIU underneath):
 * the Docker backend's save/restore capability (thesis section 5.0.3, Figure 5.2). Two things must
 * hold: the engine runs with `--experimental` (the checkpoint API is disabled otherwise), and the
 * CRIU the engine uses works on this kernel (criu.ts).
 *
 * ```ts
 * const support = await checkContainerCheckpoint();
 * if (!support.supported) console.log(support.reason); // "the Docker engine 20.10.24 runs without --experimental ..."
 * ```
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pause } from '../util/clock.js';
import { dockerClient } from '../util/docker-client.js';
import { directoryBytes } from '../util/filesystems.js';
import { withTimeout } from '../util/signals.js';
import type { SaveRestore } from './capabilities.js';
import { type ContentRemoval, removeContainerdContent } from './containerd-content.js';
import { CheckpointCycle, type Checkpointer } from './container-checkpoint.js';
import { CRIU_FIX, checkCriu, type CriuCheck } from './criu.js';
import type { DockerBackend, DockerGuest } from './docker.js';

/** What the check found. */
export interface CheckpointSupport {
  /** both the engine and CRIU are ready */
  supported: boolean;
  /** one line: why not (every failing part), or what works */
  reason: string;
  /** what to do about it */
  fix: string;
  criu: CriuCheck;
  engine: {
    reachable: boolean;
    /** engine version, e.g. "20.10.24+dfsg1" */
    version: string | null;
    /** the daemon runs with --experimental */
    experimental: boolean;
  };
}

/** Asks CRIU (`criu check`, needs root) and the engine (is it experimental?). */
export async function checkContainerCheckpoint(): Promise<CheckpointSupport> {
  const criu = await checkCriu();
  let engine: CheckpointSupport['engine'] = { reachable: false, version: null, experimental: false };
  try {
    const info = (await withTimeout(dockerClient().info(), 5000, 'no answer within 5 s')) as {
      ServerVersion?: string;
      ExperimentalBuild?: boolean;
    };
    engine = { reachable: true, version: info.ServerVersion ?? null, experimental: info.ExperimentalBuild === true };
  } catch {
    // reported below
  }
  const problems: string[] = [];
  if (!engine.reachable) problems.push('no Docker engine answers');
  else if (!engine.experimental)
    problems.push(
      `the Docker engine ${engine.version ?? ''} runs without --experimental, so its checkpoint API is disabled`.replace(
        '  ',
        ' ',
      ),
    );
  if (criu.problem) problems.push(criu.problem);
  const supported = problems.length === 0;
  const fixes = [
    criu.problem ? CRIU_FIX : '',
    engine.reachable && !engine.experimental
      ? 'restart dockerd with --experimental (`bash scripts/setup.sh` does)'
      : '',
    !engine.reachable ? 'start a Docker engine' : '',
  ];
  return {
    supported,
    reason: supported
      ? `criu ${criu.version ?? ''} passes \`criu check\` and the Docker engine ${engine.version ?? ''} is experimental`
      : problems.join('; and '),
    fix: fixes.filter(Boolean).join(', then '),
    criu,
    engine,
  };
}

/** Starts a container from a checkpoint: the checkpoint goes in the query, and the body must be empty (API >= 1.24). */
async function startFromCheckpoint(guest: DockerGuest, checkpoint: string, signal?: AbortSignal): Promise<void> {
  // docker-modem sends `_query` as the query string and `_body` ('{}': no body at all) as the body
  await guest.container.start({ _query: { checkpoint }, _body: {}, abortSignal: signal } as object);
}

/** moby#42900's refusal; the group is the blob containerd already holds. */
const MOBY_42900 = /commit failed: content (sha256:[0-9a-f]+): already exists/;
/** Pauses before asking again after a moby#42900 refusal, when the blob could not be removed. */
const MOBY_42900_PAUSES_MS = [250, 500, 1000];

/** What the raw record says was done about a collision. */
const REMEDY: Record<ContentRemoval['outcome'], (detail: string) => string> = {
  removed: (detail) => `removed the blob: ${detail}`,
  absent: (detail) => `the collector had taken the blob: ${detail}`,
  failed: (detail) => `could not reach containerd (${detail}), waited`,
};

/** Removes a blob from the engine's containerd (containerd-content.ts; a test passes its own). */
export type ContentRemover = (digest: string, signal?: AbortSignal) => Promise<ContentRemoval>;

/** The Docker engine's checkpoints: its checkpoint API, the state under its data root. */
export function dockerCheckpointer(removeContent: ContentRemover = removeContainerdContent): Checkpointer {
  return {
    restoredEvent: 'start',
    async checkpoint(guest, signal) {
      const name = `gb-${randomBytes(4).toString('hex')}`;
      // dockerode has the call; its type definitions do not. Exit: the container stops once checkpointed
      await (guest.container as unknown as { createCheckpoint(options: object): Promise<unknown> }).createCheckpoint({
        CheckpointID: name,
        Exit: true,
        abortSignal: signal,
      });
      const info = (await dockerClient().info()) as { DockerRootDir?: string };
      const dir = path.join(info.DockerRootDir ?? '/var/lib/docker', 'containers', guest.id, 'checkpoints', name);
      return { name, bytes: await directoryBytes(dir), record: { dir } };
    },
    async restore(guest, name, signal) {
      // moby#42900 (Docker 20.10): making a checkpoint leaves its tar in containerd's content store
      // until containerd's garbage collector takes it; when the restore's own tar of the checkpoint
      // comes out byte for byte the same (one restore in four or five here), its upload collides
      // with it ("commit failed: content sha256:...: already exists"), and asking again collides
      // again while the blob stays. The blob is unreferenced garbage: remove it (or find the
      // collector took it) and ask again at once; when containerd cannot be asked, wait for the
      // collector, longer each time. At most three more requests; recorded, and timed from the
      // request that restored.
      const refusals: string[] = [];
      const remedies: string[] = [];
      for (;;) {
        const requestedNs = process.hrtime.bigint();
        try {
          await startFromCheckpoint(guest, name, signal);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const collision = MOBY_42900.exec(message);
          if (!collision || refusals.length === MOBY_42900_PAUSES_MS.length) throw error;
          refusals.push(message.split('\n')[0] ?? message);
          const removal = await removeContent(collision[1] as string, signal);
          remedies.push(REMEDY[removal.outcome](removal.detail));
          if (removal.outcome === 'failed') await pause(MOBY_42900_PAUSES_MS[refusals.length - 1] as number, signal);
          continue;
        }
        if (refusals.length === 0) return {};
        return {
          retriedAtNs: requestedNs,
          engineBug: `moby#42900, ${refusals.length} attempt(s) refused before this one (${remedies.join('; ')}): ${refusals[0]}`,
        };
      }
    },
  };
}

/** The checkpointer the Docker backend uses. */
export const DOCKER_CHECKPOINTER: Checkpointer = dockerCheckpointer();

/** The Docker backend's save/restore: CRIU checkpoints through the engine's checkpoint API. */
export function dockerSaveRestore(docker: DockerBackend): SaveRestore {
  const timed = docker.derive({ exitOnSigterm: true });
  return {
    method:
      'Docker checkpoint API (CRIU): create a checkpoint with exit, then start the container from it; needs dockerd --experimental and a CRIU that passes `criu check`',
    readiness: 'the engine runs `true` in it (exec API)',
    async check() {
      const support = await checkContainerCheckpoint();
      return support.supported
        ? { usable: true, detail: support.reason }
        : { usable: false, reason: support.reason, fix: support.fix };
    },
    open: async () => new CheckpointCycle(timed, DOCKER_CHECKPOINTER),
  };
}
