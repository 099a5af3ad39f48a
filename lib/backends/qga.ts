/**
 * A qemu-guest-agent client over the host end of the agent's virtio-serial chardev (a unix socket).
 * Resynchronises with `guest-sync-delimited`, runs commands with `guest-exec` and polls
 * `guest-exec-status`, decoding the base64 output. Node's `net` only.
 *
 * ```ts
 * const qga = await QgaClient.connect('/run/vm/qga.sock');
 * await qga.sync({ timeoutMs: 2000 });
 * const run = await qga.exec(['uname', '-r'], { timeoutMs: 10_000 });
 * run.stdout; // '6.1.0-50-cloud-amd64\n'
 * ```
 */
import { boundedSignal } from '../util/signals.js';
import { randomInt } from 'node:crypto';
import { AbortedError, BackendError, ParseError } from '../util/errors.js';
import { isJsonObject } from './kvm-json-stream.js';
import { JsonSocket, connectUnix, sleep, type CallOptions } from './kvm-json-socket.js';

export type { CallOptions } from './kvm-json-socket.js';

/** A guest-agent command answered with `{"error": ...}`. */
export class QgaCommandError extends BackendError {
  /** the agent's error class, e.g. GenericError, CommandNotFound */
  readonly errorClass: string;
  readonly command: string;
  constructor(command: string, error: { class: string; desc: string }) {
    super(`Guest agent command failed: ${command}: ${error.class}: ${error.desc}`, { backend: 'kvm' });
    this.errorClass = error.class;
    this.command = command;
  }
}

/** `guest-info`, trimmed to what we use. */
export interface QgaInfo {
  /** qemu-ga version inside the guest, e.g. 7.2.22 */
  version: string;
  supportedCommands: { name: string; enabled: boolean }[];
}

/** `guest-exec-status`, decoded. */
export type QgaExecStatus =
  | { exited: false }
  | {
      exited: true;
      /** exit status, null when the process died of a signal */
      exitCode: number | null;
      /** the signal that killed it, null on a normal exit */
      signal: number | null;
      stdout: Buffer;
      stderr: Buffer;
      /** the agent keeps at most 16 MiB of each stream (qemu-ga 7.2) and says so here */
      stdoutTruncated: boolean;
      stderrTruncated: boolean;
    };

/** Decodes a `guest-exec-status` return value (base64 out-data/err-data). */
export function decodeExecStatus(value: unknown): QgaExecStatus {
  if (!isJsonObject(value) || typeof value.exited !== 'boolean') {
    throw new ParseError(`Expected a guest-exec-status reply with a boolean "exited", got ${JSON.stringify(value)}`);
  }
  if (!value.exited) return { exited: false };
  const decode = (field: string): Buffer => {
    const data = value[field];
    if (data === undefined) return Buffer.alloc(0);
    if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) {
      throw new ParseError(`Expected base64 in guest-exec-status "${field}", got ${JSON.stringify(data)}`);
    }
    return Buffer.from(data, 'base64');
  };
  return {
    exited: true,
    exitCode: typeof value.exitcode === 'number' ? value.exitcode : null,
    signal: typeof value.signal === 'number' ? value.signal : null,
    stdout: decode('out-data'),
    stderr: decode('err-data'),
    stdoutTruncated: value['out-truncated'] === true,
    stderrTruncated: value['err-truncated'] === true,
  };
}

/** Decodes a `guest-info` return value. */
export function decodeInfo(value: unknown): QgaInfo {
  if (!isJsonObject(value) || typeof value.version !== 'string' || !Array.isArray(value['supported_commands'])) {
    throw new ParseError(
      `Expected a guest-info reply with "version" and "supported_commands", got ${JSON.stringify(value)}`,
    );
  }
  return {
    version: value.version,
    supportedCommands: value['supported_commands'].filter(isJsonObject).map((command) => ({
      name: String(command.name),
      enabled: command.enabled === true,
    })),
  };
}

/** Options of {@link QgaClient.exec}. */
export interface QgaExecOptions extends CallOptions {
  /** environment for the command, `NAME=value` (default: the agent's own) */
  env?: readonly string[];
  /** bytes for the command's stdin */
  input?: string | Buffer;
  /** first and largest gap between two guest-exec-status polls, milliseconds (default 2 and 50) */
  pollMs?: { min: number; max: number };
}

/** One finished guest-exec. */
export interface QgaExecResult {
  /** pid of the command inside the guest */
  pid: number;
  exitCode: number | null;
  signal: number | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
}

/** Options of {@link QgaClient.connect}. */
export interface QgaConnectOptions extends CallOptions {
  /** default reply timeout for commands, milliseconds (default 10 000) */
  commandTimeoutMs?: number;
  /** every raw chunk read or written, for transcripts */
  onWire?: (direction: 'rx' | 'tx', bytes: Buffer) => void;
}

const RESET = Buffer.from([0xff]);

/** A connection to one guest's agent. */
export class QgaClient {
  readonly #channel: JsonSocket;
  readonly #path: string;

  private constructor(channel: JsonSocket, path: string) {
    this.#channel = channel;
    this.#path = path;
  }

  /**
   * Connects to the agent's socket. QEMU accepts the connection whether or not the agent runs in the
   * guest yet; call {@link sync} to find out.
   */
  static async connect(path: string, options: QgaConnectOptions = {}): Promise<QgaClient> {
    const socket = await connectUnix(path, 'Guest agent', options);
    const channel = new JsonSocket(socket, {
      label: 'Guest agent',
      defaultTimeoutMs: options.commandTimeoutMs ?? 10_000,
      makeError: (command, error) => new QgaCommandError(command, error),
      onWire: options.onWire,
    });
    return new QgaClient(channel, path);
  }

  /**
   * Resynchronises: a 0xFF byte resets the agent's JSON parser (it answers that byte with a parse
   * error, which is dropped), then `guest-sync-delimited` with a random id must come back with that id.
   */
  async sync(options: CallOptions = {}): Promise<void> {
    const id = randomInt(1, 2 ** 31 - 1);
    const value = await this.#channel.call('guest-sync-delimited', { id }, options, RESET);
    if (value !== id) {
      throw new BackendError(
        `Guest agent answered guest-sync-delimited with ${JSON.stringify(value)}, expected ${id}: ${this.#path}`,
        {
          backend: 'kvm',
        },
      );
    }
  }

  /** Runs one agent command; resolves with its `return` value. */
  async execute<T = unknown>(command: string, args?: Record<string, unknown>, options: CallOptions = {}): Promise<T> {
    return (await this.#channel.call(command, args, options)) as T;
  }

  /** `guest-ping`: resolves when the agent answers. */
  async ping(options: CallOptions = {}): Promise<void> {
    await this.execute('guest-ping', undefined, options);
  }

  /** `guest-info`: the agent's version and commands. */
  async info(options: CallOptions = {}): Promise<QgaInfo> {
    return decodeInfo(await this.execute('guest-info', undefined, options));
  }

  /**
   * Runs argv in the guest (`guest-exec` with captured output), polls until it exits, and returns its
   * output. On abort or timeout the guest process gets SIGKILL (its own children are not tracked) and
   * the call rejects.
   */
  async exec(argv: readonly string[], options: QgaExecOptions = {}): Promise<QgaExecResult> {
    const [path, ...arg] = argv;
    if (path === undefined || path === '')
      throw new BackendError('Expected a non-empty argv for guest-exec', { backend: 'kvm' });
    const signal = boundedSignal(options.signal, options.timeoutMs);
    const command = argv.join(' ');
    const args: Record<string, unknown> = { path, arg, 'capture-output': true };
    if (options.env) args.env = [...options.env];
    if (options.input !== undefined) args['input-data'] = Buffer.from(options.input).toString('base64');
    let started: { pid: number };
    try {
      started = await this.execute<{ pid: number }>('guest-exec', args, { signal });
    } catch (error) {
      if (!signal?.aborted) throw error;
      const timedOut = !options.signal?.aborted;
      throw new AbortedError(`${timedOut ? `Timed out after ${options.timeoutMs} ms` : 'Aborted'}: ${command}`, {
        cause: error,
      });
    }
    const pid = started.pid;
    const poll = options.pollMs ?? { min: 2, max: 50 };
    let wait = poll.min;
    try {
      for (;;) {
        const status = decodeExecStatus(await this.execute('guest-exec-status', { pid }, { signal }));
        if (status.exited) {
          return {
            pid,
            exitCode: status.exitCode,
            signal: status.signal,
            stdout: status.stdout.toString('utf8'),
            stderr: status.stderr.toString('utf8'),
            stdoutTruncated: status.stdoutTruncated,
            stderrTruncated: status.stderrTruncated,
          };
        }
        await sleep(wait, signal);
        wait = Math.min(poll.max, wait * 1.5);
      }
    } catch (error) {
      if (!signal?.aborted) throw error;
      await this.#kill(pid);
      // like the native and docker backends: a command's timeout is an AbortedError
      const timedOut = !options.signal?.aborted;
      throw new AbortedError(`${timedOut ? `Timed out after ${options.timeoutMs} ms` : 'Aborted'}: ${command}`, {
        cause: signal.reason,
      });
    }
  }

  /** True once the connection is gone. */
  get isClosed(): boolean {
    return this.#channel.isClosed;
  }

  /** Resolves when the connection is gone. */
  get closed(): Promise<void> {
    return this.#channel.closed;
  }

  /** Closes the connection (the agent keeps running in the guest). */
  close(): void {
    this.#channel.close();
  }

  // best effort: SIGKILL the guest process and reap both it and the helper from the agent's table
  async #kill(pid: number): Promise<void> {
    try {
      const helper = await this.execute<{ pid: number }>(
        'guest-exec',
        { path: '/bin/sh', arg: ['-c', `kill -KILL ${pid} 2>/dev/null`] },
        { timeoutMs: 5_000 },
      );
      const deadline = Date.now() + 5_000;
      for (const target of [pid, helper.pid]) {
        while (Date.now() < deadline) {
          const status = decodeExecStatus(
            await this.execute('guest-exec-status', { pid: target }, { timeoutMs: 5_000 }),
          );
          if (status.exited) break;
          await sleep(20);
        }
      }
    } catch {
      // the guest may be gone or wedged: stopping the VM frees everything anyway
    }
  }
}
