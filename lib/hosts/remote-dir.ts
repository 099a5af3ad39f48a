/**
 * Where guestbench lives on a remote host: one directory per installed commit under a root
 * (default `~/.local/share/guestbench`), `current` pointing at the one in use, and in each a
 * `.guestbench-installed` file holding the full commit once its set-up has succeeded (a half-done
 * install is never taken for a finished one).
 *
 * ```
 * ~/.local/share/guestbench/
 *   current -> 5078f1c0...            the commit `hosts check` reports and campaigns run
 *   5078f1c0.../                      `git archive` of that commit, set up in place
 *     .guestbench-installed           "5078f1c0..." written last
 * ```
 */
import { shellQuote } from './ssh.js';

/** The default root on a remote host (relative to the remote user's home). */
export const DEFAULT_REMOTE_ROOT = '~/.local/share/guestbench';

/** The file whose presence (holding the commit) marks a finished install. */
export const INSTALLED_MARKER = '.guestbench-installed';

/** The remote root: the option, else GUESTBENCH_REMOTE_DIR, else {@link DEFAULT_REMOTE_ROOT}. */
export function remoteRoot(option?: string): string {
  return option ?? process.env.GUESTBENCH_REMOTE_DIR ?? DEFAULT_REMOTE_ROOT;
}

/**
 * A remote path as a shell word: a leading `~/` becomes `"$HOME"/` (expanded there, not here),
 * the rest is quoted (pure).
 */
export function remotePathWord(remotePath: string): string {
  if (remotePath === '~') return '"$HOME"';
  if (remotePath.startsWith('~/')) return `"$HOME"/${shellQuote(remotePath.slice(2))}`;
  return shellQuote(remotePath);
}

/** Shell word of the directory commit `commit` is installed in under `root`. */
export function commitDirWord(root: string, commit: string): string {
  return `${remotePathWord(root)}/${shellQuote(commit)}`;
}
