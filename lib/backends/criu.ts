/**
 * Can this host checkpoint a container and start it again from the checkpoint (thesis section
 * 5.0.3, Figure 5.2; CRIU behind Docker's checkpoint API)? Two things must hold: the Docker engine
 * runs with `--experimental` (the checkpoint API is disabled otherwise), and CRIU works on this
 * kernel (`criu check` passes). The check runs both and keeps their own words as the reason.
 *
 * ```ts
 * const support = await checkContainerCheckpoint();
 * if (!support.supported) console.log(support.reason); // "criu check fails (criu 3.17.1): ..."
 * ```
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { execa } from 'execa';
import { BackendError } from '../util/errors.js';
import { withTimeout } from '../util/signals.js';
import { dockerClient } from './docker-client.js';
import type { DockerGuest } from './docker.js';

/** What the check found. */
export interface CheckpointSupport {
  /** both the engine and CRIU are ready */
  supported: boolean;
  /** one line: why not (every failing part), or what works */
  reason: string;
  /** what to do about it */
  fix: string;
  criu: {
    installed: boolean;
    /** e.g. "3.17.1" */
    version: string | null;
    /** `criu check` passed */
    checkPassed: boolean;
    /** the error lines of `criu check`, deduplicated */
    checkErrors: string[];
  };
  engine: {
    reachable: boolean;
    /** engine version, e.g. "20.10.24+dfsg1" */
    version: string | null;
    /** the daemon runs with --experimental */
    experimental: boolean;
  };
}

/** The distinct error lines of `criu check` output, without their source locations. */
export function criuCheckErrors(output: string): string[] {
  const errors = output
    .split(/(?=Error \()/)
    .map((line) => line.trim())
    .filter((line) => line.startsWith('Error'))
    .map((line) => line.replace(/^Error \([^)]*\):\s*/, '').trim());
  return [...new Set(errors)];
}

/** Runs `criu --version` and `criu check` (needs root) and asks the engine whether it is experimental. */
export async function checkContainerCheckpoint(options: { criuBinary?: string } = {}): Promise<CheckpointSupport> {
  const binary = options.criuBinary ?? 'criu';
  const versionRun = await execa(binary, ['--version'], { reject: false, stdin: 'ignore', timeout: 10_000 });
  const installed = versionRun.exitCode === 0;
  const version = /Version:\s*(\S+)/.exec(String(versionRun.stdout))?.[1] ?? null;
  let checkPassed = false;
  let checkErrors: string[] = [];
  if (installed) {
    const check = await execa(binary, ['check'], { reject: false, stdin: 'ignore', all: true, timeout: 30_000 });
    checkPassed = check.exitCode === 0;
    checkErrors = checkPassed ? [] : criuCheckErrors(String(check.all ?? ''));
    if (!checkPassed && checkErrors.length === 0)
      checkErrors = [
        String(check.all ?? check.shortMessage)
          .trim()
          .split('\n')
          .at(-1) ?? `exit code ${check.exitCode ?? '?'}`,
      ];
  }
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
  if (!installed) problems.push('CRIU is not installed');
  else if (!checkPassed)
    problems.push(
      `\`criu check\` fails on kernel ${os.release()} (criu ${version ?? 'unknown version'}): ${checkErrors.join('; ')}`,
    );
  const supported = problems.length === 0;
  return {
    supported,
    reason: supported
      ? `criu ${version ?? ''} passes \`criu check\` and the Docker engine ${engine.version ?? ''} is experimental`
      : problems.join('; and '),
    fix: supported
      ? ''
      : [
          !installed || !checkPassed
            ? "install a CRIU that supports this kernel (Debian 12's 3.17 predates it: build CRIU 4.x from source) until `criu check` passes"
            : '',
          engine.reachable && !engine.experimental ? 'restart dockerd with --experimental' : '',
          !engine.reachable ? 'start a Docker engine' : '',
        ]
          .filter(Boolean)
          .join(', then '),
    criu: { installed, version, checkPassed, checkErrors },
    engine,
  };
}

/** What a container restore from a checkpoint measured (monotonic clock, nanoseconds). */
export interface ContainerRestoreTimes {
  /** checkpoint name */
  checkpoint: string;
  /** the checkpoint was written and the container stopped */
  checkpointedNs: bigint;
  /** just before the start-from-checkpoint request */
  requestedNs: bigint;
  /** the restored container ran `true` for us (exec) */
  readyNs: bigint;
}

/**
 * Checkpoints a running container with CRIU through the engine (`exit`: it stops), then starts it
 * from the checkpoint and waits until it runs a command. Needs {@link checkContainerCheckpoint} to
 * pass; otherwise the engine's error is thrown as is.
 */
export async function restoreContainerFromCheckpoint(
  guest: DockerGuest,
  options: { signal?: AbortSignal } = {},
): Promise<ContainerRestoreTimes> {
  const container = dockerClient().getContainer(guest.id);
  const checkpoint = `gb-${randomBytes(4).toString('hex')}`;
  try {
    // dockerode has the call; its type definitions do not
    await (container as unknown as { createCheckpoint(options: object): Promise<unknown> }).createCheckpoint({
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
  const checkpointedNs = process.hrtime.bigint();
  const requestedNs = process.hrtime.bigint();
  try {
    await container.start({ checkpoint, abortSignal: options.signal } as object);
  } catch (cause) {
    throw new BackendError(
      `Could not start container ${guest.spec.name} from checkpoint ${checkpoint}: ${(cause as Error).message}`,
      { cause, backend: 'docker' },
    );
  }
  const answered = await guest.exec(['true'], { signal: options.signal, timeoutMs: 60_000 });
  if (answered.exitCode !== 0)
    throw new BackendError(
      `The restored container did not run \`true\` (exit code ${answered.exitCode}): ${guest.spec.name}`,
      { backend: 'docker' },
    );
  return { checkpoint, checkpointedNs, requestedNs, readyNs: answered.endedNs };
}
