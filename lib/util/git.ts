/**
 * The checkout's commit, for campaign provenance.
 */
import { execa } from 'execa';
import { packageRoot } from './paths.js';

/** HEAD and whether the tree has uncommitted changes; null outside a git checkout. */
export async function gitState(): Promise<{ commit: string; dirty: boolean } | null> {
  const cwd = packageRoot();
  const head = await execa('git', ['rev-parse', 'HEAD'], { cwd, reject: false });
  if (head.exitCode !== 0) return null;
  const status = await execa('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, reject: false });
  return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== '' };
}
