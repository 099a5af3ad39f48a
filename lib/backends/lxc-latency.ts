/**
 * The lxc backend's timed start and shutdown (thesis chapter 5 for system containers): boot_time =
 * create request (overlay mounted, config written: what an engine's create does) -> lxc-start
 * returned (the container's init runs) -> the init's ready marker seen by the host; shutdown_time =
 * lxc-stop (SIGTERM to init, killed after the grace period) -> it returned.
 */
import { seconds } from '../util/clock.js';
import type { MeasuredValues, StartTiming, StepOptions, TimedStart } from './capabilities.js';
import type { GuestSpec } from './guest.js';
import type { LxcBackend } from './lxc.js';
import { LXC_INIT, LXC_READY_FILE } from './lxc-tools.js';

/** lxc-stop's grace period before it kills the container, seconds (the engines' default too). */
export const LXC_STOP_GRACE_SECONDS = 10;

export function lxcStartTiming(lxc: LxcBackend): StartTiming {
  return {
    readiness: `the container's init (${LXC_INIT}) writes ${LXC_READY_FILE} in its root, which the host sees in the overlay's upper layer (polled every 5 ms); boot_time = the create request (overlay mounted, config written) -> lxc-start returned -> the marker seen, on the runner's monotonic clock`,
    shutdown: `lxc-stop: SIGTERM to the init (lxc.signal.halt), which exits on it (a shell trap); killed after ${LXC_STOP_GRACE_SECONDS} s (shutdown_killed = 1); shutdown_time = stop request -> lxc-stop returned (the container stopped); removal is not timed`,
    background: lxc,
    parallelStarts: 8,
    timedStart: (spec, options) => timedLxcStart(lxc, spec, options),
  };
}

async function timedLxcStart(lxc: LxcBackend, spec: GuestSpec, options: StepOptions): Promise<TimedStart> {
  const requestedNs = process.hrtime.bigint();
  const guest = await lxc.create(spec, { signal: options.signal });
  const createdNs = process.hrtime.bigint();
  try {
    await guest.launch(options.signal);
    const launchedNs = process.hrtime.bigint();
    await guest.waitReady({ timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
    const markerNs = process.hrtime.bigint();
    const values: MeasuredValues = [
      ['boot_time', seconds(requestedNs, markerNs)],
      ['phase_create', seconds(requestedNs, createdNs)],
      ['phase_launch', seconds(createdNs, launchedNs)],
      ['phase_init', seconds(launchedNs, markerNs)],
    ];
    return {
      guest,
      values,
      record: { boot: { requestedNs, createdNs, launchedNs, markerNs } },
      async timedShutdown() {
        const startedNs = process.hrtime.bigint();
        const down = await guest.shutdown(LXC_STOP_GRACE_SECONDS);
        const stoppedNs = process.hrtime.bigint();
        return {
          values: [
            ['shutdown_time', seconds(startedNs, stoppedNs)],
            ['shutdown_killed', down.killed ? 1 : 0],
          ],
          record: { shutdownTimes: { startedNs, stoppedNs, killed: down.killed } },
        };
      },
      async close() {
        await guest.stop();
        return { lxcLog: guest.logTail(10) };
      },
    };
  } catch (error) {
    await guest.stop();
    throw error;
  }
}
