/**
 * How far a campaign has got and how long the rest will take: cells done of the total, the cell
 * running, and time left estimated from the cells measured so far. A thesis-profile campaign runs
 * for hours; VM cells take many times as long as container cells, so the estimate is per backend
 * (time spent on a backend, set-up included, over its cells measured), with the campaign's own pace
 * for a backend not measured yet.
 */
import type { BackendName } from '../model/backends.js';

/** One progress report. */
export interface ProgressState {
  /** cells finished (measured, errored or recorded as unsupported) */
  done: number;
  total: number;
  /** the cell being measured, in words ("kvm (tcg) N=2 repeat 3/10"); undefined between cells */
  running: string | undefined;
  /** time since the campaign session started, milliseconds */
  elapsedMs: number;
  /** estimated time left, milliseconds; undefined until a cell has been measured */
  etaMs: number | undefined;
}

/** Receives progress reports (the CLI draws a bar on a terminal, plain lines in a log). */
export type ProgressSink = (state: ProgressState) => void;

/** Counts cells and estimates the time left; `now` is injectable for tests. */
export class ProgressTracker {
  #done = 0;
  #running: string | undefined;
  readonly #started: number;
  /** per backend: cells still to run, cells measured, milliseconds spent on it */
  readonly #backends = new Map<BackendName, { left: number; measured: number; spentMs: number }>();
  #current: { backend: BackendName; since: number } | undefined;

  constructor(
    cells: ReadonlyArray<{ backend: BackendName }>,
    private readonly sink: ProgressSink | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.#started = now();
    for (const cell of cells) {
      const entry = this.#backends.get(cell.backend) ?? { left: 0, measured: 0, spentMs: 0 };
      entry.left += 1;
      this.#backends.set(cell.backend, entry);
    }
  }

  get total(): number {
    return [...this.#backends.values()].reduce((sum, entry) => sum + entry.left, 0) + this.#done;
  }

  /** Work on `backend` begins (set-up counts towards its cells' time). */
  beginBackend(backend: BackendName): void {
    this.#closeSpan();
    this.#current = { backend, since: this.now() };
  }

  /** The cell now running. */
  running(description: string): void {
    this.#running = description;
    this.#report();
  }

  /** `count` cells of `backend` are finished; `measured`: they took time (not skipped as unsupported). */
  finished(backend: BackendName, count: number, measured: boolean): void {
    const entry = this.#backends.get(backend);
    if (!entry) return;
    const n = Math.min(count, entry.left);
    entry.left -= n;
    if (measured) entry.measured += n;
    this.#done += n;
    this.#running = undefined;
    this.#report();
  }

  /** Estimated milliseconds left, or undefined before any cell was measured. */
  etaMs(): number | undefined {
    const now = this.now();
    const spent = (backend: BackendName, entry: { spentMs: number }): number =>
      entry.spentMs + (this.#current?.backend === backend ? now - this.#current.since : 0);
    let measured = 0;
    let spentAll = 0;
    for (const [backend, entry] of this.#backends) {
      measured += entry.measured;
      spentAll += spent(backend, entry);
    }
    if (measured === 0) return undefined;
    const overall = spentAll / measured;
    let left = 0;
    for (const [backend, entry] of this.#backends) {
      const pace = entry.measured > 0 ? spent(backend, entry) / entry.measured : overall;
      left += entry.left * pace;
    }
    return left;
  }

  /** The current state. */
  state(): ProgressState {
    return {
      done: this.#done,
      total: this.total,
      running: this.#running,
      elapsedMs: this.now() - this.#started,
      etaMs: this.etaMs(),
    };
  }

  #closeSpan(): void {
    if (!this.#current) return;
    const entry = this.#backends.get(this.#current.backend);
    if (entry) entry.spentMs += this.now() - this.#current.since;
    this.#current = undefined;
  }

  #report(): void {
    this.sink?.(this.state());
  }
}

/** "4 min 10 s", "1 h 05 min", "12 s": a duration as a progress line says it. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
