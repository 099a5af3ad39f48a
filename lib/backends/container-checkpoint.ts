/**
 * Save/restore of a container (thesis Figure 5.2), the same for every engine: a cold start timed
 * until the engine runs a command in the container, a CRIU checkpoint of it (the container stops),
 * and a start from that checkpoint timed the same way, with the engine's own event for the restored
 * start beside the runner's view. How an engine checkpoints and restores is its checkpointer.
 */
import { randomInt } from 'node:crypto';
import { seconds } from '../util/clock.js';
import { BackendError } from '../util/errors.js';
import type { MeasuredValues, RawRecord, SaveRestoreCycle, StepOptions } from './capabilities.js';
import {
  engineMonotonicNs,
  containerBootValues,
  eventsForRecord,
  measureContainerBoot,
  type MeasuredContainerBoot,
} from './docker-latency.js';
import type { DockerBackend, DockerGuest } from './docker.js';
import type { Guest, GuestSpec } from './guest.js';

/** How one engine checkpoints a running container and starts it again from the checkpoint. */
export interface Checkpointer {
  /** the engine's event that marks a restored container running (docker: start; podman: restore) */
  readonly restoredEvent: string;
  /** checkpoints the container (it stops); the checkpoint's name, its size where known, and raw details */
  checkpoint(guest: DockerGuest, signal?: AbortSignal): Promise<{ name: string; bytes?: number; record: RawRecord }>;
  /**
   * starts the container from the checkpoint `name`; raw details, and `retriedAtNs` where the engine
   * refused a first attempt for a known engine bug and the restore was asked again: it is timed from there
   */
  restore(guest: DockerGuest, name: string, signal?: AbortSignal): Promise<RawRecord & { retriedAtNs?: bigint }>;
}

async function runsCommand(guest: DockerGuest, what: string, signal?: AbortSignal): Promise<bigint> {
  const answered = await guest.exec(['true'], { signal, timeoutMs: 60_000 });
  if (answered.exitCode !== 0) {
    throw new BackendError(`${what} did not run \`true\` (exit code ${answered.exitCode}): ${guest.spec.name}`, {
      backend: guest.backend,
    });
  }
  return answered.endedNs;
}

/**
 * A process started in the container just before its checkpoint, named by a random token: only a
 * start from the checkpoint has it (a cold start of the same container would not), so finding it
 * after the restore shows the container's processes came back from the checkpoint.
 */
export class CheckpointWitness {
  readonly token = `2147483.${randomInt(1e9)}`;

  async start(guest: Guest, signal?: AbortSignal): Promise<void> {
    // the shell exits at once: the sleep is orphaned to the container's init, inside the checkpointed tree
    const started = await guest.exec(['sh', '-c', `setsid sleep ${this.token} </dev/null >/dev/null 2>&1 &`], {
      signal,
      timeoutMs: 60_000,
    });
    if (started.exitCode !== 0)
      throw new BackendError(`could not start the checkpoint witness in ${guest.spec.name}: ${started.stderr.trim()}`, {
        backend: guest.backend,
      });
  }

  async found(guest: Guest, signal?: AbortSignal): Promise<boolean> {
    const listed = await guest.exec(
      [
        'sh',
        '-c',
        `for p in /proc/[0-9]*; do tr '\\0' ' ' <"$p/cmdline"; echo; done 2>/dev/null | grep -q "^sleep ${this.token} "`,
      ],
      { signal, timeoutMs: 60_000 },
    );
    return listed.exitCode === 0;
  }

  describe(): string {
    return `a process (sleep ${this.token}) started in the container just before the checkpoint runs after the restore`;
  }
}

/** One cold start, checkpoint and restore of one container. */
export class CheckpointCycle implements SaveRestoreCycle {
  #boot: MeasuredContainerBoot | undefined;
  #checkpoint: string | undefined;
  readonly #witness = new CheckpointWitness();

  constructor(
    private readonly backend: DockerBackend,
    private readonly checkpointer: Checkpointer,
  ) {}

  async coldStart(spec: GuestSpec, options: StepOptions) {
    const boot = await measureContainerBoot(this.backend, spec, options);
    this.#boot = boot;
    const answeredNs = await runsCommand(boot.guest, 'The container', options.signal);
    const values: MeasuredValues = [
      ['cold_boot_time', seconds(boot.times.requestedNs, answeredNs)],
      ...containerBootValues(boot.times).filter(([metric]) => metric !== 'boot_time'),
      ['phase_agent', seconds(boot.times.markerNs, answeredNs)],
    ];
    return { guest: boot.guest, values, record: { coldBoot: { ...boot.times, execAnsweredNs: answeredNs } } };
  }

  #booted(guest?: Guest): MeasuredContainerBoot {
    const boot = this.#boot;
    if (!boot || (guest !== undefined && guest !== boot.guest)) {
      throw new BackendError('checkpoint: save the container this cycle cold-started', { backend: this.backend.name });
    }
    return boot;
  }

  async save(guest: Guest, options: StepOptions) {
    const boot = this.#booted(guest);
    await this.#witness.start(boot.guest, options.signal);
    const startedNs = process.hrtime.bigint();
    let saved;
    try {
      saved = await this.checkpointer.checkpoint(boot.guest, options.signal);
    } catch (cause) {
      throw new BackendError(`Could not checkpoint container ${guest.spec.name}: ${(cause as Error).message}`, {
        cause,
        backend: this.backend.name,
      });
    }
    const savedNs = process.hrtime.bigint();
    this.#checkpoint = saved.name;
    const values: MeasuredValues = [['snapshot_save_time', seconds(startedNs, savedNs)]];
    if (saved.bytes !== undefined) values.push(['snapshot_size', saved.bytes]);
    return { values, record: { save: { checkpoint: saved.name, startedNs, savedNs, ...saved.record } } };
  }

  async restore(spec: GuestSpec, options: StepOptions) {
    const boot = this.#booted();
    const checkpoint = this.#checkpoint;
    if (!checkpoint) throw new BackendError('checkpoint: nothing saved to restore', { backend: this.backend.name });
    const seenBefore = boot.events.events.length;
    const requestedNs = process.hrtime.bigint();
    let record: RawRecord & { retriedAtNs?: bigint };
    try {
      record = await this.checkpointer.restore(boot.guest, checkpoint, options.signal);
    } catch (cause) {
      throw new BackendError(
        `Could not start container ${spec.name} from checkpoint ${checkpoint}: ${(cause as Error).message}`,
        {
          cause,
          backend: this.backend.name,
        },
      );
    }
    const readyNs = await runsCommand(boot.guest, 'The restored container', options.signal);
    if (!(await this.#witness.found(boot.guest, options.signal)))
      throw new BackendError(
        `The restored container ${spec.name} did not come back from its checkpoint: ${this.#witness.describe()} is not true`,
        { backend: this.backend.name },
      );
    // a first attempt the engine refused for its own bug is not the container's restore
    const timedFromNs = record.retriedAtNs ?? requestedNs;
    const values: MeasuredValues = [['restore_time', seconds(timedFromNs, readyNs)]];
    // the engine's own view: its event for the restored start, among the events after the checkpoint
    await boot.events.waitFor(this.checkpointer.restoredEvent, 1000);
    const event = boot.events.events.slice(seenBefore).find((item) => item.action === this.checkpointer.restoredEvent);
    const engineNs = engineMonotonicNs(event, boot.wallMinusMonotonicNs);
    if (engineNs !== undefined) values.push(['engine_restore_time', seconds(timedFromNs, engineNs)]);
    const continuity = { checked: this.#witness.describe(), kept: true };
    return {
      guest: boot.guest,
      values,
      record: { restore: { checkpoint, requestedNs, readyNs, continuity, ...record } },
    };
  }

  async close(): Promise<void> {
    const boot = this.#boot;
    boot?.events.close();
    // removing the container removes its checkpoints with it
    await boot?.guest.stop();
  }

  /** The engine's events of the cycle so far, for the raw record. */
  events(): Array<Record<string, string>> {
    return eventsForRecord(this.#boot?.events.events ?? []);
  }
}
