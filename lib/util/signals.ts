/**
 * AbortSignal helpers. Node 20 has AbortSignal.any, but its typings here do not declare it.
 */

const any = (AbortSignal as unknown as { any(signals: AbortSignal[]): AbortSignal }).any;

/** One signal that aborts when any of the given ones does (undefined entries are ignored). */
export function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length <= 1) return present[0];
  return any.call(AbortSignal, present);
}

/** `signal` bounded by `timeoutMs` as one signal (either may be absent; an infinite timeout is none). */
export function boundedSignal(signal: AbortSignal | undefined, timeoutMs: number | undefined): AbortSignal | undefined {
  const timeout =
    timeoutMs !== undefined && Number.isFinite(timeoutMs) ? AbortSignal.timeout(Math.max(0, timeoutMs)) : undefined;
  return anySignal(signal, timeout);
}

/** True when the signal was aborted by AbortSignal.timeout(). */
export function isTimeout(signal: AbortSignal | undefined): boolean {
  const reason: unknown = signal?.reason;
  return reason instanceof Error && reason.name === 'TimeoutError';
}

/** Rejects with `message` if `promise` has not settled within `ms` (the underlying work is not cancelled). */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
