/**
 * Measuring one guest's start and stop for the latency experiments, on the runner's monotonic
 * clock (process.hrtime.bigint). "Ready" is the same for both kinds of guest: a process inside the
 * guest has written a marker, and the runner has read it (VM: the init prints GUEST_READY_MARKER on
 * the serial console, read from QEMU's console file; container: the main process prints
 * CONTAINER_READY_MARKER on stdout, read from the attach stream).
 */
import { open } from 'node:fs/promises';
import { ContainerEventLog, wallMinusMonotonicNs, type DockerEvent } from '../backends/docker-events.js';
import type { DockerBackend, DockerGuest } from '../backends/docker.js';
import type { GuestSpec } from '../backends/guest.js';
import type { KvmBackend, KvmGuest } from '../backends/kvm.js';
import { GUEST_READY_MARKER } from '../images/recipe.js';
import { AbortedError, BackendError } from '../util/errors.js';
import type { ContainerBootTimes, VmBootTimes } from './latency-rows.js';

/**
 * Resolves with the monotonic time the runner first read `needle` in the VM's console file, polling
 * every `pollMs` (reading only what is new). Rejects when QEMU exits, on abort, or after `timeoutMs`.
 */
export async function waitForConsole(
  guest: KvmGuest,
  needle: string,
  options: { pollMs?: number; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<bigint> {
  const pollMs = options.pollMs ?? 5;
  const deadline = Date.now() + (options.timeoutMs ?? 180_000);
  let offset = 0;
  let tail = '';
  for (;;) {
    if (options.signal?.aborted) throw new AbortedError(`Waiting for the console of VM ${guest.spec.name} aborted`);
    const handle = await open(guest.consoleLog, 'r').catch(() => undefined);
    if (handle) {
      try {
        for (;;) {
          const buffer = Buffer.alloc(64 * 1024);
          const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          tail += buffer.subarray(0, bytesRead).toString('latin1');
          if (tail.includes(needle)) return process.hrtime.bigint();
          // keep enough to match a needle split across reads
          tail = tail.slice(-needle.length);
        }
      } finally {
        await handle.close();
      }
    }
    if (guest.exitedNs !== undefined || (await guest.status()) === 'stopped') {
      throw new BackendError(`QEMU exited before the guest printed "${needle}": ${guest.spec.name}`, {
        backend: 'kvm',
      });
    }
    if (Date.now() > deadline) {
      throw new BackendError(
        `The guest did not print "${needle}" within ${Math.round((options.timeoutMs ?? 180_000) / 1000)} s: ${guest.spec.name}\nlast console lines:\n${await guest.consoleTail(5)}`,
        { backend: 'kvm' },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/** A booted VM and when each step of its boot happened. */
export interface MeasuredVmBoot {
  guest: KvmGuest;
  times: VmBootTimes;
  /** the console's last lines at readiness, for the raw record */
  console: string;
}

/**
 * Launches one VM and times its boot: launch request, QMP up, ready marker read from the console,
 * agent answering. On failure the VM is stopped and the error thrown.
 */
export async function measureVmBoot(
  kvm: KvmBackend,
  spec: GuestSpec,
  options: { timeoutMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<MeasuredVmBoot> {
  const requestedNs = process.hrtime.bigint();
  const guest = await kvm.start(spec, { signal: options.signal });
  try {
    const [markerNs] = await Promise.all([
      waitForConsole(guest, GUEST_READY_MARKER, {
        pollMs: options.pollMs,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
      }),
      guest.waitReady({ timeoutMs: options.timeoutMs, signal: options.signal }),
    ]);
    const times: VmBootTimes = {
      requestedNs,
      qmpNs: guest.qmpReadyNs ?? requestedNs,
      markerNs,
      agentNs: guest.readyNs ?? markerNs,
      guestUptimeAtMarker: await guest.guestUptimeAtReady(),
    };
    return { guest, times, console: await guest.consoleTail(8) };
  } catch (error) {
    await guest.stop();
    throw error;
  }
}

/** A started container, when each step of its start happened, and the engine's own events. */
export interface MeasuredContainerBoot {
  guest: DockerGuest;
  times: ContainerBootTimes;
  /** the container's engine events (open until close(); shutdown events arrive here too) */
  events: ContainerEventLog;
  /** wall clock minus monotonic clock, nanoseconds (maps engine timestamps onto the runner's clock) */
  wallMinusMonotonicNs: bigint;
}

/** Engine event time on the runner's monotonic clock. */
export function engineMonotonicNs(event: DockerEvent | undefined, wallMinusMonotonic: bigint): bigint | undefined {
  return event === undefined ? undefined : event.timeNano - wallMinusMonotonic;
}

/**
 * Starts one container and times it: create, attach, start, ready marker; and reads the engine's
 * `start` event. On failure the container is removed and the error thrown. Close `events` when done.
 */
export async function measureContainerBoot(
  docker: DockerBackend,
  spec: GuestSpec,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<MeasuredContainerBoot> {
  // subscribed before create: the engine's create and start events cannot be missed
  const events = await ContainerEventLog.open(`guestbench-${spec.name}`, { signal: options.signal });
  const offset = wallMinusMonotonicNs();
  let guest: DockerGuest | undefined;
  try {
    guest = await docker.start(spec, { signal: options.signal });
    await guest.waitReady({ timeoutMs: options.timeoutMs, signal: options.signal });
    const start = await events.waitFor('start', 2000);
    const times: ContainerBootTimes = {
      ...guest.times,
      markerNs: guest.times.markerNs ?? process.hrtime.bigint(),
      engineStartNs: engineMonotonicNs(start, offset),
    };
    return { guest, times, events, wallMinusMonotonicNs: offset };
  } catch (error) {
    events.close();
    await guest?.stop();
    throw error;
  }
}

/** Events as plain JSON for the raw record (timeNano as a decimal string). */
export function eventsForRecord(events: readonly DockerEvent[]): Array<Record<string, string>> {
  return events.map((event) => ({ action: event.action, timeNano: event.timeNano.toString(), ...event.attributes }));
}

/** JSON with BigInts as decimal strings. */
export function recordJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2);
}
