import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { readHeadCommit, shortHeadCommit } from '../../lib/util/git-head.js';
import { packageRoot } from '../../lib/util/paths.js';

const A = 'a'.repeat(40);
const B = '0123456789abcdef0123456789abcdef01234567';
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A directory with the given files (path -> text). */
function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-git-head-'));
  made.push(root);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe('HEAD read from the checkout files', () => {
  it('follows HEAD to a loose ref', () => {
    const root = tree({ '.git/HEAD': 'ref: refs/heads/main\n', '.git/refs/heads/main': `${A}\n` });
    expect(readHeadCommit(root)).toBe(A);
    expect(shortHeadCommit(root)).toBe('aaaaaaa');
  });

  it('reads a detached HEAD as it is', () => {
    expect(readHeadCommit(tree({ '.git/HEAD': `${B}\n` }))).toBe(B);
  });

  it('finds a packed ref when the loose one is absent', () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/topic\n',
      '.git/packed-refs': `# pack-refs with: peeled fully-peeled sorted\n${A} refs/heads/main\n${B} refs/heads/topic\n^${A}\n`,
    });
    expect(readHeadCommit(root)).toBe(B);
  });

  it("follows a worktree's .git file and its commondir to the shared refs", () => {
    const root = tree({
      'main/.git/refs/heads/feature': `${B}\n`,
      'main/.git/worktrees/wt/HEAD': 'ref: refs/heads/feature\n',
      'main/.git/worktrees/wt/commondir': '../..\n',
      'wt/.git': 'gitdir: ../main/.git/worktrees/wt\n',
    });
    expect(readHeadCommit(path.join(root, 'wt'))).toBe(B);
  });

  it('says nothing outside a checkout, or for a ref it cannot find', () => {
    expect(readHeadCommit(tree({ 'package.json': '{}' }))).toBeUndefined();
    expect(shortHeadCommit(tree({ 'package.json': '{}' }))).toBeUndefined();
    expect(readHeadCommit(tree({ '.git/HEAD': 'ref: refs/heads/gone\n' }))).toBeUndefined();
  });

  it("agrees with git on this repository's own checkout, where there is one", async (context) => {
    const git = await execa('git', ['-C', packageRoot(), 'rev-parse', 'HEAD'], { reject: false });
    if (git.exitCode !== 0) {
      context.skip(`not a git checkout, or no git: ${git.stderr.trim().split('\n')[0] ?? ''}`);
      return;
    }
    expect(readHeadCommit(packageRoot())).toBe(git.stdout.trim());
  });
});
