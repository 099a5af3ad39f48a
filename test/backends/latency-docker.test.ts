/**
 * Container start and stop for the latency experiment, against the real Docker engine: the start's
 * timings and the engine's own events (parsed from a real transcript too: timeNano beyond 2^53),
 * and `docker stop` semantics for both kinds of main process (exits on SIGTERM; ignores it and is
 * killed after the grace period).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { getEventListeners } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ContainerEventLog,
  parseDockerEvents,
  realtimeNs,
  wallMinusMonotonicNs,
} from '../../lib/backends/docker-events.js';
import { dockerEngine } from '../../lib/backends/docker-provider.js';
import { DockerBackend, removeLeftoverContainers } from '../../lib/backends/docker.js';
import { containerBootValues, measureContainerBoot } from '../../lib/backends/docker-latency.js';
import { dockerSkip, images } from '../helpers/capabilities.js';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/latency/docker-events-lifecycle.jsonl');

describe('Docker events', () => {
  it('parses a real event stream, keeping timeNano exact (beyond 2^53)', () => {
    const events = parseDockerEvents(fs.readFileSync(FIXTURE, 'utf8'));
    expect(events.map((event) => event.action)).toEqual(['create', 'start', 'kill', 'die', 'stop', 'destroy']);
    expect(events[0]?.timeNano).toBe(1795307664487929541n);
    // what JSON.parse alone would have made of it
    const line = fs.readFileSync(FIXTURE, 'utf8').split('\n')[0] as string;
    expect(BigInt((JSON.parse(line) as { timeNano: number }).timeNano)).not.toBe(1795307664487929541n);
    expect(events[1]?.timeNano).toBe(1795307665138830536n);
    expect(events[2]?.attributes.signal).toBe('15');
    expect(events[3]?.attributes.exitCode).toBe('0');
    expect(events[0]?.attributes.name).toBe('gb-evfixture');
    expect(() => parseDockerEvents('{"Action":"start"}')).toThrow(/timeNano/);
  });

  it('maps the wall clock onto the monotonic clock', () => {
    const offset = wallMinusMonotonicNs();
    const now = process.hrtime.bigint();
    const drift = realtimeNs() - offset - now;
    expect(drift < 5_000_000n && drift > -5_000_000n).toBe(true);
    expect(Number(realtimeNs() / 1_000_000n) - Date.now()).toBeLessThan(50);
  });
});

const CAMPAIGN = `latency-docker-test-${process.pid}`;

describe.skipIf(dockerSkip)('container start and stop (real Docker engine)', () => {
  afterAll(async () => {
    await removeLeftoverContainers(CAMPAIGN);
  });

  it("times a start step by step beside the engine's start event; exits at once on docker stop", async () => {
    const backend = new DockerBackend({
      engine: dockerEngine('runc'),
      image: images!.dockerImage,
      campaign: CAMPAIGN,
      exitOnSigterm: true,
    });
    const boot = await measureContainerBoot(
      backend,
      { name: `${CAMPAIGN}-a`, vcpus: 1, memoryMiB: 1024 },
      { timeoutMs: 30_000 },
    );
    try {
      const times = boot.times;
      expect(
        times.requestedNs < times.createdNs && times.createdNs < times.attachedNs && times.attachedNs < times.markerNs,
      ).toBe(true);
      expect(times.engineStartNs).toBeDefined();
      // the engine's start event falls between our create request and its reply to our start request
      expect(times.engineStartNs! > times.requestedNs && times.engineStartNs! < times.startedNs + 5_000_000n).toBe(
        true,
      );
      const values = Object.fromEntries(containerBootValues(times));
      console.log(`container start: ${JSON.stringify(values)}`);
      expect(values.boot_time).toBeGreaterThan(0);
      expect(values.boot_time).toBeLessThan(10);
      expect(values.harness_overhead).toBeLessThan(1);
      const down = await boot.guest.shutdown({ graceSeconds: 10 });
      expect(down.exitCode).toBe(0);
      // SIGTERM ended it: nowhere near the 10 s grace period
      expect(Number(down.stoppedNs - down.requestedNs) / 1e9).toBeLessThan(5);
      expect(await boot.guest.status()).toBe('stopped');
      await boot.events.waitFor('destroy', 5000);
      expect(boot.events.events.map((event) => event.action)).toEqual(
        expect.arrayContaining(['create', 'start', 'kill', 'die', 'stop', 'destroy']),
      );
      expect(boot.events.first('kill')?.attributes.signal).toBe('15');
    } finally {
      boot.events.close();
      await boot.guest.stop();
    }
  });

  it('waits out the grace period and kills a main process that ignores SIGTERM (sleep as PID 1)', async () => {
    const backend = new DockerBackend({ engine: dockerEngine('runc'), image: images!.dockerImage, campaign: CAMPAIGN });
    const guest = await backend.start({ name: `${CAMPAIGN}-b`, vcpus: 1, memoryMiB: 1024 });
    try {
      await guest.waitReady({ timeoutMs: 30_000 });
      const down = await guest.shutdown({ graceSeconds: 1 });
      const seconds = Number(down.stoppedNs - down.requestedNs) / 1e9;
      expect(down.exitCode).toBe(137);
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThan(6);
    } finally {
      await guest.stop();
    }
    expect(await removeLeftoverContainers(CAMPAIGN)).toBe(0);
  });

  it("subscribes to a container's events by name before it exists", async () => {
    const log = await ContainerEventLog.open(`guestbench-${CAMPAIGN}-none`);
    expect(await log.waitFor('start', 200)).toBeUndefined();
    log.close();
  });

  it("takes its listener off the caller's signal when closed (one log per latency repeat)", async () => {
    const campaign = new AbortController().signal;
    for (let repeat = 0; repeat < 12; repeat++) {
      (await ContainerEventLog.open(`guestbench-${CAMPAIGN}-none`, { signal: campaign })).close();
    }
    expect(getEventListeners(campaign, 'abort')).toHaveLength(0);
  });
});
