/**
 * A backend for unit tests of the campaign loop: its guests live in this process and answer `exec`
 * from a script, so the loop's behaviour (resume, unsupported, errored, abort, fail-fast, progress)
 * is tested on any machine, with no Docker engine and no QEMU. Every backend also has tests against
 * the real thing (test/backends, test/experiments/*.e2e.test.ts); this one stands in for none of them.
 */
import type { BackendCapabilities } from '../../lib/backends/capabilities.js';
import type { Backend, ExecOptions, ExecResult, Guest, GuestSpec, GuestState } from '../../lib/backends/guest.js';
import type { BackendName } from '../../lib/model/backends.js';
import type { Accel } from '../../lib/results/schema.js';
import { AbortedError } from '../../lib/util/errors.js';

/** What a fake guest answers to one command: its output, or an exit code, or it hangs until aborted. */
export type FakeAnswer = { stdout?: string; stderr?: string; exitCode?: number } | 'hang' | Error;

/** How a fake backend behaves. */
export interface FakeScript {
  /** the answer to `argv` in `guest` (default: exit 0, no output) */
  exec?(argv: readonly string[], guest: FakeGuest): FakeAnswer | Promise<FakeAnswer>;
  /** an error to fail the start of this guest with (default: none) */
  start?(spec: GuestSpec): Error | undefined;
}

/** One fake guest. */
export class FakeGuest implements Guest {
  state: GuestState = 'running';
  readonly commands: string[][] = [];

  constructor(
    readonly backend: BackendName,
    readonly accel: Accel,
    readonly spec: GuestSpec,
    private readonly script: FakeScript,
  ) {}

  async waitReady(): Promise<void> {}

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    if (this.state === 'stopped') throw new Error(`fake guest ${this.spec.name} is stopped`);
    this.commands.push([...argv]);
    const startedNs = process.hrtime.bigint();
    const answer = (await this.script.exec?.(argv, this)) ?? {};
    if (answer instanceof Error) throw answer;
    if (answer === 'hang') {
      await new Promise<never>((_, reject) => {
        const onAbort = () => reject(new AbortedError(`Aborted: ${argv.join(' ')} in ${this.spec.name}`));
        if (options.signal?.aborted) onAbort();
        options.signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    const done = answer as Exclude<FakeAnswer, 'hang' | Error>;
    return {
      argv,
      exitCode: done.exitCode ?? 0,
      stdout: done.stdout ?? '',
      stderr: done.stderr ?? '',
      startedNs,
      endedNs: process.hrtime.bigint(),
    };
  }

  async status(): Promise<GuestState> {
    return this.state;
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
  }
}

/** A backend whose guests are FakeGuests; `started` keeps every guest it made. */
export class FakeBackend implements Backend {
  readonly started: FakeGuest[] = [];

  constructor(
    readonly name: BackendName = 'docker',
    private readonly script: FakeScript = {},
    readonly capabilities: BackendCapabilities = {},
    readonly accel: Accel = 'none',
  ) {}

  async start(spec: GuestSpec): Promise<Guest> {
    const failure = this.script.start?.(spec);
    if (failure) throw failure;
    const guest = new FakeGuest(this.name, this.accel, spec, this.script);
    this.started.push(guest);
    return guest;
  }

  /** Guests started and not stopped. */
  running(): FakeGuest[] {
    return this.started.filter((guest) => guest.state !== 'stopped');
  }

  async versions(): Promise<Record<string, string>> {
    return { fake: '1' };
  }
}
