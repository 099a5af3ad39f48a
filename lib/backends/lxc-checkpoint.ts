/**
 * The lxc backend's save/restore (thesis Figure 5.2 for system containers): a cold start timed until
 * lxc-attach runs `true` in the container, `lxc-checkpoint -s` (CRIU dumps the container and stops
 * it), and `lxc-checkpoint -r` timed the same way; a witness process started just before the dump
 * must run after the restore. The container has no console, which CRIU could not restore.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { seconds } from '../util/clock.js';
import { BackendError, firstLine } from '../util/errors.js';
import { directoryBytes } from '../util/filesystems.js';
import type { MeasuredValues, SaveRestore, SaveRestoreCycle, StepOptions } from './capabilities.js';
import { CheckpointWitness } from './container-checkpoint.js';
import { CRIU_FIX, checkCriu } from './criu.js';
import type { Guest, GuestSpec } from './guest.js';
import type { LxcBackend, LxcGuest } from './lxc.js';
import { LXC_PATH, lxcTool } from './lxc-tools.js';

async function runsTrue(guest: LxcGuest, what: string, options: StepOptions): Promise<bigint> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const answered = await guest.exec(['true'], {
      timeoutMs: 30_000,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (answered.exitCode === 0) return answered.endedNs;
    if (Date.now() > deadline)
      throw new BackendError(
        `${what} did not run \`true\` (exit code ${answered.exitCode}): ${answered.stderr.trim()}`,
        {
          backend: 'lxc',
        },
      );
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

class LxcCheckpointCycle implements SaveRestoreCycle {
  #guest: LxcGuest | undefined;
  readonly #witness = new CheckpointWitness();

  constructor(private readonly lxc: LxcBackend) {}

  #dir(guest: LxcGuest): string {
    return path.join(LXC_PATH, guest.container, 'checkpoint');
  }

  async coldStart(spec: GuestSpec, options: StepOptions) {
    const requestedNs = process.hrtime.bigint();
    const guest = await this.lxc.start(spec, { ...(options.signal ? { signal: options.signal } : {}) });
    this.#guest = guest;
    await guest.waitReady({ timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
    const markerNs = process.hrtime.bigint();
    const answeredNs = await runsTrue(guest, 'The container', options);
    const values: MeasuredValues = [
      ['cold_boot_time', seconds(requestedNs, answeredNs)],
      ['phase_agent', seconds(markerNs, answeredNs)],
    ];
    return { guest, values, record: { coldBoot: { requestedNs, markerNs, answeredNs } } };
  }

  #own(guest?: Guest): LxcGuest {
    const own = this.#guest;
    if (!own || (guest !== undefined && guest !== own))
      throw new BackendError('checkpoint: save the container this cycle cold-started', { backend: 'lxc' });
    return own;
  }

  async save(guest: Guest, options: StepOptions) {
    const own = this.#own(guest);
    await this.#witness.start(own, options.signal);
    const dir = this.#dir(own);
    const startedNs = process.hrtime.bigint();
    const dumped = await lxcTool('checkpoint', ['-n', own.container, '-D', dir, '-s'], {
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const savedNs = process.hrtime.bigint();
    if (dumped.exitCode !== 0)
      throw new BackendError(
        `lxc-checkpoint could not dump ${own.container}: ${firstLine(String(dumped.stderr) || dumped.shortMessage)}`,
        { backend: 'lxc' },
      );
    const values: MeasuredValues = [
      ['snapshot_save_time', seconds(startedNs, savedNs)],
      ['snapshot_size', await directoryBytes(dir)],
    ];
    return { values, record: { save: { dir, startedNs, savedNs } } };
  }

  async restore(spec: GuestSpec, options: StepOptions) {
    const own = this.#own();
    const dir = this.#dir(own);
    const requestedNs = process.hrtime.bigint();
    const restored = await lxcTool('checkpoint', ['-n', own.container, '-D', dir, '-r'], {
      outputFile: path.join(LXC_PATH, own.container, 'lxc-checkpoint-restore.log'),
      timeoutMs: options.timeoutMs,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const returnedNs = process.hrtime.bigint();
    if (restored.exitCode !== 0)
      throw new BackendError(
        `lxc-checkpoint could not restore ${own.container}: ${firstLine(String(restored.stderr) || restored.shortMessage)}`,
        { backend: 'lxc' },
      );
    const readyNs = await runsTrue(own, 'The restored container', options);
    if (!(await this.#witness.found(own, options.signal)))
      throw new BackendError(
        `The restored container ${spec.name} did not come back from its checkpoint: ${this.#witness.describe()} is not true`,
        { backend: 'lxc' },
      );
    const values: MeasuredValues = [['restore_time', seconds(requestedNs, readyNs)]];
    return {
      guest: own,
      values,
      record: {
        restore: {
          dir,
          requestedNs,
          returnedNs,
          readyNs,
          continuity: { checked: this.#witness.describe(), kept: true },
        },
      },
    };
  }

  async close(): Promise<void> {
    const own = this.#guest;
    if (!own) return;
    rmSync(this.#dir(own), { recursive: true, force: true });
    await own.stop();
  }
}

/** LXC's save/restore: lxc-checkpoint (CRIU). */
export function lxcSaveRestore(lxc: LxcBackend): SaveRestore {
  return {
    method:
      'lxc-checkpoint -s (CRIU dumps the container into a directory and stops it), then lxc-checkpoint -r (CRIU restores it); needs a CRIU that passes `criu check` and is new enough for the kernel',
    readiness: 'lxc-attach runs `true` in it',
    async check() {
      const criu = await checkCriu();
      return criu.usable
        ? { usable: true, detail: `criu ${criu.version ?? ''} passes \`criu check\`` }
        : { usable: false, reason: criu.problem ?? 'CRIU does not work here', fix: CRIU_FIX };
    },
    open: async () => new LxcCheckpointCycle(lxc),
  };
}
