/**
 * How a long command (run, report, pack) is stopped: Ctrl-C (SIGINT), SIGTERM, or the reader of
 * its output going away (`guestbench report | head -2`: the next write meets a closed pipe, EPIPE,
 * which would otherwise end Node on the spot and leave guests, kernels and staged folders behind).
 * Each aborts one AbortController, so the command stops the way it does for Ctrl-C: cleaning up.
 */
import { AbortedError } from '../lib/util/errors.js';

/** What stopped the command: a signal's name, or `EPIPE` (its output pipe closed). */
export type StopCause = NodeJS.Signals | 'EPIPE';

/** A command's interruption: the signal its work watches, and `dispose()` when it is done. */
export interface Interruption {
  signal: AbortSignal;
  dispose(): void;
}

const pipeSubscribers = new Set<() => void>();
let pipesWatched = false;

// once per process: a closed stdout or stderr is an interruption, never a crash (later writes to
// the same closed pipe fail the same way and are ignored)
function watchPipes(): void {
  if (pipesWatched) return;
  pipesWatched = true;
  const onError = (error: NodeJS.ErrnoException): void => {
    if (error.code !== 'EPIPE') throw error;
    for (const subscriber of [...pipeSubscribers]) subscriber();
  };
  process.stdout.on('error', onError);
  process.stderr.on('error', onError);
}

/**
 * Aborts the returned signal on the first SIGINT, SIGTERM or EPIPE (with an AbortedError naming
 * `what` and the cause), after `onStop(cause)`; a repeated signal calls `onRepeat(cause)` when given
 * (the campaign runner exits then), and is otherwise ignored.
 */
export function interruptOnStop(
  what: string,
  options: { onStop?: (cause: StopCause) => void; onRepeat?: (cause: StopCause) => void } = {},
): Interruption {
  const controller = new AbortController();
  const stop = (cause: StopCause): void => {
    if (controller.signal.aborted) {
      options.onRepeat?.(cause);
      return;
    }
    options.onStop?.(cause);
    const by = cause === 'EPIPE' ? 'its output pipe closing' : cause;
    controller.abort(new AbortedError(`${what} interrupted by ${by}`));
  };
  const onSignal = (signal: NodeJS.Signals): void => stop(signal);
  // the reader is gone: nothing more to tell it, and a second EPIPE is no request to hurry
  const onPipe = (): void => {
    if (!controller.signal.aborted) stop('EPIPE');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  watchPipes();
  pipeSubscribers.add(onPipe);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      pipeSubscribers.delete(onPipe);
    },
  };
}
