/**
 * The SSH transport to a user's host: the system `ssh` client, so the host is whatever the user's
 * OpenSSH knows (a `Host` alias of ~/.ssh/config, or user@address) with the user's own keys, agent,
 * ProxyJump and known_hosts. guestbench has no keys, no passwords and no daemon of its own.
 *
 * One multiplexed ControlMaster connection per host: {@link SshConnection.open} authenticates once
 * (`-M -N -f`, ControlPersist) with a ControlPath in a private temp directory, every command then
 * rides it (`-o ControlMaster=no`), and {@link SshConnection.close} ends it (`ssh -O exit`); an exit
 * hook closes any still open. BatchMode makes a host that would ask for a password fail at once;
 * a failure of ssh itself (exit 255) becomes a {@link HostError} naming the host and the fix.
 *
 * ```ts
 * const ssh = await SshConnection.open('lab');
 * try { console.log((await ssh.run('uname -r')).stdout); } finally { await ssh.close(); }
 * ```
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { execa, type ResultPromise } from 'execa';
import { HostError, UsageError } from '../util/errors.js';
import { sshFailure } from './ssh-failure.js';

/** How to reach hosts. */
export interface SshOptions {
  /**
   * an ssh client config file used instead of ~/.ssh/config (`ssh -F`); default: the
   * GUESTBENCH_SSH_CONFIG environment variable, else OpenSSH's own default
   */
  configFile?: string | undefined;
  /** seconds to wait for the TCP connection and the SSH handshake (`ConnectTimeout`); default 10 */
  connectTimeoutSeconds?: number;
}

/** What a remote command did. */
export interface RemoteResult {
  /** the remote command's exit status */
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Options of one remote command. */
export interface RunOptions {
  /** sent to the remote command's stdin */
  input?: string | Readable;
  /** stops the local ssh (and with it the remote command's session) */
  signal?: AbortSignal;
  /** milliseconds before the command is given up */
  timeoutMs?: number;
}

/** Seconds a master with no session stays up: bounds what a crashed guestbench leaves behind. */
const CONTROL_PERSIST_SECONDS = 600;
// ssh exits 255 for its own failures; any other status is the remote command's
const SSH_FAILED = 255;

/** Refuses a host name ssh would take for an option or that holds whitespace (pure). */
export function validateHostName(host: string): void {
  if (host === '' || host.startsWith('-') || /[\s'"`$;&|<>\\]/.test(host))
    throw new UsageError(`Expected a host to be an ssh alias or user@address, got \`${host}\``, {
      fix: 'name a `Host` alias of ~/.ssh/config or give user@address',
    });
}

/** `value` as one single-quoted POSIX shell word (pure). */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

const open = new Set<SshConnection>();
let exitHookRegistered = false;

function registerExitHook(): void {
  if (exitHookRegistered) return;
  exitHookRegistered = true;
  process.on('exit', () => {
    for (const connection of open) connection.closeSync();
  });
}

/** One host's multiplexed SSH connection. */
export class SshConnection {
  /** the host as the user named it */
  readonly host: string;
  /** the private directory holding the control socket */
  private readonly dir: string;
  private readonly options: Required<Pick<SshOptions, 'connectTimeoutSeconds'>> & SshOptions;

  private constructor(host: string, dir: string, options: SshOptions) {
    this.host = host;
    this.dir = dir;
    this.options = { connectTimeoutSeconds: 10, ...options };
  }

  /** Connects and authenticates once; a failure is a HostError naming the host and the fix. */
  static async open(host: string, options: SshOptions = {}): Promise<SshConnection> {
    validateHostName(host);
    const configFile = options.configFile ?? process.env.GUESTBENCH_SSH_CONFIG;
    // a short base: a unix socket path holds at most 107 bytes
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-ssh-'));
    const connection = new SshConnection(host, dir, { ...options, configFile });
    const log = path.join(dir, 'master.log');
    // stderr to a file, not a pipe: the backgrounded master would hold a pipe open for its whole life
    const master = await execa(
      'ssh',
      [...connection.baseArgs(), '-M', '-N', '-f', '-o', `ControlPersist=${CONTROL_PERSIST_SECONDS}`, '--', host],
      { stdin: 'ignore', stdout: 'ignore', stderr: { file: log }, reject: false },
    );
    if (master.exitCode !== 0 || master.failed) {
      const stderr = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : String(master.message);
      fs.rmSync(dir, { recursive: true, force: true });
      throw sshFailure(host, stderr);
    }
    open.add(connection);
    registerExitHook();
    return connection;
  }

  /** Path of the control socket. */
  get controlPath(): string {
    return path.join(this.dir, 'cm');
  }

  /** The ssh options every invocation shares. */
  private baseArgs(): string[] {
    return [
      ...(this.options.configFile ? ['-F', this.options.configFile] : []),
      '-o',
      'BatchMode=yes',
      '-o',
      `ConnectTimeout=${this.options.connectTimeoutSeconds}`,
      // a dropped link is noticed within a minute instead of at the next TCP timeout
      '-o',
      'ServerAliveInterval=15',
      '-o',
      'ServerAliveCountMax=4',
      '-o',
      `ControlPath=${this.controlPath}`,
    ];
  }

  /** argv (after `ssh`) that runs `script` with the remote `sh` over the master connection. */
  commandArgs(script: string): string[] {
    return [...this.baseArgs(), '-o', 'ControlMaster=no', '-T', '--', this.host, `sh -c ${shellQuote(script)}`];
  }

  /**
   * Starts `script` on the host and returns the local ssh subprocess (stdout and stderr piped) for
   * streaming; its exit code is the remote command's, 255 when ssh failed.
   */
  spawn(script: string, options: RunOptions = {}): ResultPromise<{ reject: false }> {
    return execa('ssh', this.commandArgs(script), {
      reject: false,
      // output kept byte for byte: a caller reading appended lines needs the last newline
      stripFinalNewline: false,
      ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
      ...(options.signal ? { cancelSignal: options.signal } : {}),
      ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
    });
  }

  /**
   * Runs `script` on the host (POSIX sh) and resolves with its exit status and output; ssh's own
   * failure (the connection, not the command) rejects with a HostError.
   */
  async run(script: string, options: RunOptions = {}): Promise<RemoteResult> {
    const result = await this.spawn(script, options);
    if (result.isCanceled || result.timedOut)
      throw new HostError(`${result.shortMessage} (on host \`${this.host}\`)`, { host: this.host, cause: result });
    const exitCode = result.exitCode ?? SSH_FAILED;
    if (exitCode === SSH_FAILED) throw sshFailure(this.host, String(result.stderr), result);
    return { exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
  }

  /** Runs `script` and returns its stdout; a non-zero exit becomes a HostError with `fix`. */
  async output(script: string, what: string, fix: string, options: RunOptions = {}): Promise<string> {
    const result = await this.run(script, options);
    if (result.exitCode !== 0) {
      const detail = (result.stderr.trim() || result.stdout.trim()).split('\n').slice(-1)[0] ?? '';
      throw new HostError(`${what} failed on host \`${this.host}\` with exit code ${result.exitCode}: ${detail}`, {
        host: this.host,
        fix,
      });
    }
    return result.stdout;
  }

  /** Whether the master connection is still up (`ssh -O check`). */
  async isOpen(): Promise<boolean> {
    const result = await execa('ssh', [...this.baseArgs(), '-O', 'check', '--', this.host], {
      reject: false,
      stdin: 'ignore',
    });
    return result.exitCode === 0;
  }

  /** Ends the master connection (`ssh -O exit`) and removes the private directory. Safe to call twice. */
  async close(): Promise<void> {
    if (!open.has(this)) return;
    await execa('ssh', [...this.baseArgs(), '-O', 'exit', '--', this.host], { reject: false, stdin: 'ignore' });
    fs.rmSync(this.dir, { recursive: true, force: true });
    open.delete(this);
  }

  /** {@link close} for an exit hook (synchronous). */
  closeSync(): void {
    if (!open.has(this)) return;
    try {
      execFileSync('ssh', [...this.baseArgs(), '-O', 'exit', '--', this.host], { stdio: 'ignore' });
    } catch {
      // the master is gone already
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
    open.delete(this);
  }
}
