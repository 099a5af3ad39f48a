/**
 * The observer: its figures recomputed from a real migration's probe log (a committed campaign's raw
 * record) equal the rows that campaign stored; edge cases on small logs; and the prober itself
 * against a real UDP echo service on the loopback.
 */
import { createSocket } from 'node:dgram';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { observerFigures, startObserver, type ProbeLog } from '../../lib/network/observer.js';
import { readSamples } from '../../lib/results/store.js';

const CAMPAIGN = path.resolve(import.meta.dirname, '../fixtures/campaigns/2026-11-22T03-04-42Z-ea66');

interface RawRecord {
  probes: { address: string; port: number; intervalMs: number; strays: number; probes: Array<[number, number | null]> };
  qemu: { resumedMs: number };
}

// the raw record keeps times relative to the migrate command, in ms (µs precision)
function logFromRecord(record: RawRecord): { log: ProbeLog; issuedNs: bigint; switchedNs: bigint } {
  const ns = (ms: number): bigint => BigInt(Math.round(ms * 1e6)) + 10n ** 12n;
  const { probes, ...rest } = record.probes;
  return {
    log: {
      ...rest,
      probes: probes.map(([sent, answered], seq) => ({
        seq,
        sentNs: ns(sent),
        ...(answered === null ? {} : { answeredNs: ns(answered) }),
      })),
    },
    issuedNs: ns(0),
    switchedNs: ns(record.qemu.resumedMs),
  };
}

describe('observerFigures on real migrations', () => {
  const { samples } = readSamples(CAMPAIGN);
  const rawFiles = [
    ...new Set(
      samples.filter((sample) => sample.backend === 'kvm' && sample.raw).map((sample) => sample.raw as string),
    ),
  ];

  it.each(rawFiles)('%s: the stored observer rows follow from the probe log', (raw) => {
    const record = JSON.parse(fs.readFileSync(path.join(CAMPAIGN, raw), 'utf8')) as RawRecord;
    const { log, issuedNs, switchedNs } = logFromRecord(record);
    const figures = observerFigures(log, { issuedNs, switchedNs });
    const stored = (metric: string) =>
      samples.find((sample) => sample.raw === raw && sample.metric === metric && sample.measured_by === 'observer')
        ?.value;
    expect(figures.totalTimeS).toBeCloseTo(stored('total_time') as number, 5);
    expect(figures.downtimeMs).toBeCloseTo(stored('downtime') as number, 2);
    expect(figures.probesLost).toBe(stored('probes_lost'));
    // the switch-over is one of the migration's gaps; not always the largest: with the disk copied,
    // the first repeat (cold page cache) shows a longer stall during pre-copy
    expect(figures.largestGapMs).toBeGreaterThanOrEqual(figures.downtimeMs - 1e-6);
    // the observer's outage is longer than QEMU's pause: it adds the network's re-convergence
    const qemuDowntime = samples.find(
      (sample) => sample.raw === raw && sample.metric === 'downtime' && sample.measured_by === 'qemu',
    )?.value as number;
    expect(figures.downtimeMs).toBeGreaterThan(qemuDowntime);
    expect(record.probes.intervalMs).toBe(5);
  });
});

describe('observerFigures on small logs', () => {
  const ms = (value: number): bigint => BigInt(value * 1e6);
  const log = (probes: Array<[number, number | undefined]>): ProbeLog => ({
    address: '10.0.0.1',
    port: 7,
    intervalMs: 10,
    strays: 0,
    probes: probes.map(([sent, answered], seq) => ({
      seq,
      sentNs: ms(sent),
      ...(answered === undefined ? {} : { answeredNs: ms(answered) }),
    })),
  });

  it('takes the last answer before the resume and the first after it, counting lost probes from the migrate command', () => {
    const probes: Array<[number, number | undefined]> = [
      [0, 1],
      [10, 11],
      [20, 21],
      [30, undefined],
      [40, undefined],
      [50, 71],
      [60, 72],
    ];
    // migrate at 5 ms, the target resumed at 65 ms: a source echo arriving after the pause still counts as the source's
    const figures = observerFigures(log(probes), { issuedNs: ms(5), switchedNs: ms(65) });
    expect(figures.downtimeMs).toBe(71 - 21);
    expect(figures.totalTimeS).toBeCloseTo((71 - 5) / 1000, 9);
    expect(figures.probesDuringMigration).toBe(6);
    expect(figures.probesLost).toBe(2);
    expect(figures.largestGapMs).toBe(50);
  });

  it('refuses a log without an answer on either side of the switch-over', () => {
    expect(() =>
      observerFigures(
        log([
          [0, undefined],
          [10, 30],
        ]),
        { issuedNs: 0n, switchedNs: ms(20) },
      ),
    ).toThrow(/no answer from the guest before the switch-over/);
    expect(() =>
      observerFigures(
        log([
          [0, 1],
          [10, undefined],
        ]),
        { issuedNs: 0n, switchedNs: ms(20) },
      ),
    ).toThrow(/no answer from the guest after the switch-over/);
  });
});

describe('startObserver against a real UDP echo service', () => {
  it('probes at the interval, matches echoes to probes, ignores strays, and stops cleanly', async () => {
    const echo = createSocket('udp4');
    await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', resolve));
    let dropped = 0;
    echo.on('message', (message, peer) => {
      // drop every third probe; answer one with garbage as well
      if (message.readUInt32BE(8) % 3 === 2) {
        dropped++;
        return;
      }
      echo.send(message, peer.port, peer.address);
      if (message.readUInt32BE(8) === 4) echo.send(Buffer.from('not a probe'), peer.port, peer.address);
    });
    const observer = await startObserver({ address: '127.0.0.1', port: echo.address().port, intervalMs: 5 });
    await observer.waitForAnswer(2000);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const log = await observer.stop();
    echo.close();
    expect(log.probes.length).toBeGreaterThan(10);
    expect(log.strays).toBe(1);
    const unanswered = log.probes.filter((probe) => probe.answeredNs === undefined);
    expect(unanswered.every((probe) => probe.seq % 3 === 2)).toBe(true);
    expect(unanswered.length).toBeGreaterThanOrEqual(dropped - 1);
    for (const probe of log.probes)
      if (probe.answeredNs !== undefined) expect(probe.answeredNs).toBeGreaterThan(probe.sentNs);
    expect(await observer.stop()).toBe(log);
  });

  it('rejects an interval outside 1..10000 ms and times out on a silent address', async () => {
    await expect(startObserver({ address: '127.0.0.1', port: 9, intervalMs: 0 })).rejects.toThrow(/probe interval/);
    const silent = createSocket('udp4');
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    const observer = await startObserver({ address: '127.0.0.1', port: silent.address().port, intervalMs: 5 });
    await expect(observer.waitForAnswer(100)).rejects.toThrow(/did not answer within 0.1 s/);
    await observer.stop();
    silent.close();
  });
});
