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
import { seconds } from '../util/clock.js';
import { dockerClient } from '../util/docker-client.js';
import { BackendError } from '../util/errors.js';
import { withTimeout } from '../util/signals.js';
import type { MeasuredValues, SaveRestore, SaveRestoreCycle, StepOptions } from './capabilities.js';
import { CRIU_FIX, checkCriu, type CriuCheck } from './criu.js';
import { containerBootValues, measureContainerBoot, type MeasuredContainerBoot } from './docker-latency.js';
import type { DockerBackend, DockerGuest } from './docker.js';
import type { Guest, GuestSpec } from './guest.js';

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

/** One cold start, checkpoint and restore of one container. */
class CheckpointCycle implements SaveRestoreCycle {
  #boot: MeasuredContainerBoot | undefined;
  #checkpoint: string | undefined;

  constructor(private readonly docker: DockerBackend) {}

  async coldStart(spec: GuestSpec, options: StepOptions) {
    const boot = await measureContainerBoot(this.docker, spec, options);
    this.#boot = boot;
    const answered = await boot.guest.exec(['true'], { signal: options.signal, timeoutMs: 60_000 });
    if (answered.exitCode !== 0) {
      throw new BackendError(`exec true exited with code ${answered.exitCode} in container ${spec.name}`, {
        backend: 'docker',
      });
    }
    const values: MeasuredValues = [
      ['cold_boot_time', seconds(boot.times.requestedNs, answered.endedNs)],
      ...containerBootValues(boot.times).filter(([metric]) => metric !== 'boot_time'),
      ['phase_agent', seconds(boot.times.markerNs, answered.endedNs)],
    ];
    return { guest: boot.guest, values, record: { coldBoot: { ...boot.times, execAnsweredNs: answered.endedNs } } };
  }

  async save(guest: Guest, options: StepOptions) {
    const boot = this.#boot;
    if (!boot || guest !== boot.guest)
      throw new BackendError('checkpoint: save the guest this cycle cold-started', { backend: 'docker' });
    const checkpoint = `gb-${randomBytes(4).toString('hex')}`;
    const startedNs = process.hrtime.bigint();
    try {
      // dockerode has the call; its type definitions do not. Exit: the container stops once checkpointed
      await (
        boot.guest.container as unknown as { createCheckpoint(options: object): Promise<unknown> }
      ).createCheckpoint({
        CheckpointID: checkpoint,
        Exit: true,
        abortSignal: options.signal,
      });
    } catch (cause) {
      throw new BackendError(`Could not checkpoint container ${guest.spec.name}: ${(cause as Error).message}`, {
        cause,
        backend: 'docker',
      });
    }
    const savedNs = process.hrtime.bigint();
    this.#checkpoint = checkpoint;
    return {
      values: [['snapshot_save_time', seconds(startedNs, savedNs)]] as MeasuredValues,
      record: { save: { checkpoint, startedNs, savedNs } },
    };
  }

  async restore(spec: GuestSpec, options: StepOptions) {
    const boot = this.#boot;
    const checkpoint = this.#checkpoint;
    if (!boot || !checkpoint) throw new BackendError('checkpoint: nothing saved to restore', { backend: 'docker' });
    const requestedNs = process.hrtime.bigint();
    try {
      await startFromCheckpoint(boot.guest, checkpoint, options.signal);
    } catch (cause) {
      throw new BackendError(
        `Could not start container ${spec.name} from checkpoint ${checkpoint}: ${(cause as Error).message}`,
        {
          cause,
          backend: 'docker',
        },
      );
    }
    const answered = await boot.guest.exec(['true'], { signal: options.signal, timeoutMs: 60_000 });
    if (answered.exitCode !== 0) {
      throw new BackendError(
        `The restored container did not run \`true\` (exit code ${answered.exitCode}): ${spec.name}`,
        { backend: 'docker' },
      );
    }
    return {
      guest: boot.guest,
      values: [['restore_time', seconds(requestedNs, answered.endedNs)]] as MeasuredValues,
      record: { restore: { checkpoint, requestedNs, readyNs: answered.endedNs } },
    };
  }

  async close(): Promise<void> {
    this.#boot?.events.close();
    // removing the container removes its checkpoints with it
    await this.#boot?.guest.stop();
  }
}

/** The Docker backend's save/restore: CRIU checkpoints through the engine. */
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
    open: async () => new CheckpointCycle(timed),
  };
}
