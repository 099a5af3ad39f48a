/**
 * QMP wire decoding and the client, against a transcript captured from a real QEMU 7.2
 * (test/fixtures/qmp/capture.ts): the decoder and parser on the exact bytes, and the client talking
 * to a unix-socket server that replays those bytes in answer to the same requests.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonLineDecoder, decodeJsonLines, type WireItem } from '../../lib/backends/kvm-json-stream.js';
import { QmpClient, QmpCommandError, parseQmpMessage } from '../../lib/backends/qmp.js';
import { AbortedError, BackendError, ParseError } from '../../lib/util/errors.js';

const fixtures = path.join(import.meta.dirname, '../fixtures/qmp');
const rx = readFileSync(path.join(fixtures, 'session.rx.jsonl'));
const tx = readFileSync(path.join(fixtures, 'session.tx.jsonl'));

const messages = (items: WireItem[]): unknown[] =>
  items.flatMap((item) => (item.kind === 'message' ? [item.value] : []));

describe('QMP transcript decoding', () => {
  it('decodes every line QEMU sent, CRLF-terminated, into a greeting, replies and events', () => {
    expect(rx.includes('\r\n')).toBe(true);
    const items = decodeJsonLines(rx);
    expect(items.every((item) => item.kind === 'message')).toBe(true);
    const parsed = messages(items).map(parseQmpMessage);
    expect(parsed[0]).toEqual({
      type: 'greeting',
      greeting: {
        version: { qemu: { major: 7, minor: 2, micro: 22 }, package: expect.stringContaining('Debian') },
        capabilities: ['oob'],
      },
    });
    expect(parsed.filter((m) => m.type === 'return').map((m) => (m as { id: unknown }).id)).toEqual([
      'gb-1',
      'gb-2',
      'gb-3',
      'gb-5',
      'gb-6',
      'gb-7',
    ]);
    expect(parsed.find((m) => m.type === 'error')).toEqual({
      type: 'error',
      id: 'gb-4',
      errorClass: 'CommandNotFound',
      desc: 'The command no-such-command has not been found',
    });
    const events = parsed.flatMap((m) => (m.type === 'event' ? [m.event] : []));
    expect(events.map((e) => e.event)).toEqual(['STOP', 'RESUME', 'SHUTDOWN']);
    expect(events[2]?.data).toEqual({ guest: false, reason: 'host-qmp-quit' });
    expect(events[0]?.timestamp.seconds).toBeGreaterThan(1_600_000_000);
  });

  it('yields the same items whatever the chunking (one byte at a time)', () => {
    const decoder = new JsonLineDecoder();
    const items: WireItem[] = [];
    for (const byte of rx) items.push(...decoder.push(Buffer.from([byte])));
    expect(items).toEqual(decodeJsonLines(rx));
    expect(decoder.pendingBytes).toBe(0);
  });

  it('keeps a multi-byte UTF-8 character split across chunks', () => {
    const line = Buffer.from('{"return": "\u201Cquoted\u201D", "id": "x"}\n');
    const decoder = new JsonLineDecoder();
    const split = line.indexOf(0xe2) + 1;
    expect([...decoder.push(line.subarray(0, split)), ...decoder.push(line.subarray(split))]).toEqual([
      { kind: 'message', value: { return: '\u201Cquoted\u201D', id: 'x' }, raw: line.toString('utf8').trimEnd() },
    ]);
  });

  it('reports non-JSON lines as garbage and rejects unknown message shapes', () => {
    expect(decodeJsonLines(Buffer.from('not json\r\n'))).toEqual([{ kind: 'garbage', raw: 'not json' }]);
    expect(() => parseQmpMessage({ hello: 1 })).toThrow(ParseError);
    expect(() => parseQmpMessage([1])).toThrow(ParseError);
  });
});

/**
 * A server that answers each request with the recorded lines up to and including the recorded reply
 * for the same id, provided the command matches the recorded one; other requests get no answer.
 */
function replayServer(socketPath: string): net.Server {
  const lines = rx.toString('utf8').split('\r\n').filter(Boolean);
  const sent = new Map(
    tx
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { id: string; execute: string })
      .map((request) => [request.id, request.execute]),
  );
  const server = net.createServer((socket) => {
    let cursor = 1;
    socket.write(`${lines[0]}\r\n`);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (let newline = buffer.indexOf('\n'); newline !== -1; newline = buffer.indexOf('\n')) {
        const request = JSON.parse(buffer.slice(0, newline)) as { id: string; execute: string };
        buffer = buffer.slice(newline + 1);
        if (sent.get(request.id) !== request.execute) continue;
        const end = lines.findIndex((line) => (JSON.parse(line) as { id?: string }).id === request.id);
        if (end < cursor) continue;
        socket.write(
          lines
            .slice(cursor, end + 1)
            .map((line) => `${line}\r\n`)
            .join(''),
        );
        cursor = end + 1;
        if (request.execute === 'quit') socket.end();
      }
    });
    socket.on('error', () => {});
  });
  server.listen(socketPath);
  return server;
}

describe('QmpClient against the replayed transcript', () => {
  const dirs: string[] = [];
  const servers: net.Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const serve = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gb-qmp-test-'));
    dirs.push(dir);
    const socketPath = path.join(dir, 'qmp.sock');
    servers.push(replayServer(socketPath));
    return socketPath;
  };

  it('negotiates, runs commands, surfaces errors and events, and quits', async () => {
    const qmp = await QmpClient.connect(serve(), { timeoutMs: 2000 });
    expect(qmp.greeting.version.qemu).toEqual({ major: 7, minor: 2, micro: 22 });
    expect(await qmp.execute('query-status')).toEqual({ status: 'running', singlestep: false, running: true });
    expect(await qmp.execute<{ qemu: { major: number } }>('query-version')).toMatchObject({ qemu: { major: 7 } });
    const failure = await qmp.execute('no-such-command').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QmpCommandError);
    expect(failure).toMatchObject({ errorClass: 'CommandNotFound', command: 'no-such-command', backend: 'kvm' });
    const stopped = qmp.waitForEvent('STOP', { timeoutMs: 2000 });
    await qmp.execute('stop');
    expect((await stopped).event).toBe('STOP');
    await qmp.execute('cont');
    await qmp.quit({ timeoutMs: 2000 });
    expect(qmp.events.map((event) => event.event)).toEqual(['STOP', 'RESUME', 'SHUTDOWN']);
    await qmp.closed;
    await expect(qmp.execute('query-status')).rejects.toThrow(/connection is closed/);
  });

  it('times out a command that gets no reply, and aborts on the signal', async () => {
    const qmp = await QmpClient.connect(serve(), { timeoutMs: 2000 });
    try {
      await expect(qmp.execute('query-unanswered', undefined, { timeoutMs: 100 })).rejects.toThrow(BackendError);
      await expect(qmp.execute('query-unanswered', undefined, { timeoutMs: 100 })).rejects.toThrow(
        /timed out after 100 ms: query-unanswered/,
      );
      const controller = new AbortController();
      const pending = qmp.execute('query-unanswered', undefined, { signal: controller.signal });
      controller.abort();
      await expect(pending).rejects.toThrow(AbortedError);
    } finally {
      qmp.close();
    }
  });

  it('fails with a typed error when nothing listens on the socket', async () => {
    await expect(
      QmpClient.connect(path.join(os.tmpdir(), `gb-no-such-${process.pid}.sock`), { timeoutMs: 500 }),
    ).rejects.toThrow(/QMP connection failed: .*ENOENT/);
  });
});
