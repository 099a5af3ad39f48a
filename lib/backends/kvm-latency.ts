/**
 * The kvm backend's timed boot and shutdown (the latency experiments), on the runner's monotonic
 * clock. "Ready" is the init's marker on the serial console (read from QEMU's console file), the
 * guest agent answering just after; "gone" is QEMU exiting after a clean power-off asked for
 * through the agent.
 */
import { open } from 'node:fs/promises';
import os from 'node:os';
import { GUEST_READY_MARKER } from '../images/recipe.js';
import { seconds } from '../util/clock.js';
import { AbortedError, BackendError } from '../util/errors.js';
import type { MeasuredValues, StartTiming, StepOptions, TimedStart } from './capabilities.js';
import type { GuestSpec } from './guest.js';
import type { KvmBackend, KvmGuest, KvmShutdownTimes } from './kvm.js';

/** One VM boot (monotonic clock, nanoseconds). */
export interface VmBootTimes {
  /** just before the launch request (KvmBackend.start) */
  requestedNs: bigint;
  /** QMP answered: QEMU is up */
  qmpNs: bigint;
  /** the runner read the init's ready marker in the console file */
  markerNs: bigint;
  /** the guest agent answered */
  agentNs: bigint;
  /** the guest kernel's uptime printed with the marker, seconds (guest clock) */
  guestUptimeAtMarker: number | undefined;
}

/** boot_time (launch -> marker) and its phases; phase_agent is the step after "ready". */
export function vmBootValues(times: VmBootTimes): MeasuredValues {
  const values: MeasuredValues = [
    ['boot_time', seconds(times.requestedNs, times.markerNs)],
    ['phase_vmm', seconds(times.requestedNs, times.qmpNs)],
    ['phase_guest', seconds(times.qmpNs, times.markerNs)],
    ['phase_agent', seconds(times.markerNs, times.agentNs)],
  ];
  if (times.guestUptimeAtMarker !== undefined) values.push(['guest_uptime_at_marker', times.guestUptimeAtMarker]);
  return values;
}

/** shutdown_time (request -> QEMU exited) and its two phases. */
export function vmShutdownValues(times: KvmShutdownTimes): MeasuredValues {
  const values: MeasuredValues = [['shutdown_time', seconds(times.requestedNs, times.exitedNs)]];
  if (times.poweredOffNs !== undefined) {
    values.push(['phase_poweroff', seconds(times.requestedNs, times.poweredOffNs)]);
    values.push(['phase_vmm_exit', seconds(times.poweredOffNs, times.exitedNs)]);
  }
  return values;
}

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

/** The kvm backend's timed boot and shutdown. */
export function kvmStartTiming(kvm: KvmBackend): StartTiming {
  return {
    readiness:
      `the init (PID 1) prints "${GUEST_READY_MARKER} uptime=..." on the serial console, read from QEMU's console file (polled every 5 ms); ` +
      "boot_time = launch request (before KvmBackend.start) -> ready, on the runner's monotonic clock (process.hrtime.bigint)",
    shutdown:
      'clean shutdown: guest-agent guest-shutdown (powerdown) runs /sbin/shutdown, which signals the init; it stops qemu-ga, syncs, remounts / read-only and powers off via ACPI (sysrq o); ' +
      'shutdown_time = request -> the QEMU process exited; phase_poweroff = request -> QMP SHUTDOWN event',
    background: kvm,
    // one VM boot per host CPU at a time: twelve TCG boots at once on two cores would time out
    parallelStarts: Math.max(1, os.availableParallelism()),
    timedStart: async (spec, options) => timedVmStart(kvm, spec, options),
  };
}

async function timedVmStart(kvm: KvmBackend, spec: GuestSpec, options: StepOptions): Promise<TimedStart> {
  const boot = await measureVmBoot(kvm, spec, options);
  return {
    guest: boot.guest,
    values: vmBootValues(boot.times),
    record: { boot: boot.times, command: boot.guest.command, console: boot.console },
    async timedShutdown({ timeoutMs, signal }) {
      const down = await boot.guest.shutdown({ timeoutMs, signal });
      return { values: vmShutdownValues(down), record: { shutdownTimes: down } };
    },
    async close() {
      await boot.guest.stop();
      return {};
    },
  };
}
