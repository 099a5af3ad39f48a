/**
 * `guestbench hosts setup`: installs exactly this checkout's commit on a host and sets it up there.
 * The commit travels as `git archive HEAD` through the host's SSH connection (the host needs no
 * access to this machine's network, only to its own package mirror), lands in
 * ROOT/<commit>, and the project's own scripts/setup.sh runs there (`--no-kernel`: no notebook runs
 * there); the install is marked finished and ROOT/current points at it only once set-up succeeded.
 * A host already at the commit is left alone.
 *
 * ```ts
 * const result = await setupHost('lab', { root: '~/.local/share/guestbench', images: true });
 * console.log(setupLine(result)); // "lab: installed 5078f1c0abcd and set it up (312 s)"
 * ```
 */
import { execa } from 'execa';
import { firstLine, GuestbenchError, HostError } from '../util/errors.js';
import { gitState } from '../util/git.js';
import { packageRoot } from '../util/paths.js';
import { hostFailure, type HostFailure } from './host-failure.js';
import { readHostFacts, requireRoot } from './host-facts.js';
import { commitDirWord, INSTALLED_MARKER, remotePathWord } from './remote-dir.js';
import { shellQuote, SshConnection, type SshOptions } from './ssh.js';

/** What setup did on one host. */
export type SetupResult =
  | { state: 'already'; host: string; commit: string }
  | { state: 'installed'; host: string; commit: string; seconds: number; previous: string | undefined }
  | HostFailure;

/** Options of {@link setupHost}. */
export interface SetupOptions extends SshOptions {
  /** the remote root (remote-dir.ts) */
  root: string;
  /** build the guest images there (setup.sh without --no-images) */
  images: boolean;
}

/** This checkout's HEAD commit (full); outside a git checkout a GuestbenchError. */
export async function localCommit(): Promise<string> {
  const state = await gitState();
  if (!state)
    throw new GuestbenchError(`Not a git checkout: ${packageRoot()}`, {
      fix: 'run guestbench from a git clone of the project, so the commit a host gets is known',
    });
  return state.commit;
}

/** Sends `git archive <commit>` into `dir` on the host. */
async function sendArchive(ssh: SshConnection, commit: string, dirWord: string): Promise<void> {
  const archive = execa('git', ['archive', '--format=tar', commit], {
    cwd: packageRoot(),
    stdin: 'ignore',
    buffer: { stdout: false },
    reject: false,
  });
  const [sent, written] = await Promise.all([
    archive,
    ssh.run(`mkdir -p ${dirWord} && tar -x -m -C ${dirWord}`, { input: archive.stdout }),
  ]);
  if (sent.exitCode !== 0)
    throw new GuestbenchError(`git archive ${commit} failed: ${firstLine(String(sent.stderr))}`, {
      fix: 'check the checkout with `git status`',
    });
  if (written.exitCode !== 0)
    throw new HostError(`Unpacking guestbench on host \`${ssh.host}\` failed: ${firstLine(written.stderr.trim())}`, {
      host: ssh.host,
      fix: `check free space and permissions of the remote directory on ${ssh.host} (--remote-dir)`,
    });
}

/** The error and fix lines setup.sh printed last (`[setup] ERROR: ...`, `[setup]   fix: ...`). */
function setupScriptFailure(output: string): { error: string; fix: string | undefined } {
  const lines = output.split('\n').map((line) => line.trim());
  const errorAt = lines.map((line) => line.startsWith('[setup] ERROR:')).lastIndexOf(true);
  if (errorAt < 0) return { error: lines.filter(Boolean).slice(-1)[0] ?? 'no output', fix: undefined };
  const fix = lines[errorAt + 1]?.startsWith('[setup]   fix:')
    ? lines[errorAt + 1]?.replace('[setup]   fix:', '').trim()
    : undefined;
  return { error: (lines[errorAt] as string).replace('[setup] ERROR:', '').trim(), fix };
}

/** Installs and sets up this checkout's commit on `host`. Never throws: a failure is a `failed` result. */
export async function setupHost(host: string, options: SetupOptions): Promise<SetupResult> {
  let ssh: SshConnection | undefined;
  try {
    const commit = await localCommit();
    ssh = await SshConnection.open(host, options);
    const facts = await readHostFacts(ssh, { root: options.root });
    requireRoot(facts);
    if (facts.installedCommit === commit) return { state: 'already', host, commit };
    const started = process.hrtime.bigint();
    const dir = commitDirWord(options.root, commit);
    await sendArchive(ssh, commit, dir);
    const flags = ['--no-kernel', ...(options.images ? [] : ['--no-images'])].join(' ');
    const setup = await ssh.run(`cd ${dir} && bash scripts/setup.sh ${flags} 2>&1`, { timeoutMs: 3 * 3600_000 });
    if (setup.exitCode !== 0) {
      const failure = setupScriptFailure(setup.stdout);
      throw new HostError(`scripts/setup.sh failed on host \`${host}\`: ${failure.error}`, {
        host,
        fix: failure.fix ?? `run \`cd ${dir} && bash scripts/setup.sh\` on ${host} to see why`,
      });
    }
    await ssh.output(
      `printf '%s\\n' ${shellQuote(commit)} > ${dir}/${INSTALLED_MARKER} && ln -sfn ${shellQuote(commit)} ${remotePathWord(options.root)}/current`,
      'Marking the install',
      `check permissions of the remote directory on ${host}`,
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { state: 'installed', host, commit, seconds, previous: facts.installedCommit };
  } catch (error) {
    return hostFailure(host, error);
  } finally {
    await ssh?.close();
  }
}

/** One line for a setup result (pure). */
export function setupLine(result: SetupResult): string {
  switch (result.state) {
    case 'already':
      return `ok    ${result.host}: already at ${result.commit.slice(0, 12)}`;
    case 'installed':
      return `ok    ${result.host}: installed ${result.commit.slice(0, 12)}${result.previous ? ` (was ${result.previous.slice(0, 12)})` : ''} and ran its set-up (${Math.round(result.seconds)} s)`;
    case 'failed':
      return `FAIL  ${result.host}: ${result.error}${result.fix ? `\n      fix: ${result.fix}` : ''}`;
  }
}
