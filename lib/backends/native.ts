/**
 * The bare host as a backend: each "guest" is a set of plain processes on the host, so that
 * N native guests means N copies of the workload running side by side with no isolation layer.
 */
import { execa } from 'execa';
import type { Accel } from '../results/schema.js';
import { AbortedError } from '../util/errors.js';
import { anySignal } from '../util/signals.js';
import type { Backend, ExecOptions, ExecResult, Guest, GuestSpec, GuestState } from './guest.js';

class NativeGuest implements Guest {
  readonly backend = 'native' as const;
  readonly accel: Accel = 'none';
  private state: GuestState = 'running';
  private readonly running = new Set<AbortController>();

  constructor(readonly spec: GuestSpec) {}

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

/** Runs workloads directly on the host. */
export class NativeBackend implements Backend {
  readonly name = 'native' as const;
  readonly accel: Accel = 'none';

  async start(spec: GuestSpec): Promise<Guest> {
    return new NativeGuest(spec);
  }

  async versions(): Promise<Record<string, string>> {
    const sysbench = await execa('sysbench', ['--version'], { reject: false });
    return { 'sysbench (host)': sysbench.exitCode === 0 ? sysbench.stdout.trim() : 'not installed' };
  }
}
