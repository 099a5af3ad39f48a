/**
 * The footprint experiment's host-side check: how much the host's MemAvailable fell per idle guest. The host's
 * free memory moves by tens of MiB on its own (page cache, other processes), so a container's few MiB per guest can
 * come out negative: the value means something only where it exceeds that noise. Here the noise is the spread over
 * the repeats: the drop is resolved when its 95% interval (Student t, signed: a drop can be negative) lies above 0.
 */
import { MIN_INTERVAL_N, tQuantile975, type Stats } from './statistics.js';

/** The host's MemAvailable drop per guest, resolved from the host's noise or not. */
export type HostMemoryDrop =
  | {
      state: 'resolved';
      /** mean drop per guest over the repeats, bytes */
      mean: number;
      /** its 95% interval, bytes (above 0) */
      ciLow: number;
      ciHigh: number;
      n: number;
    }
  | {
      state: 'unresolved';
      mean: number;
      /** the interval that reaches 0 or below; null below MIN_INTERVAL_N repeats */
      ciLow: number | null;
      ciHigh: number | null;
      n: number;
      /** why it cannot be told from the host's noise, in one sentence */
      why: string;
    };

/** Whether a `host_memory_per_guest` summary row (bytes per guest, one value per repeat) exceeds its own noise. */
export function hostMemoryDrop(row: Pick<Stats, 'mean' | 'sd' | 'n'>): HostMemoryDrop {
  const { mean, n, sd } = row;
  if (sd === null || n < MIN_INTERVAL_N)
    return {
      state: 'unresolved',
      mean,
      ciLow: null,
      ciHigh: null,
      n,
      why: `${n} repeat${n === 1 ? '' : 's'}: too few for a 95% interval, so the drop cannot be told from the host's own memory noise (run with --repeats 3 or more)`,
    };
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  const ciLow = mean - half;
  const ciHigh = mean + half;
  if (ciLow > 0) return { state: 'resolved', mean, ciLow, ciHigh, n };
  const mib = (value: number) => (value / 2 ** 20).toFixed(1);
  return {
    state: 'unresolved',
    mean,
    ciLow,
    ciHigh,
    n,
    why: `its 95% interval over ${n} repeats, [${mib(ciLow)}, ${mib(ciHigh)}] MiB per guest, reaches 0: within the host's own memory noise`,
  };
}
