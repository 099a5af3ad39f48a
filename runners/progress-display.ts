/**
 * Progress on the command line: on a terminal, a live bar on the last line (cells done of the
 * total, the cell running, time left) with log lines printed above it; in a log (not a terminal),
 * one plain line each time a cell finishes.
 */
import { formatDuration, type ProgressSink, type ProgressState } from '../lib/experiments/progress.js';
import { logLine } from './cli.js';

const BAR_WIDTH = 24;

/** "12/40 cells, 28 left, about 4 min 10 s left" */
export function progressWords(state: ProgressState): string {
  const left = state.total - state.done;
  const eta = state.etaMs === undefined ? 'time left not known yet' : `about ${formatDuration(state.etaMs)} left`;
  return `${state.done}/${state.total} cells${left > 0 ? `, ${eta}` : ''}, ${formatDuration(state.elapsedMs)} so far`;
}

/** The terminal's bar: `[#########.........] 12/40 cells, about 4 min left | kvm (tcg) N=2 repeat 3/10`. */
export function progressBar(state: ProgressState, columns: number): string {
  const filled = state.total === 0 ? BAR_WIDTH : Math.round((state.done / state.total) * BAR_WIDTH);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${progressWords(state)}${state.running ? ` | ${state.running}` : ''}`;
  return line.length > columns - 1 ? `${line.slice(0, Math.max(0, columns - 2))}…` : line;
}

/** A progress sink and a log that share stderr. */
export function progressDisplay(stream: NodeJS.WriteStream = process.stderr): {
  progress: ProgressSink;
  log: (line: string) => void;
  end(): void;
} {
  if (!stream.isTTY) {
    let reported = -1;
    return {
      progress: (state) => {
        // one line per finished cell, not one per cell started
        if (state.done === reported) return;
        reported = state.done;
        logLine(`progress: ${progressWords(state)}`);
      },
      log: logLine,
      end: () => {},
    };
  }
  let bar = '';
  const clear = (): void => {
    if (bar) stream.write('\r\x1b[2K');
  };
  const draw = (): void => {
    if (bar) stream.write(bar);
  };
  return {
    progress: (state) => {
      clear();
      bar = progressBar(state, stream.columns ?? 100);
      draw();
    },
    log: (line) => {
      clear();
      logLine(line);
      draw();
    },
    end: () => {
      clear();
      bar = '';
    },
  };
}
