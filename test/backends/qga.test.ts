/**
 * Guest-agent wire decoding and the client, against a transcript captured from a real qemu-ga 7.2 in
 * a TCG guest (test/fixtures/qmp/capture.ts): the 0xFF-delimited sync replies, the base64 output of
 * guest-exec-status, and the client talking to a server that replays the recorded replies.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JsonLineDecoder, decodeJsonLines, isJsonObject, type WireItem } from '../../lib/backends/kvm-json-stream.js';
import { QgaClient, QgaCommandError, decodeExecStatus, decodeInfo } from '../../lib/backends/qga.js';
import { ParseError } from '../../lib/util/errors.js';

const fixtures = path.join(import.meta.dirname, '../fixtures/qga');
const rx = readFileSync(path.join(fixtures, 'session.rx.jsonl'));
const tx = readFileSync(path.join(fixtures, 'session.tx.jsonl'));

type Reply = { id?: string; return?: unknown; error?: { class: string; desc: string } };
type Request = { id: string; execute: string; arguments?: Record<string, unknown> };

const replies = (): Reply[] =>
  decodeJsonLines(rx).flatMap((item) => (item.kind === 'message' ? [item.value as Reply] : []));
const requests = (): Request[] =>
  decodeJsonLines(tx).flatMap((item) => (item.kind === 'message' ? [item.value as Request] : []));
const replyTo = (id: string): Reply | undefined => replies().find((reply) => reply.id === id);

describe('guest-agent transcript decoding', () => {
  it('sees the 0xFF delimiter before every guest-sync-delimited reply', () => {
    const items = decodeJsonLines(rx);
    const syncs = requests().filter((request) => request.execute === 'guest-sync-delimited');
    expect(syncs.length).toBeGreaterThan(0);
    expect(items.filter((item) => item.kind === 'delimiter')).toHaveLength(syncs.length);
    for (const sync of syncs) {
      const index = items.findIndex(
        (item) => item.kind === 'message' && isJsonObject(item.value) && item.value.id === sync.id,
      );
      expect(items[index - 1]).toEqual({ kind: 'delimiter' });
      expect((items[index] as { value: Reply }).value.return).toBe(sync.arguments?.id);
    }
    // the agent answers our own 0xFF reset with a parse error that carries no id
    expect(
      replies().filter((reply) => reply.error?.desc.includes('JSON parse error') && reply.id === undefined),
    ).toHaveLength(syncs.length);
    expect(items.some((item) => item.kind === 'garbage')).toBe(false);
  });

  it('gives the same items when the stream arrives one byte at a time', () => {
    const decoder = new JsonLineDecoder();
    const items: WireItem[] = [];
    for (const byte of rx) items.push(...decoder.push(Buffer.from([byte])));
    expect(items).toEqual(decodeJsonLines(rx));
  });

  it('decodes guest-exec-status: output, exit code, signal, still running', () => {
    const statuses = requests()
      .filter((request) => request.execute === 'guest-exec-status')
      .map((request) => decodeExecStatus(replyTo(request.id)?.return));
    expect(statuses.some((status) => !status.exited)).toBe(true);
    const finished = statuses.filter((status) => status.exited);
    expect(finished.map((s) => (s.exited ? s.stdout.toString('utf8').split('\n')[0] : ''))).toEqual(
      expect.arrayContaining(['sysbench 1.0.20', 'to-stdout']),
    );
    expect(finished).toContainEqual({
      exited: true,
      exitCode: 3,
      signal: null,
      stdout: Buffer.from('to-stdout\n'),
      stderr: Buffer.from('to-stderr\n'),
      stdoutTruncated: false,
      stderrTruncated: false,
    });
    expect(finished).toContainEqual(expect.objectContaining({ exitCode: null, signal: 9, stdout: Buffer.alloc(0) }));
    const sysbench = finished.find((s) => s.exited && s.stdout.includes('Prime numbers limit: 2000'));
    expect(sysbench && sysbench.exited && sysbench.stdout.toString('utf8')).toBe(
      readFileSync(path.join(import.meta.dirname, '../fixtures/sysbench/cpu-kvm.txt'), 'utf8'),
    );
  });

  it('decodes guest-info and rejects malformed replies', () => {
    const info = requests().find((request) => request.execute === 'guest-info');
    const decoded = decodeInfo(replyTo(info!.id)?.return);
    expect(decoded.version).toBe('7.2.22');
    expect(decoded.supportedCommands).toContainEqual({ name: 'guest-exec', enabled: true });
    expect(() => decodeInfo({ version: 1 })).toThrow(ParseError);
    expect(() => decodeExecStatus({ pid: 3 })).toThrow(ParseError);
    expect(() => decodeExecStatus({ exited: true, 'out-data': 'not base64!' })).toThrow(ParseError);
  });

  it('records the agent refusing a program it cannot spawn', () => {
    const exec = requests().find(
      (request) => request.execute === 'guest-exec' && request.arguments?.path === '/nonexistent/program',
    );
    expect(replyTo(exec!.id)?.error).toEqual({
      class: 'GenericError',
      desc: expect.stringContaining(
        'Failed to execute child process \u201C/nonexistent/program\u201D (No such file or directory)',
      ),
    });
  });
});

/**
 * Replays the recorded agent: guest-sync-delimited echoes the caller's id behind 0xFF; other commands
 * get the recorded reply to the same command (guest-exec by its path, guest-exec-status by pid, in
 * recorded order, the last one repeating), under the caller's id.
 */
function replayAgent(socketPath: string): net.Server {
  const byKey = new Map<string, Reply[]>();
  for (const request of requests()) {
    const reply = replyTo(request.id);
    if (!reply) continue;
    const key = replayKey(request);
    byKey.set(key, [...(byKey.get(key) ?? []), reply]);
  }
  const server = net.createServer((socket) => {
    const decoder = new JsonLineDecoder();
    const cursor = new Map<string, number>();
    socket.on('data', (chunk) => {
      for (const item of decoder.push(chunk)) {
        if (item.kind !== 'message') continue;
        const request = item.value as Request;
        if (request.execute === 'guest-sync-delimited') {
          socket.write(
            Buffer.concat([
              Buffer.from([0xff]),
              Buffer.from(`${JSON.stringify({ return: request.arguments?.id, id: request.id })}\n`),
            ]),
          );
          continue;
        }
        const key = replayKey(request);
        const recorded = byKey.get(key);
        if (!recorded) continue;
        const index = cursor.get(key) ?? 0;
        cursor.set(key, index + 1);
        const reply = recorded[Math.min(index, recorded.length - 1)]!;
        socket.write(`${JSON.stringify({ ...reply, id: request.id })}\n`);
      }
    });
    socket.on('error', () => {});
  });
  server.listen(socketPath);
  return server;
}

function replayKey(request: Request): string {
  if (request.execute === 'guest-exec')
    return `exec:${String(request.arguments?.path)}:${JSON.stringify(request.arguments?.arg)}`;
  if (request.execute === 'guest-exec-status') return `status:${String(request.arguments?.pid)}`;
  return request.execute;
}

describe('QgaClient against the replayed agent', () => {
  const dirs: string[] = [];
  const servers: net.Server[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const connect = async (): Promise<QgaClient> => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gb-qga-test-'));
    dirs.push(dir);
    const socketPath = path.join(dir, 'qga.sock');
    servers.push(replayAgent(socketPath));
    return await QgaClient.connect(socketPath, { timeoutMs: 2000 });
  };

  it('syncs, pings, reads guest-info and runs commands to completion', async () => {
    const qga = await connect();
    try {
      await qga.sync({ timeoutMs: 1000 });
      await qga.ping({ timeoutMs: 1000 });
      expect((await qga.info()).version).toBe('7.2.22');
      expect(await qga.exec(['sysbench', '--version'], { timeoutMs: 5000, pollMs: { min: 1, max: 1 } })).toMatchObject({
        exitCode: 0,
        signal: null,
        stdout: 'sysbench 1.0.20\n',
        stderr: '',
      });
      expect(
        await qga.exec(['sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 3'], { pollMs: { min: 1, max: 1 } }),
      ).toMatchObject({
        exitCode: 3,
        stdout: 'to-stdout\n',
        stderr: 'to-stderr\n',
      });
      expect(await qga.exec(['sh', '-c', 'kill -KILL $$'], { pollMs: { min: 1, max: 1 } })).toMatchObject({
        exitCode: null,
        signal: 9,
      });
      const failure = await qga.exec(['/nonexistent/program']).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(QgaCommandError);
      expect(failure).toMatchObject({ command: 'guest-exec', errorClass: 'GenericError' });
    } finally {
      qga.close();
    }
  });

  it('rejects a sync answered with the wrong id', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gb-qga-test-'));
    dirs.push(dir);
    const socketPath = path.join(dir, 'qga.sock');
    const server = net.createServer((socket) => {
      socket.on('data', (chunk) => {
        const line = chunk
          .toString('utf8')
          .replace(/^\xff/, '')
          .replace(/[^\x20-\x7e]/g, '');
        const request = JSON.parse(line.slice(line.indexOf('{'))) as Request;
        socket.write(Buffer.concat([Buffer.from([0xff]), Buffer.from(`{"return": 42, "id": "${request.id}"}\n`)]));
      });
    });
    servers.push(server);
    server.listen(socketPath);
    const qga = await QgaClient.connect(socketPath);
    try {
      await expect(qga.sync({ timeoutMs: 1000 })).rejects.toThrow(/answered guest-sync-delimited with 42/);
    } finally {
      qga.close();
    }
  });
});
