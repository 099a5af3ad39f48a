/**
 * The migration observer: probes a UDP echo service in the guest at a fixed interval from outside
 * both hosts and keeps every probe's send and answer time. The thesis pinged the guest once a second;
 * this probes every few milliseconds, and the interval is recorded with the result.
 *
 * From the probe log and the moment the target resumed the VM (its QMP `RESUME` event),
 * {@link observerFigures} derives what the thesis measured from the outside:
 * - service downtime: the last answer received before the target resumed (only the source can have
 *   sent it: an answer the source sent just before it paused may still arrive after the pause) until
 *   the first answer received after it (only the target can answer then: the source is paused);
 * - total migration time: the migrate command until that first answer from the target.
 *
 * ```ts
 * const observer = await startObserver({ address: '10.213.1.10', port: 7, intervalMs: 5 });
 * // ... migrate ...
 * const log = await observer.stop();
 * const figures = observerFigures(log, { issuedNs, switchedNs });
 * ```
 */
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { GuestbenchError, UsageError } from '../util/errors.js';

/** The observer could not hear the guest's service (not reachable, or not after the switch-over). */
export class ObserverError extends GuestbenchError {}

/** One probe (monotonic clock, process.hrtime.bigint, nanoseconds). */
export interface Probe {
  /** 0-based sequence number */
  seq: number;
  sentNs: bigint;
  /** when its echo arrived; undefined if it never did */
  answeredNs?: bigint;
}

/** Everything the observer saw. */
export interface ProbeLog {
  address: string;
  port: number;
  /** the probe interval asked for, milliseconds */
  intervalMs: number;
  probes: Probe[];
  /** datagrams that came back but were not echoes of our probes (wrong length or token) */
  strays: number;
}

/** A running observer. */
export interface Observer {
  /** resolves once an echo has come back (the service answers), rejects after `timeoutMs` */
  waitForAnswer(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /** the log so far (probing goes on) */
  peek(): ProbeLog;
  /** stops probing, waits `drainMs` (default 2 × interval, at least 20 ms) for late echoes, closes the socket */
  stop(options?: { drainMs?: number }): Promise<ProbeLog>;
}

const PROBE_BYTES = 16;

/**
 * Starts probing `address:port` every `intervalMs` milliseconds: each datagram carries a random
 * token of this observer and the sequence number, so echoes of other senders are not counted.
 */
export async function startObserver(options: { address: string; port: number; intervalMs: number }): Promise<Observer> {
  const { address, port, intervalMs } = options;
  if (!Number.isFinite(intervalMs) || intervalMs < 1 || intervalMs > 10_000) {
    throw new UsageError(`Expected the probe interval to be from 1 to 10000 ms, got \`${intervalMs}\``);
  }
  const token = randomBytes(8);
  const probes: Probe[] = [];
  let strays = 0;
  const answerWaiters = new Set<() => void>();
  const socket: Socket = createSocket('udp4');
  socket.on('message', (message) => {
    const answeredNs = process.hrtime.bigint();
    if (message.length !== PROBE_BYTES || !message.subarray(0, 8).equals(token)) {
      strays++;
      return;
    }
    const probe = probes[message.readUInt32BE(8)];
    if (!probe || probe.answeredNs !== undefined) return;
    probe.answeredNs = answeredNs;
    for (const wake of answerWaiters) wake();
  });
  let socketError: Error | undefined;
  socket.on('error', (error) => {
    socketError = error;
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const send = (): void => {
    const seq = probes.length;
    const datagram = Buffer.alloc(PROBE_BYTES);
    token.copy(datagram, 0);
    datagram.writeUInt32BE(seq, 8);
    probes.push({ seq, sentNs: process.hrtime.bigint() });
    // a send to an unreachable address fails asynchronously; the probe just goes unanswered
    socket.send(datagram, port, address, () => {});
  };
  send();
  const timer = setInterval(send, intervalMs);
  let stopped: Promise<ProbeLog> | undefined;

  return {
    async waitForAnswer(timeoutMs, signal) {
      if (probes.some((probe) => probe.answeredNs !== undefined)) return;
      await new Promise<void>((resolve, reject) => {
        const done = (error?: Error): void => {
          clearTimeout(deadline);
          answerWaiters.delete(wake);
          signal?.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else resolve();
        };
        const wake = (): void => done();
        const onAbort = (): void =>
          done(new ObserverError(`Stopped waiting for the guest's echo service at ${address}:${port}: aborted`));
        const deadline = setTimeout(
          () =>
            done(
              new ObserverError(
                `The guest's echo service at ${address}:${port} did not answer within ${(timeoutMs / 1000).toFixed(timeoutMs < 10_000 ? 1 : 0)} s${socketError ? ` (${socketError.message})` : ''}`,
                {
                  fix: 'rebuild the guest image (`guestbench images build`): its init starts the echo service when the kernel command line gives it an address',
                },
              ),
            ),
          timeoutMs,
        );
        answerWaiters.add(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    peek() {
      return { address, port, intervalMs, probes, strays };
    },
    stop(stopOptions = {}) {
      stopped ??= (async () => {
        clearInterval(timer);
        const drainMs = stopOptions.drainMs ?? Math.max(20, 2 * intervalMs);
        await new Promise((resolve) => setTimeout(resolve, drainMs));
        await new Promise<void>((resolve) => socket.close(() => resolve()));
        return { address, port, intervalMs, probes, strays };
      })();
      return stopped;
    },
  };
}

/** What the observer measured around one migration. */
export interface ObserverFigures {
  /** migrate command -> first answer from the target, seconds */
  totalTimeS: number;
  /** last answer from the source -> first answer from the target, milliseconds */
  downtimeMs: number;
  /** probes sent between issuing the migration and the first answer from the target */
  probesDuringMigration: number;
  /** of those, probes never answered */
  probesLost: number;
  /**
   * the largest gap between two consecutive answers while the migration ran, milliseconds (a second outage would show
   * here)
   */
  largestGapMs: number;
}

/**
 * The observer's figures for one migration (pure). `issuedNs`: the migration was asked for;
 * `switchedNs`: from then on only the target can answer (a VM: the target's `RESUME` event arrived;
 * a container: its restore on the target began, its processes frozen on the source since the
 * checkpoint). Throws an ObserverError when the log cannot give them: no answer before the
 * switch-over, or none after it.
 */
export function observerFigures(log: ProbeLog, moments: { issuedNs: bigint; switchedNs: bigint }): ObserverFigures {
  const { issuedNs, switchedNs } = moments;
  const answers = log.probes
    .map((probe) => probe.answeredNs)
    .filter((ns): ns is bigint => ns !== undefined)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const lastFromSource = answers.filter((ns) => ns < switchedNs).at(-1);
  const firstFromTarget = answers.find((ns) => ns >= switchedNs);
  if (lastFromSource === undefined) {
    throw new ObserverError(
      `The observer got no answer from the guest before the switch-over (${log.probes.length} probes to ${log.address}:${log.port})`,
    );
  }
  if (firstFromTarget === undefined) {
    throw new ObserverError(
      `The observer got no answer from the guest after the switch-over: the migrated guest does not answer at ${log.address}:${log.port}`,
    );
  }
  const during = log.probes.filter((probe) => probe.sentNs >= issuedNs && probe.sentNs <= firstFromTarget);
  let largestGapNs = 0n;
  let previous: bigint | undefined;
  for (const ns of answers) {
    if (ns < issuedNs) {
      previous = ns;
      continue;
    }
    if (ns > firstFromTarget) break;
    if (previous !== undefined && ns - previous > largestGapNs) largestGapNs = ns - previous;
    previous = ns;
  }
  return {
    totalTimeS: Number(firstFromTarget - issuedNs) / 1e9,
    downtimeMs: Number(firstFromTarget - lastFromSource) / 1e6,
    probesDuringMigration: during.length,
    probesLost: during.filter((probe) => probe.answeredNs === undefined).length,
    largestGapMs: Number(largestGapNs) / 1e6,
  };
}
