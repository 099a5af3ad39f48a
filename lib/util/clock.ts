/**
 * The runner's monotonic clock (process.hrtime.bigint, nanoseconds) and turning its readings into
 * seconds and records.
 */

/** `to - from` in seconds. */
export function seconds(from: bigint, to: bigint): number {
  return Number(to - from) / 1e9;
}

/** JSON with BigInts (clock readings) as decimal strings, indented: a raw record's text. */
export function recordJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item), 2);
}

/** Resolves after `ms`, or at once when `signal` aborts (it never rejects: the caller checks the signal). */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
