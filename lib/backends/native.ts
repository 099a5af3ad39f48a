/**
 * The bare host as a backend: each "guest" is a set of plain processes on the host, so that N native
 * guests means N copies of the workload running side by side with no isolation layer. Its scratch
 * storage is a directory per guest under a host directory, removed by the guest's scratch cleanup.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import type { ScratchSpec } from '../results/parameters.js';
import type { Accel } from '../results/schema.js';
import { AbortedError } from '../util/errors.js';
import { filesystemOf } from '../util/filesystems.js';
import { anySignal, isProcessAlive } from '../util/signals.js';
import type { BackendCapabilities, GuestScratch, ScratchStorage } from './capabilities.js';
import type { Backend, ExecOptions, ExecResult, Guest, GuestSpec, GuestState } from './guest.js';

const SCRATCH_PREFIX = 'guestbench-scratch-';

/** The directory a native guest's workload writes in: the runner's pid in the name finds it again after a SIGKILL. */
export function nativeScratchDir(hostRoot: string, guestName: string): string {
  return path.posix.join(hostRoot, `${SCRATCH_PREFIX}${process.pid}-${guestName}`);
}

/**
 * Removes native scratch directories under `root` left by runners that died without cleaning up
 * (killed with SIGKILL: their servers died with them, their files did not). Returns what it removed.
 */
export function sweepStaleScratch(root: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = new RegExp(`^${SCRATCH_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (!pid || Number(pid) === process.pid || isProcessAlive(Number(pid))) continue;
    fs.rmSync(path.join(root, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

const swept = new Set<string>();

/** A host directory per guest: made by prepare, removed by cleanup (nothing else would remove it). */
class HostDirectoryScratch implements GuestScratch {
  constructor(
    private readonly dir: string,
    private readonly root: string,
  ) {}

  async prepare(): Promise<string> {
    if (!swept.has(this.root)) {
      swept.add(this.root);
      sweepStaleScratch(this.root);
    }
    await fs.promises.mkdir(this.dir, { recursive: true });
    return this.dir;
  }

  async cleanup(): Promise<void> {
    await fs.promises.rm(this.dir, { recursive: true, force: true });
  }
}

/** Where the bare host's scratch storage is, for planning. */
export const HOST_DIRECTORY_SCRATCH: ScratchStorage = {
  describe: (_scratch: ScratchSpec, hostRoot: string) =>
    `a directory per guest under ${hostRoot} (${filesystemOf(hostRoot).type}), removed after the group's last repeat`,
  hostDir: (hostRoot) => hostRoot,
  overhead: { factor: 1, bytes: 0 },
  plural: 'native copies',
};

class NativeGuest implements Guest {
  readonly backend = 'native' as const;
  readonly accel: Accel = 'none';
  readonly scratch: GuestScratch | undefined;
  private state: GuestState = 'running';
  private readonly running = new Set<AbortController>();

  constructor(readonly spec: GuestSpec) {
    this.scratch = spec.scratch
      ? new HostDirectoryScratch(nativeScratchDir(spec.scratch.hostRoot, spec.name), spec.scratch.hostRoot)
      : undefined;
  }

  async waitReady(): Promise<void> {}

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const [file, ...args] = argv;
    if (file === undefined) throw new TypeError('exec needs a command');
    const controller = new AbortController();
    const signal = anySignal(options.signal, controller.signal);
    this.running.add(controller);
    const startedNs = process.hrtime.bigint();
    try {
      const result = await execa(file, args, {
        reject: false,
        cancelSignal: signal,
        timeout: options.timeoutMs,
        stdin: 'ignore',
        env: { LC_ALL: 'C' },
      });
      const endedNs = process.hrtime.bigint();
      if (result.isCanceled || result.timedOut) {
        throw new AbortedError(`${result.timedOut ? 'Timed out' : 'Aborted'}: ${result.command}`);
      }
      return {
        argv,
        exitCode: result.exitCode ?? -1,
        stdout: result.stdout,
        stderr: result.stderr,
        startedNs,
        endedNs,
      };
    } finally {
      this.running.delete(controller);
    }
  }

  async status(): Promise<GuestState> {
    return this.state;
  }

  async stop(): Promise<void> {
    for (const controller of this.running) controller.abort();
    this.state = 'stopped';
  }
}

/** Runs workloads directly on the host. It boots nothing, so it has no timed start, save/restore or migration. */
export class NativeBackend implements Backend {
  readonly name = 'native' as const;
  readonly accel: Accel = 'none';
  readonly capabilities: BackendCapabilities = { scratch: HOST_DIRECTORY_SCRATCH };

  async start(spec: GuestSpec): Promise<Guest> {
    return new NativeGuest(spec);
  }

  async versions(): Promise<Record<string, string>> {
    const sysbench = await execa('sysbench', ['--version'], { reject: false });
    return { 'sysbench (host)': sysbench.exitCode === 0 ? sysbench.stdout.trim() : 'not installed' };
  }
}
