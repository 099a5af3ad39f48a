/**
 * HEAD's commit for `guestbench --version` and packs, read from the checkout's files: spawning git
 * (and loading a process library to do it) costs more than the rest of `--version`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A file's text, or undefined when it cannot be read. */
function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * HEAD's commit read from the checkout's files (.git/HEAD, the ref file, packed-refs; a worktree's
 * `.git` file and `commondir` followed), without spawning git: `guestbench --version` must start as
 * fast as node does. Undefined when the files do not say (not a checkout, or a ref store git keeps
 * in another format), in which case the caller may still ask git.
 */
export function readHeadCommit(root: string): string | undefined {
  const dotGit = path.join(root, '.git');
  let gitDir = dotGit;
  const pointer = fs.existsSync(dotGit) && fs.statSync(dotGit).isFile() ? readText(dotGit) : undefined;
  if (pointer !== undefined) {
    const match = /^gitdir:\s*(.+)$/m.exec(pointer);
    if (!match) return undefined;
    gitDir = path.resolve(root, (match[1] as string).trim());
  }
  const head = readText(path.join(gitDir, 'HEAD'))?.trim();
  if (head === undefined) return undefined;
  if (/^[0-9a-f]{40,64}$/.test(head)) return head;
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (ref === undefined) return undefined;
  const common = readText(path.join(gitDir, 'commondir'))?.trim();
  const commonDir = common === undefined ? gitDir : path.resolve(gitDir, common);
  for (const dir of [gitDir, commonDir]) {
    const loose = readText(path.join(dir, ref))?.trim();
    if (loose !== undefined && /^[0-9a-f]{40,64}$/.test(loose)) return loose;
  }
  const packed = readText(path.join(commonDir, 'packed-refs')) ?? '';
  for (const line of packed.split('\n')) {
    const [sha, name] = line.trim().split(' ');
    if (name === ref && sha !== undefined && /^[0-9a-f]{40,64}$/.test(sha)) return sha;
  }
  return undefined;
}

/**
 * HEAD's short commit (7 hex digits, as `git rev-parse --short` prints on small repositories), or
 * undefined outside a git checkout. Reads the files first; asks git only when they do not say.
 */
export function shortHeadCommit(root: string): string | undefined {
  const read = readHeadCommit(root);
  if (read !== undefined) return read.slice(0, 7);
  if (!fs.existsSync(path.join(root, '.git'))) return undefined;
  const git = spawnSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  return git.status === 0 ? git.stdout.trim() : undefined;
}
