/**
 * Running LXC's own tools (lxc-start, lxc-attach, lxc-stop, lxc-info, lxc-checkpoint) against the
 * project's lxcpath, with the CRIU guestbench checks first on their PATH, and what the host's LXC is
 * (its version, the cgroup layout it sees). The lxc backend and its capability files share it.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { PROJECT_CRIU, criuBinary } from './criu.js';

/** The project's LXC root: base rootfs per image key, and the containers (lxcpath). */
export const LXC_ROOT = process.env.GUESTBENCH_LXC_ROOT ?? '/var/lib/guestbench/lxc';
/** The containers' lxcpath (`lxc-* -P`). */
export const LXC_PATH = path.join(LXC_ROOT, 'containers');

/** The init a container runs as PID 1: writes its ready marker, then waits; exits on SIGTERM. */
export const LXC_INIT = '/usr/local/sbin/guestbench-lxc-init';
/** The ready marker file, in the container's root. */
export const LXC_READY_FILE = '/guestbench-ready';
/**
 * Runs `lxc-<tool> -P LXC_PATH ARGS` with the CRIU guestbench checks first on PATH; rejects only when aborted.
 * `outputFile`: the tool leaves a process behind that keeps the descriptors it was given
 * (lxc-checkpoint -r forks the restored container's monitor without closing them), so its output
 * goes to this file (the caller's, e.g. in the container's directory, removed with it) instead of
 * pipes, which would never reach end-of-file; the file's text comes back as stderr.
 */
export async function lxcTool(
  tool: string,
  args: readonly string[],
  options: { signal?: AbortSignal; timeoutMs?: number; outputFile?: string } = {},
) {
  const criu = criuBinary();
  const criuDir = path.isAbsolute(criu) ? path.dirname(criu) : path.dirname(PROJECT_CRIU);
  const common = {
    reject: false,
    env: { PATH: `${criuDir}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}` },
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  } as const;
  if (options.outputFile === undefined) {
    // a command's output exactly as it wrote it (as the engines' exec returns it)
    return await execa(`lxc-${tool}`, ['-P', LXC_PATH, ...args], {
      ...common,
      stdin: 'ignore',
      stripFinalNewline: false,
    });
  }
  // the file's descriptor itself, through node's spawn: execa's `{ file }` pipes through the runner
  // and its types take no descriptor above 9
  const fd = openSync(options.outputFile, 'w');
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(`lxc-${tool}`, ['-P', LXC_PATH, ...args], {
        stdio: ['ignore', fd, fd],
        env: { ...process.env, ...common.env },
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
      });
      child.once('error', reject);
      child.once('exit', (code, signal) => resolve(code ?? (signal ? -1 : 0)));
    });
    const output = readFileSync(options.outputFile, 'utf8');
    return { exitCode, stdout: '', stderr: output, shortMessage: `lxc-${tool} exited with ${exitCode}` };
  } finally {
    closeSync(fd);
  }
}

/** `lxc-start --version`, e.g. "5.0.2"; undefined when LXC is not installed. */
export async function lxcVersion(): Promise<string | undefined> {
  const run = await execa('lxc-start', ['--version'], { reject: false, stdin: 'ignore' });
  return run.exitCode === 0 ? String(run.stdout).trim() : undefined;
}

/**
 * The cgroup layout LXC sees: v1 controllers mounted (here: a hybrid host, LXC's "legacy" mode, where
 * `lxc.cgroup2.*` limits are ignored) or cgroup v2 only.
 */
export function cgroupLayout(): 'v1' | 'v2' {
  return existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : 'v1';
}
