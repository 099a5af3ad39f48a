/**
 * Moving a file from one host of a pair to the other over the migration link, so that a container's
 * checkpoint crosses the link at its shaped rate as a VM's memory does (not a copy on the host's
 * disk): a receiver listens on the target's link address inside the target's namespace, a sender in
 * the source's namespace connects to it and streams the file. Both are this Node.js binary running a
 * few lines of its own (no package to install).
 *
 * ```ts
 * const channel = await openLinkTransfer(pair, '/var/tmp/x/dst/ckpt.tar'); // both ends ready
 * const moved = await channel.send('/var/tmp/x/src/ckpt.tar');
 * moved.bytes; moved.ms;
 * ```
 */
import { execa } from 'execa';
import { GuestbenchError, firstLine } from '../util/errors.js';
import { inNetns, type HostPair } from './host-pair.js';

/** The port the receiver listens on (on the target's migration address). */
export const TRANSFER_PORT = 4445;

// argv: port, output file. Prints "listening" once bound, then "received BYTES" when the sender closes.
const RECEIVER = `
const net = require('node:net'); const fs = require('node:fs');
const [port, file] = process.argv.slice(1);
const out = fs.createWriteStream(file);
let bytes = 0;
const server = net.createServer((socket) => {
  socket.on('data', (chunk) => { bytes += chunk.length; });
  socket.pipe(out);
  out.on('finish', () => { process.stdout.write('received ' + bytes + '\\n'); server.close(); });
});
server.listen(Number(port), process.argv[3], () => process.stdout.write('listening\\n'));
`;

// argv: host, port. Prints "ready", then reads one line from stdin, the file to send, and exits 0 once it is sent and
// the connection closed.
const SENDER = `
const net = require('node:net'); const fs = require('node:fs');
const [host, port] = process.argv.slice(1);
let line = '';
process.stdin.on('data', (chunk) => {
  line += chunk;
  if (!line.includes('\\n')) return;
  const file = line.split('\\n')[0];
  const socket = net.connect(Number(port), host, () => { fs.createReadStream(file).pipe(socket); });
  socket.on('close', (failed) => process.exit(failed ? 1 : 0));
  socket.on('error', (error) => { process.stderr.write(String(error) + '\\n'); process.exit(1); });
});
process.stdout.write('ready\\n');
`;

/** What a transfer moved and how long it took (file named to the sender -> receiver's last byte), milliseconds. */
export interface LinkTransfer {
  bytes: number;
  ms: number;
}

/** A receiver on the target and a sender on the source, both started and waiting: one file to move. */
export interface LinkTransferChannel {
  /** sends `from` (on the source host) to the file the channel was opened for (on the target host) */
  send(from: string): Promise<LinkTransfer>;
  /** stops both ends (after a send they have exited already) */
  close(): void;
}

type Child = ReturnType<typeof execa>;

function waitForLine(child: Child, line: string, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(line)) resolve();
    });
    void child.then((result) =>
      reject(
        new GuestbenchError(
          `the ${what} exited before it was ready: ${firstLine(String(result.stderr) || result.shortMessage)}`,
        ),
      ),
    );
  });
}

/**
 * Starts the receiver (writing to `to` on the target host) and the sender (on the source host), and resolves once
 * both are ready: the transfer's time then holds the bytes on the link, not the two processes' start.
 */
export async function openLinkTransfer(pair: HostPair, to: string, signal?: AbortSignal): Promise<LinkTransferChannel> {
  const spawn = (netns: string, script: string, args: string[], stdin: 'ignore' | 'pipe'): Child => {
    const [file, ...rest] = inNetns(netns, [process.execPath, '-e', script, ...args]);
    return execa(file as string, rest, { reject: false, cancelSignal: signal, stdin, timeout: 600_000 });
  };
  const receiver = spawn(
    pair.target.netns,
    RECEIVER,
    [String(TRANSFER_PORT), to, pair.target.migrationAddress],
    'ignore',
  );
  const sender = spawn(pair.source.netns, SENDER, [pair.target.migrationAddress, String(TRANSFER_PORT)], 'pipe');
  const close = (): void => {
    receiver.kill();
    sender.kill();
  };
  try {
    await Promise.all([
      waitForLine(receiver, 'listening', 'receiver on the target'),
      waitForLine(sender, 'ready', 'sender on the source'),
    ]);
  } catch (error) {
    close();
    throw error;
  }
  return {
    close,
    async send(from) {
      const startedNs = process.hrtime.bigint();
      sender.stdin?.end(`${from}\n`);
      const sent = await sender;
      if (sent.exitCode !== 0)
        throw new GuestbenchError(
          `sending ${from} over the link failed: ${firstLine(String(sent.stderr) || sent.shortMessage)}`,
        );
      const received = await receiver;
      const endedNs = process.hrtime.bigint();
      const bytes = Number(/received (\d+)/.exec(String(received.stdout))?.[1] ?? NaN);
      if (!Number.isFinite(bytes))
        throw new GuestbenchError(
          `the receiver on the target did not confirm the file: ${firstLine(String(received.stderr) || 'no output')}`,
        );
      return { bytes, ms: Number(endedNs - startedNs) / 1e6 };
    },
  };
}
