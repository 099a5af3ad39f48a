/**
 * The Docker engine's own timestamps of a container's life (create, start, kill, die, stop,
 * destroy) from the events API, to set the runner's measurements beside the engine's and so
 * measure the harness's overhead.
 *
 * The events API stamps each event with `timeNano`, nanoseconds since the epoch: about 1.7e18,
 * beyond 2^53, so JSON.parse would round it to the nearest 256 ns. It is read from the text as
 * digits and kept as a BigInt.
 *
 * ```ts
 * const log = await ContainerEventLog.open('guestbench-vm1');
 * // ... create, start, stop the container ...
 * const start = log.first('start');           // { action: 'start', timeNano: 1763769600123456789n, ... }
 * log.close();
 * ```
 */
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import { ParseError } from '../util/errors.js';
import { dockerClient } from '../util/docker-client.js';

/** One engine event. */
export interface DockerEvent {
  /** object type: container, image, network ... */
  type: string;
  /** create, attach, start, kill, die, stop, destroy ... */
  action: string;
  /** object id (the container id) */
  id: string;
  /** e.g. name, image, signal (kill), exitCode (die) */
  attributes: Record<string, string>;
  /** engine wall clock, nanoseconds since the epoch, exact */
  timeNano: bigint;
}

/**
 * Parses newline-delimited events as the API streams them. Each line must be a JSON object with a
 * numeric `timeNano`; a blank line is skipped. A partial last line is the caller's to keep (see
 * {@link ContainerEventLog}).
 */
export function parseDockerEvents(text: string): DockerEvent[] {
  const events: DockerEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    events.push(parseDockerEventLine(line));
  }
  return events;
}

/** Parses one event line (see {@link parseDockerEvents}). */
export function parseDockerEventLine(line: string): DockerEvent {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(line) as Record<string, unknown>;
  } catch (cause) {
    throw new ParseError(`Expected a Docker event (JSON), got ${JSON.stringify(line.slice(0, 200))}`, { cause });
  }
  // the number as printed, not as JSON.parse rounded it
  const nano = /"timeNano"\s*:\s*(\d+)/.exec(line)?.[1];
  if (nano === undefined) throw new ParseError(`Docker event without a numeric timeNano: ${line.slice(0, 200)}`);
  const actor = (value.Actor ?? {}) as { ID?: unknown; Attributes?: Record<string, unknown> };
  const attributes: Record<string, string> = {};
  for (const [key, attribute] of Object.entries(actor.Attributes ?? {})) attributes[key] = String(attribute);
  return {
    type: String(value.Type ?? value.type ?? ''),
    action: String(value.Action ?? value.status ?? ''),
    id: String(actor.ID ?? value.id ?? ''),
    attributes,
    timeNano: BigInt(nano),
  };
}

/**
 * The wall clock in nanoseconds since the epoch as a BigInt, with sub-microsecond resolution
 * (performance.timeOrigin + performance.now(); Date.now() has only milliseconds).
 */
export function realtimeNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

/**
 * How far the wall clock is ahead of the monotonic clock (process.hrtime.bigint), nanoseconds:
 * an engine timestamp minus this offset is a monotonic time comparable with the runner's.
 */
export function wallMinusMonotonicNs(): bigint {
  const before = process.hrtime.bigint();
  const wall = realtimeNs();
  const after = process.hrtime.bigint();
  return wall - (before + (after - before) / 2n);
}

/** Streams one container's events (by name) from just before `open` until `close`. */
export class ContainerEventLog {
  readonly #events: DockerEvent[] = [];
  readonly #controller: AbortController;
  readonly #waiters = new Set<() => void>();
  #partial = '';
  #failure: Error | undefined;

  private constructor(controller: AbortController) {
    this.#controller = controller;
  }

  /**
   * Subscribes to the events of the container named `name` (the name given at create, without
   * the leading slash). Events from one second before the call on are included (the API's
   * `since` has second resolution), so nothing after `open` resolves can be missed.
   */
  static async open(name: string, options: { client?: Docker; signal?: AbortSignal } = {}): Promise<ContainerEventLog> {
    const controller = new AbortController();
    // the caller's signal (the campaign's) outlives the log: its listener goes when the log closes
    const onAbort = (): void => controller.abort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    controller.signal.addEventListener('abort', () => options.signal?.removeEventListener('abort', onAbort), {
      once: true,
    });
    const log = new ContainerEventLog(controller);
    const since = Math.floor(Date.now() / 1000) - 1;
    const stream = (await (options.client ?? dockerClient()).getEvents({
      since,
      filters: { type: ['container'], container: [name] },
      abortSignal: controller.signal,
    } as object)) as Readable;
    stream.on('data', (chunk: Buffer) => log.#push(chunk.toString('utf8')));
    stream.on('error', (error: Error) => {
      if (!controller.signal.aborted) log.#failure = error;
    });
    return log;
  }

  /** Events so far, oldest first. */
  get events(): readonly DockerEvent[] {
    return this.#events;
  }

  /** The first event with this action, if seen. */
  first(action: string): DockerEvent | undefined {
    return this.#events.find((event) => event.action === action);
  }

  /** Resolves with the first event with this action, or undefined after `timeoutMs` (default 2000). */
  async waitFor(action: string, timeoutMs = 2000): Promise<DockerEvent | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.first(action);
      if (found || this.#failure || Date.now() >= deadline) return found;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.max(1, deadline - Date.now()));
        function done(): void {
          clearTimeout(timer);
          resolve();
        }
        this.#waiters.add(() => done());
      });
    }
  }

  /** Ends the subscription. */
  close(): void {
    this.#controller.abort();
    for (const waiter of this.#waiters) waiter();
    this.#waiters.clear();
  }

  #push(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        this.#events.push(parseDockerEventLine(line));
      } catch (error) {
        this.#failure = error as Error;
      }
    }
    for (const waiter of this.#waiters) waiter();
    this.#waiters.clear();
  }
}
