/**
 * A JSON-lines request/reply channel over a unix socket, the transport under the QMP and guest-agent
 * clients. Replies are matched to requests by `id` (both QMP and qemu-ga echo it), so a reply that
 * arrives after its request timed out is recognised and dropped instead of answering the next request.
 */
import { boundedSignal } from '../util/signals.js';
import net from 'node:net';
import { AbortedError, BackendError } from '../util/errors.js';
import { JsonLineDecoder, isJsonObject, type WireItem } from './kvm-json-stream.js';

/** Per-call limits: every command takes both. */
export interface CallOptions {
  /** aborts the call (the reply, if it comes later, is dropped) */
  signal?: AbortSignal;
  /** upper bound on the wait for the reply, milliseconds */
  timeoutMs?: number;
}

/** Builds the error thrown for an `{"error": {...}}` reply. */
export type ErrorFactory = (command: string, error: { class: string; desc: string }) => Error;

interface Pending {
  command: string;
  resolve: (reply: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/** Options of {@link JsonSocket}. */
export interface JsonSocketOptions {
  /** who we talk to, for messages: 'QMP', 'Guest agent' */
  label: string;
  /** default reply timeout, milliseconds */
  defaultTimeoutMs: number;
  makeError: ErrorFactory;
  /** every decoded item without a matching pending request (events, greetings, stray replies) */
  onUnmatched?: (item: WireItem) => void;
  /** every raw chunk read or written, for transcripts */
  onWire?: (direction: 'rx' | 'tx', bytes: Buffer) => void;
}

/** Connects to a unix socket, failing with a typed error. */
export async function connectUnix(path: string, label: string, options: CallOptions = {}): Promise<net.Socket> {
  const signal = boundedSignal(options.signal, options.timeoutMs);
  return await new Promise<net.Socket>((resolve, reject) => {
    const socket = net.createConnection({ path });
    const onAbort = (): void => {
      socket.destroy();
      reject(abortError(`${label} connection`, path, options, signal));
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(socket);
    });
    socket.once('error', (cause) => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(
        new BackendError(`${label} connection failed: ${path}: ${(cause as Error).message}`, { cause, backend: 'kvm' }),
      );
    });
  });
}

/** Request/reply over one connected socket. */
export class JsonSocket {
  readonly #socket: net.Socket;
  readonly #options: JsonSocketOptions;
  readonly #decoder = new JsonLineDecoder();
  readonly #pending = new Map<string, Pending>();
  #nextId = 1;
  #closedError: Error | undefined;
  /** resolves when the connection is gone, for whatever reason */
  readonly closed: Promise<void>;

  constructor(socket: net.Socket, options: JsonSocketOptions) {
    this.#socket = socket;
    this.#options = options;
    socket.on('data', (chunk: Buffer) => {
      options.onWire?.('rx', chunk);
      for (const item of this.#decoder.push(chunk)) this.#dispatch(item);
    });
    this.closed = new Promise<void>((resolve) => {
      socket.once('close', () => {
        this.#closedError ??= new BackendError(`${options.label} connection closed`, { backend: 'kvm' });
        for (const [id, pending] of this.#pending) {
          this.#pending.delete(id);
          pending.reject(
            new BackendError(`${options.label} connection closed before the reply: ${pending.command}`, {
              cause: this.#closedError,
              backend: 'kvm',
            }),
          );
        }
        resolve();
      });
    });
    socket.on('error', (cause) => {
      this.#closedError = new BackendError(`${options.label} connection failed: ${cause.message}`, {
        cause,
        backend: 'kvm',
      });
    });
  }

  /** True once the socket closed or was closed. */
  get isClosed(): boolean {
    return this.#closedError !== undefined || this.#socket.destroyed;
  }

  /** Writes raw bytes (the guest agent's 0xFF reset). */
  writeRaw(bytes: Buffer): void {
    this.#options.onWire?.('tx', bytes);
    this.#socket.write(bytes);
  }

  /**
   * Sends `{execute, arguments, id}` and resolves with the reply's `return` value; an `error` reply
   * rejects through `makeError`. `prefix` goes in front of the JSON (the guest agent's 0xFF).
   */
  async call(
    command: string,
    args: Record<string, unknown> | undefined,
    options: CallOptions = {},
    prefix?: Buffer,
  ): Promise<unknown> {
    if (this.#closedError || this.#socket.destroyed) {
      throw new BackendError(`${this.#options.label} connection is closed: ${command}`, {
        cause: this.#closedError,
        backend: 'kvm',
      });
    }
    const timeoutMs = options.timeoutMs ?? this.#options.defaultTimeoutMs;
    const signal = boundedSignal(options.signal, timeoutMs);
    const id = `gb-${this.#nextId++}`;
    const message = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
    const line = Buffer.from(`${JSON.stringify(message)}\n`);
    const reply = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const onAbort = (): void => {
        this.#pending.delete(id);
        reject(abortError(`${this.#options.label} command`, command, { ...options, timeoutMs }, signal));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        command,
        resolve: (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      const bytes = prefix ? Buffer.concat([prefix, line]) : line;
      this.#options.onWire?.('tx', bytes);
      this.#socket.write(bytes);
    });
    if (isJsonObject(reply.error)) {
      const error = reply.error;
      throw this.#options.makeError(command, {
        class: typeof error.class === 'string' ? error.class : 'Unknown',
        desc: typeof error.desc === 'string' ? error.desc : JSON.stringify(error),
      });
    }
    return reply.return;
  }

  /** Closes the connection; pending calls reject. */
  close(): void {
    this.#closedError ??= new BackendError(`${this.#options.label} connection closed by the client`, {
      backend: 'kvm',
    });
    this.#socket.destroy();
  }

  #dispatch(item: WireItem): void {
    if (item.kind === 'message' && isJsonObject(item.value)) {
      const id = item.value.id;
      if (typeof id === 'string' && ('return' in item.value || 'error' in item.value)) {
        const pending = this.#pending.get(id);
        if (pending) {
          this.#pending.delete(id);
          pending.resolve(item.value);
          return;
        }
      }
    }
    this.#options.onUnmatched?.(item);
  }
}

/** The error for an aborted wait: AbortedError when the caller aborted, BackendError on timeout. */
export function abortError(
  what: string,
  subject: string,
  options: CallOptions,
  combined: AbortSignal | undefined,
): Error {
  if (options.signal?.aborted) {
    return new AbortedError(`${what} aborted: ${subject}`, { cause: options.signal.reason });
  }
  return new BackendError(`${what} timed out after ${options.timeoutMs} ms: ${subject}`, {
    cause: combined?.reason,
    backend: 'kvm',
  });
}

/** Sleeps, rejecting with AbortedError if `signal` aborts first. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw new AbortedError('Wait aborted', { cause: signal.reason });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError('Wait aborted', { cause: signal?.reason }));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
