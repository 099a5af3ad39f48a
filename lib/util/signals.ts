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

/** A signal for `options.signal` bounded by `timeoutMs` (either may be absent). */
export function boundedSignal(signal: AbortSignal | undefined, timeoutMs: number | undefined): AbortSignal | undefined {
  return anySignal(signal, timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs));
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
