import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summarize } from '../../lib/analysis/summarize.js';
import { DENSITY_CPU_PROFILES } from '../../lib/experiments/profiles.js';
import { readCampaignMeta, readSamples } from '../../lib/results/store.js';
import type { Sample } from '../../lib/results/schema.js';
import { dockerSkip } from '../helpers/capabilities.js';
import { campaignContainers, campaignQemus } from '../helpers/leftovers.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/guestbench.js');
let results: string;
beforeAll(() => {
  results = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-e2e-'));
});
afterAll(() => fs.rmSync(results, { recursive: true, force: true }));

function onlyCampaign(): string {
  const ids = fs.readdirSync(results).filter((name) => fs.existsSync(path.join(results, name, 'campaign.json')));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

const cellsOf = (samples: Sample[]) => new Set(samples.map((s) => `${s.backend}/${s.guests}/${s.repeat}/${s.guest}`));

describe.skipIf(dockerSkip)('density-cpu campaign end to end (real native, Docker and QEMU)', () => {
  it('writes total_time and latency rows for all three backends, labelled with their accelerator, and leaves nothing running', async () => {
    const run = await execa(
      'node',
      [
        BIN,
        'run',
        'density-cpu',
        '--backends',
        'native,docker,kvm',
        '--guests',
        '1,2',
        '--repeats',
        '1',
        '--profile',
        'quick',
        '--results',
        results,
      ],
      { reject: false },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const id = onlyCampaign();
    const dir = path.join(results, id);
    const meta = readCampaignMeta(dir);
    const { samples } = readSamples(dir);
    expect(meta.state).toBe('complete');
    expect(meta.host.cpus).toBeGreaterThan(0);
    expect(meta.versions).toHaveProperty('docker engine');
    expect(Object.keys(meta.versions).some((name) => /qemu/i.test(name))).toBe(true);
    expect(['kvm', 'tcg']).toContain(meta.accel.kvm);
    if (meta.accel.kvm === 'tcg') expect(meta.missing.map((item) => item.capability)).toContain('kvm-acceleration');

    const ok = samples.filter((sample) => sample.state === 'ok');
    expect(samples.filter((sample) => sample.state !== 'ok')).toEqual([]);
    for (const backend of ['native', 'docker', 'kvm'] as const) {
      for (const guests of [1, 2]) {
        for (const metric of [
          'total_time',
          'latency_min',
          'latency_avg',
          'latency_max',
          'latency_p95',
          'events_per_s',
        ] as const) {
          const rows = ok.filter(
            (sample) => sample.backend === backend && sample.guests === guests && sample.metric === metric,
          );
          expect(rows.map((row) => row.guest).sort(), `${backend} N=${guests} ${metric}`).toEqual(
            guests === 1 ? [1] : [1, 2],
          );
          for (const row of rows) {
            expect(row.value).toBeGreaterThan(0);
            expect(row.accel).toBe(backend === 'kvm' ? meta.accel.kvm : 'none');
            expect(fs.readFileSync(path.join(dir, row.raw ?? 'missing'), 'utf8')).toContain('sysbench 1.0');
          }
        }
      }
    }
    // the events count is the profile's, on every backend
    expect(new Set(ok.filter((sample) => sample.metric === 'events').map((sample) => sample.value))).toEqual(
      new Set([DENSITY_CPU_PROFILES.quick.cpu.events]),
    );
    expect(summarize(samples).filter((row) => row.metric === 'total_time')).toHaveLength(6);
    expect(await campaignContainers(id)).toEqual([]);
    expect(await campaignQemus(id)).toEqual([]);
  });

  it('keeps finished samples on SIGINT, stops every guest, and completes with --resume', async () => {
    fs.rmSync(results, { recursive: true, force: true });
    fs.mkdirSync(results);
    const args = [
      'run',
      'density-cpu',
      '--backends',
      'docker,kvm',
      '--guests',
      '1',
      '--repeats',
      '2',
      '--profile',
      'quick',
      '--results',
      results,
    ];
    const child = execa('node', [BIN, ...args], { reject: false });
    // wait until docker's rows are stored and a VM of this campaign is running, then interrupt
    const deadline = Date.now() + 120_000;
    let id: string | undefined;
    for (;;) {
      expect(Date.now() < deadline, 'campaign never reached its VM').toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      id ??= fs.readdirSync(results).find((name) => fs.existsSync(path.join(results, name, 'campaign.json')));
      if (id === undefined) continue;
      const docker = readSamples(path.join(results, id)).samples.filter((sample) => sample.backend === 'docker');
      if (docker.length > 0 && (await campaignQemus(id)).length > 0) break;
    }
    const before = readSamples(path.join(results, id)).samples;
    child.kill('SIGINT');
    const interrupted = await child;
    expect(interrupted.exitCode, interrupted.stderr).toBe(130);
    expect(interrupted.stdout).toContain(`--resume ${id}`);
    const dir = path.join(results, id);
    expect(readCampaignMeta(dir).state).toBe('interrupted');
    const kept = readSamples(dir).samples;
    expect(kept.slice(0, before.length)).toEqual(before);
    expect(kept.filter((sample) => sample.backend === 'kvm' && sample.state === 'errored')).toEqual([]);
    expect(await campaignContainers(id)).toEqual([]);
    expect(await campaignQemus(id)).toEqual([]);

    const resumed = await execa('node', [BIN, 'run', 'density-cpu', '--resume', id, '--results', results], {
      reject: false,
    });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const meta = readCampaignMeta(dir);
    expect(meta.state).toBe('complete');
    expect(meta.sessions.map((session) => session.state)).toEqual(['interrupted', 'complete']);
    const all = readSamples(dir).samples;
    const totals = all.filter((sample) => sample.metric === 'total_time');
    // every cell exactly once: docker and kvm, N=1, repeats 1 and 2
    expect(totals.map((sample) => `${sample.backend}/${sample.repeat}`).sort()).toEqual([
      'docker/1',
      'docker/2',
      'kvm/1',
      'kvm/2',
    ]);
    expect(cellsOf(all).size).toBe(4);
    expect(await campaignQemus(id)).toEqual([]);
  });

  it('records a backend the host cannot run as unsupported rows with the reason, and carries on with the others', async () => {
    fs.rmSync(results, { recursive: true, force: true });
    fs.mkdirSync(results);
    const run = await execa(
      'node',
      [
        BIN,
        'run',
        'density-cpu',
        '--backends',
        'native,docker',
        '--guests',
        '1,2',
        '--repeats',
        '1',
        '--results',
        results,
      ],
      {
        reject: false,
        env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' },
      },
    );
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      'docker: unsupported on this host: no Docker engine: unix:///nonexistent/docker.sock does not exist',
    );
    const dir = path.join(results, onlyCampaign());
    const { samples } = readSamples(dir);
    const docker = samples.filter((sample) => sample.backend === 'docker');
    expect(docker.map((sample) => [sample.guests, sample.state, sample.value])).toEqual([
      [1, 'unsupported', null],
      [2, 'unsupported', null],
    ]);
    expect(docker[0]?.reason).toMatch(/no Docker engine/);
    expect(
      samples.filter(
        (sample) => sample.backend === 'native' && sample.state === 'ok' && sample.metric === 'total_time',
      ),
    ).toHaveLength(3);
    const meta = readCampaignMeta(dir);
    expect(meta.missing).toContainEqual(
      expect.objectContaining({ capability: 'backend:docker', fix: expect.stringContaining('dockerd') }),
    );
  });
});
