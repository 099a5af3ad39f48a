/**
 * A small QMP (QEMU Machine Protocol) client over a unix socket: greeting, capabilities negotiation,
 * commands with ids, asynchronous events. Node's `net` only.
 *
 * ```ts
 * const qmp = await QmpClient.connect('/run/vm/qmp.sock', { timeoutMs: 5000 });
 * const status = await qmp.execute<{ status: string }>('query-status');
 * await qmp.quit();
 * ```
 */
import { boundedSignal } from '../util/signals.js';
import { BackendError, ParseError } from '../util/errors.js';
import { isJsonObject, type WireItem } from './kvm-json-stream.js';
import { JsonSocket, abortError, connectUnix, type CallOptions } from './kvm-json-socket.js';

export type { CallOptions } from './kvm-json-socket.js';

/** What QEMU says first on a QMP connection. */
export interface QmpGreeting {
  version: { qemu: { major: number; minor: number; micro: number }; package: string };
  capabilities: string[];
}

/** An asynchronous QMP event (SHUTDOWN, STOP, RESUME, MIGRATION...). */
export interface QmpEvent {
  event: string;
  data: Record<string, unknown>;
  /** host wall clock when QEMU emitted it */
  timestamp: { seconds: number; microseconds: number };
}

/** One message from the server, classified. */
export type QmpMessage =
  | { type: 'greeting'; greeting: QmpGreeting }
  | { type: 'return'; id: unknown; value: unknown }
  | { type: 'error'; id: unknown; errorClass: string; desc: string }
  | { type: 'event'; event: QmpEvent };

/** A QMP command answered with `{"error": ...}`. */
export class QmpCommandError extends BackendError {
  /** QMP's error class, e.g. GenericError, CommandNotFound, DeviceNotFound */
  readonly errorClass: string;
  readonly command: string;
  constructor(command: string, error: { class: string; desc: string }) {
    super(`QMP command failed: ${command}: ${error.class}: ${error.desc}`, { backend: 'kvm' });
    this.errorClass = error.class;
    this.command = command;
  }
}

/** Classifies one decoded QMP message; throws ParseError for anything else. */
export function parseQmpMessage(value: unknown): QmpMessage {
  if (!isJsonObject(value)) throw new ParseError(`Expected a QMP message object, got ${JSON.stringify(value)}`);
  if (isJsonObject(value.QMP)) {
    const qmp = value.QMP;
    const version = qmp.version;
    if (!isJsonObject(version) || !isJsonObject(version.qemu) || !Array.isArray(qmp.capabilities)) {
      throw new ParseError(`Malformed QMP greeting: ${JSON.stringify(value)}`);
    }
    const qemu = version.qemu;
    return {
      type: 'greeting',
      greeting: {
        version: {
          qemu: { major: Number(qemu.major), minor: Number(qemu.minor), micro: Number(qemu.micro) },
          package: typeof version.package === 'string' ? version.package : '',
        },
        capabilities: qmp.capabilities.map(String),
      },
    };
  }
  if ('return' in value) return { type: 'return', id: value.id, value: value.return };
  if (isJsonObject(value.error)) {
    return {
      type: 'error',
      id: value.id,
      errorClass: String(value.error.class),
      desc: String(value.error.desc),
    };
  }
  if (typeof value.event === 'string') {
    const timestamp = isJsonObject(value.timestamp) ? value.timestamp : {};
    return {
      type: 'event',
      event: {
        event: value.event,
        data: isJsonObject(value.data) ? value.data : {},
        timestamp: { seconds: Number(timestamp.seconds ?? 0), microseconds: Number(timestamp.microseconds ?? 0) },
      },
    };
  }
  throw new ParseError(`Unrecognised QMP message: ${JSON.stringify(value)}`);
}

/** Options of {@link QmpClient.connect}. */
export interface QmpConnectOptions extends CallOptions {
  /** default reply timeout for commands, milliseconds (default 10 000) */
  commandTimeoutMs?: number;
  /** every raw chunk read or written, for transcripts */
  onWire?: (direction: 'rx' | 'tx', bytes: Buffer) => void;
}

type EventListener = (event: QmpEvent) => void;

/** A connected, capabilities-negotiated QMP session. */
export class QmpClient {
  readonly greeting: QmpGreeting;
  readonly #channel: JsonSocket;
  readonly #listeners = new Set<EventListener>();
  /** events received so far, oldest first (bounded) */
  readonly #events: QmpEvent[] = [];

  private constructor(channel: JsonSocket, greeting: QmpGreeting) {
    this.#channel = channel;
    this.greeting = greeting;
  }

  /** Connects, reads the greeting and leaves capabilities-negotiation mode. */
  static async connect(path: string, options: QmpConnectOptions = {}): Promise<QmpClient> {
    const timeoutMs = options.timeoutMs ?? 10_000;
    const signal = boundedSignal(options.signal, timeoutMs);
    const socket = await connectUnix(path, 'QMP', { signal, timeoutMs });
    let onGreeting: ((greeting: QmpGreeting) => void) | undefined;
    let onBad: ((error: Error) => void) | undefined;
    let client: QmpClient | undefined;
    const channel = new JsonSocket(socket, {
      label: 'QMP',
      defaultTimeoutMs: options.commandTimeoutMs ?? 10_000,
      makeError: (command, error) => new QmpCommandError(command, error),
      onWire: options.onWire,
      onUnmatched: (item: WireItem) => {
        if (item.kind !== 'message') return;
        let message: QmpMessage;
        try {
          message = parseQmpMessage(item.value);
        } catch (error) {
          onBad?.(error as Error);
          return;
        }
        if (message.type === 'greeting') onGreeting?.(message.greeting);
        else if (message.type === 'event' && client) client.#emit(message.event);
      },
    });
    try {
      // QMP greets first and accepts commands only after qmp_capabilities
      const greeting = await new Promise<QmpGreeting>((resolve, reject) => {
        const onAbort = (): void => reject(abortError('QMP greeting', path, { ...options, timeoutMs }, signal));
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        onGreeting = (value) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        };
        onBad = (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        };
        void channel.closed.then(() =>
          reject(new BackendError(`QMP connection closed before the greeting: ${path}`, { backend: 'kvm' })),
        );
      });
      onGreeting = undefined;
      onBad = undefined;
      client = new QmpClient(channel, greeting);
      await channel.call('qmp_capabilities', undefined, { signal: options.signal, timeoutMs });
      return client;
    } catch (error) {
      channel.close();
      throw error;
    }
  }

  /** Runs one command; resolves with its `return` value, rejects with QmpCommandError on an error reply. */
  async execute<T = unknown>(command: string, args?: Record<string, unknown>, options: CallOptions = {}): Promise<T> {
    return (await this.#channel.call(command, args, options)) as T;
  }

  /**
   * Asks QEMU to exit (`quit`). QEMU may close the socket before or right after its reply: both count
   * as success.
   */
  async quit(options: CallOptions = {}): Promise<void> {
    try {
      await this.execute('quit', undefined, options);
    } catch (error) {
      if (!this.#channel.isClosed) throw error;
    }
  }

  /** Calls `listener` for every event from now on; returns the unsubscribe function. */
  onEvent(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Events received so far (the last 1000), oldest first. */
  get events(): readonly QmpEvent[] {
    return this.#events;
  }

  /** Resolves with the next event named `name` (matching `match` if given). */
  async waitForEvent(
    name: string,
    options: CallOptions & { match?: (event: QmpEvent) => boolean } = {},
  ): Promise<QmpEvent> {
    const signal = boundedSignal(options.signal, options.timeoutMs);
    return await new Promise<QmpEvent>((resolve, reject) => {
      const cleanup = (): void => {
        unsubscribe();
        signal?.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        cleanup();
        reject(abortError('QMP event wait', name, options, signal));
      };
      const unsubscribe = this.onEvent((event) => {
        if (event.event === name && (options.match?.(event) ?? true)) {
          cleanup();
          resolve(event);
        }
      });
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      void this.#channel.closed.then(() => {
        cleanup();
        reject(new BackendError(`QMP connection closed while waiting for event ${name}`, { backend: 'kvm' }));
      });
    });
  }

  /** Resolves when the connection is gone. */
  get closed(): Promise<void> {
    return this.#channel.closed;
  }

  /** Closes the connection (QEMU keeps running). */
  close(): void {
    this.#channel.close();
  }

  #emit(event: QmpEvent): void {
    this.#events.push(event);
    if (this.#events.length > 1000) this.#events.shift();
    for (const listener of this.#listeners) listener(event);
  }
}
