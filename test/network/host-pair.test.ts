/**
 * The two migration hosts on one machine: names and tc arguments (pure), then the real thing:
 * namespaces, the shaped link, the LAN, and that nothing is left after removal or after the owner
 * died. Needs root and iproute2 (the README's test command runs as root).
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import {
  createHostPair,
  hostPairNames,
  removeHostPair,
  shapingQdisc,
  sweepStaleHostPairs,
} from '../../lib/network/host-pair.js';
import { hostPairLeftovers } from '../helpers/leftovers.js';
import { skipUnless } from '../helpers/capabilities.js';

const isRoot = process.getuid?.() === 0;
const rootSkip = skipUnless(isRoot, 'migration host pair tests', 'they need root (network namespaces, veth, tap)');

describe('host pair names and link shaping (pure)', () => {
  it('names carry the owner pid and fit the 15-character interface limit', () => {
    const names = hostPairNames(4194304);
    expect(names).toEqual({
      source: 'gbm-4194304-src',
      target: 'gbm-4194304-dst',
      bridge: 'gbm4194304b',
      sourcePort: 'gbm4194304s',
      targetPort: 'gbm4194304d',
    });
    for (const name of [names.bridge, names.sourcePort, names.targetPort]) expect(name.length).toBeLessThanOrEqual(15);
  });

  it('shapes with a token bucket at the rate (a netem qdisc only when a delay is asked for)', () => {
    expect(shapingQdisc({ rateMbit: 1000, delayMs: 0 })).toEqual([
      'root',
      'tbf',
      'rate',
      '1000mbit',
      'burst',
      '500000',
      'latency',
      '100ms',
    ]);
    expect(shapingQdisc({ rateMbit: 10, delayMs: 0 })).toEqual([
      'root',
      'tbf',
      'rate',
      '10mbit',
      'burst',
      '65536',
      'latency',
      '100ms',
    ]);
    expect(shapingQdisc({ rateMbit: 100, delayMs: 5 })).toEqual(['root', 'netem', 'delay', '5ms', 'rate', '100mbit']);
  });

  it('names the bad link option', () => {
    expect(() => shapingQdisc({ rateMbit: 0, delayMs: 0 })).toThrow(
      'Expected the link rate to be a number of Mbit/s from 0 to 100000, got `0`',
    );
    expect(() => shapingQdisc({ rateMbit: 1000, delayMs: -1 })).toThrow('Expected the link delay');
  });
});

async function inNs(netns: string, ...argv: string[]): Promise<string> {
  const result = await execa('ip', ['netns', 'exec', netns, ...argv], { reject: false });
  return `${result.stdout}${result.stderr}`;
}

// sends `bytes` over TCP from one namespace to a listener in the other; the receiver's Mbit/s
async function linkThroughputMbit(from: string, to: string, address: string, bytes: number): Promise<number> {
  const receiver = execa('ip', [
    'netns',
    'exec',
    to,
    process.execPath,
    '-e',
    `
    const server = require('node:net').createServer((socket) => {
      let got = 0, first;
      socket.on('data', (chunk) => { first ??= process.hrtime.bigint(); got += chunk.length; });
      socket.on('end', () => { console.log(JSON.stringify({ got, ns: Number(process.hrtime.bigint() - first) })); server.close(); });
    }).listen(5001, '${address}', () => console.error('listening'));`,
  ]);
  await new Promise<void>((resolve) => receiver.stderr?.once('data', () => resolve()));
  await execa('ip', [
    'netns',
    'exec',
    from,
    process.execPath,
    '-e',
    `
    const socket = require('node:net').connect(5001, '${address}', () => socket.end(Buffer.alloc(${bytes})));`,
  ]);
  const { got, ns } = JSON.parse((await receiver).stdout) as { got: number; ns: number };
  expect(got).toBe(bytes);
  return (got * 8) / (ns / 1e9) / 1e6;
}

describe.skipIf(rootSkip)('a real host pair', () => {
  it('joins source and target by a shaped link, puts a tap on a bridge in each, and removes everything', async () => {
    const pair = await createHostPair({ link: { rateMbit: 200, delayMs: 0 } });
    try {
      expect(await hostPairLeftovers(process.pid)).toHaveLength(5);
      // the link carries traffic between the two hosts, no faster than its rate
      const rate = await linkThroughputMbit(
        pair.source.netns,
        pair.target.netns,
        pair.target.migrationAddress,
        5 * 2 ** 20,
      );
      expect(rate).toBeGreaterThan(20);
      expect(rate).toBeLessThan(200 * 1.15);
      for (const side of [pair.source, pair.target]) {
        expect(await inNs(side.netns, 'tc', 'qdisc', 'show', 'dev', 'mig')).toMatch(/qdisc tbf .* rate 200Mbit/);
        expect(await inNs(side.netns, 'ip', '-br', 'link', 'show', 'master', 'br0')).toMatch(
          /tap0[\s\S]*uplink|uplink[\s\S]*tap0/,
        );
      }
      // the observer's address is on the LAN bridge outside both hosts
      expect((await execa('ip', ['-br', 'addr', 'show', 'dev', pair.lan.bridge])).stdout).toContain(
        `${pair.lan.observerAddress}/24`,
      );
      expect(pair.lan.guestCidr).toBe(`${pair.lan.guestAddress}/24`);
    } finally {
      await removeHostPair(pair);
    }
    expect(await hostPairLeftovers(process.pid)).toEqual([]);
    await removeHostPair(pair);
  });

  it('sweeps the pair of an owner that died without removing it', async () => {
    const dead = await execa('sh', ['-c', 'echo $$']);
    const owner = Number(dead.stdout);
    const pair = await createHostPair({ link: { rateMbit: 1000, delayMs: 0 }, owner });
    expect(await hostPairLeftovers(owner)).toHaveLength(5);
    const removed = sweepStaleHostPairs();
    expect([...removed.namespaces, ...removed.links].sort()).toEqual(Object.values(hostPairNames(owner)).sort());
    expect(await hostPairLeftovers(owner)).toEqual([]);
    await removeHostPair(pair);
  });

  it('says what the host lacks when the link cannot be shaped, and leaves nothing', async () => {
    const netem = await execa('modinfo', ['sch_netem'], { reject: false });
    if (netem.exitCode === 0) {
      console.warn('SKIPPED the missing-qdisc case: this kernel has sch_netem');
      return;
    }
    await expect(createHostPair({ link: { rateMbit: 1000, delayMs: 10 } })).rejects.toThrow(
      /Could not shape the migration link: tc qdisc add dev mig root netem/,
    );
    expect(await hostPairLeftovers(process.pid)).toEqual([]);
  });
});
