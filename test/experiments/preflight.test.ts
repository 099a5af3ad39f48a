/**
 * The resource preflight: memory for the most guests at once and disk for what a campaign writes,
 * refused in one line with the numbers and the fix, or run with --force and recorded. The last test
 * runs a real (bare-host) campaign against a host injected as too small.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCampaign } from '../../lib/experiments/campaign.js';
import { densityFileio, fileioDiskNeeds } from '../../lib/experiments/density-fileio.js';
import { latency } from '../../lib/experiments/latency.js';
import { migration } from '../../lib/experiments/migration.js';
import {
  checkResources,
  memoryNeed,
  ResourceError,
  RESULTS_MIN_FREE_BYTES,
  type HostResources,
} from '../../lib/experiments/preflight.js';
import { readCampaignMeta, readSamples } from '../../lib/results/store.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;
const roomy: HostResources = { memAvailableBytes: 64 * GiB, freeBytes: () => 1024 * GiB };
const small = (memAvailableBytes: number, freeBytes = 1024 * GiB): HostResources => ({
  memAvailableBytes,
  freeBytes: () => freeBytes,
});

describe('memory for the most guests at once', () => {
  it('counts a VM at its memory + 64 MiB, a container at its limit or 64 MiB, the bare host at nothing; backends one after another', () => {
    const loads = [
      { backend: 'native' as const, guests: 8, memoryMiB: 1024 },
      { backend: 'docker' as const, guests: 16, memoryMiB: 1024 },
      { backend: 'kvm' as const, guests: 4, memoryMiB: 1024 },
    ];
    expect(memoryNeed({ loads, containerLimits: false })).toMatchObject({
      needBytes: 4 * 1088 * MiB,
      reckoning: '4 kvm guest(s) at once x (1024 MiB + 64 MiB QEMU)',
    });
    // with the guest size as a limit, 16 containers hold 16 GiB: more than 4 VMs
    expect(memoryNeed({ loads, containerLimits: true })).toMatchObject({ needBytes: 16 * 1024 * MiB });
    expect(memoryNeed({ loads: [loads[0]!], containerLimits: false }).needBytes).toBe(0);
  });

  it("reads each experiment's peak from its parameters: latency's timed guest, migration's source and target", () => {
    const latencyParams = latency.parameters({ profile: 'quick', backends: ['kvm'], guests: [0, 2] });
    expect(latency.resources(latencyParams).loads).toEqual([{ backend: 'kvm', guests: 3, memoryMiB: 1024 }]);
    const migrationParams = migration.parameters({ profile: 'quick', backends: ['kvm'] });
    const largest = Math.max(...migrationParams.configs.map((config) => config.memoryMiB));
    expect(migration.resources(migrationParams).loads).toEqual([{ backend: 'kvm', guests: 2, memoryMiB: largest }]);
  });

  it("asks for density-fileio's file sets of the largest N where each backend writes them", () => {
    const params = densityFileio.parameters({ profile: 'quick', backends: ['native', 'docker'], guests: [1, 2] });
    const needs = fileioDiskNeeds(params);
    expect(needs.map((need) => need.bytes)).toEqual([
      2 * params.nativeFileTotalBytes,
      2 * params.fileio.fileTotalBytes,
    ]);
    expect(needs[1]?.what).toMatch(/^docker's 2 file set\(s\) of /);
  });
});

describe('the preflight answer', () => {
  const request = {
    loads: [{ backend: 'kvm' as const, guests: 8, memoryMiB: 1024 }],
    containerLimits: false,
    disks: [],
  };

  it('passes a campaign that fits and records what it needed and what the host had', () => {
    const record = checkResources(request, { resultsDir: '/r', force: false, host: roomy });
    expect(record).toMatchObject({ fits: true, forced: false, memory: { availableBytes: 64 * GiB } });
    expect(record.disk).toEqual([
      { dir: '/r', needBytes: RESULTS_MIN_FREE_BYTES, freeBytes: 1024 * GiB, what: 'rows and raw tool output' },
    ]);
  });

  it('refuses too little memory in one line with the numbers, and the fix: how many fit, the quick profile, --force', () => {
    const refuse = () => checkResources(request, { resultsDir: '/r', force: false, host: small(4 * GiB) });
    expect(refuse).toThrow(ResourceError);
    expect(refuse).toThrow(
      'The campaign needs 8.5 GiB of memory (8 kvm guest(s) at once x (1024 MiB + 64 MiB QEMU)), the host has 4.0 GiB available',
    );
    try {
      refuse();
    } catch (error) {
      expect((error as ResourceError).message).not.toContain('\n');
      expect((error as ResourceError).fix).toBe(
        'fewer guests at once with `--guests` (3 kvm guest(s) fit), `--profile quick`, or `--force` to run anyway (recorded in campaign.json)',
      );
    }
  });

  it('refuses a results disk with less than 64 MiB free, naming the directory', () => {
    expect(() =>
      checkResources(request, { resultsDir: '/full', force: false, host: small(64 * GiB, 10 * MiB) }),
    ).toThrow('The campaign needs 0.1 GiB free under /full for rows and raw tool output, it has 0.0 GiB');
  });

  it('runs anyway with --force, saying so in the record', () => {
    const record = checkResources(request, { resultsDir: '/r', force: true, host: small(GiB) });
    expect(record).toMatchObject({ fits: false, forced: true, memory: { needBytes: 8 * 1088 * MiB } });
  });
});

describe('the preflight in a campaign (real bare-host campaign)', () => {
  let results: string | undefined;
  afterEach(() => {
    if (results) fs.rmSync(results, { recursive: true, force: true });
  });
  const request = (dir: string, hostResources: HostResources, force: boolean) => ({
    experiment: 'density-cpu',
    profile: 'quick' as const,
    backends: ['native' as const, 'docker' as const],
    guests: [1],
    repeats: 1,
    resultsDir: dir,
    signal: new AbortController().signal,
    log: () => {},
    force,
    hostResources,
  });

  it('refuses before the campaign has a folder, and with --force runs and records the shortfall in campaign.json', async () => {
    results = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-preflight-'));
    // 32 MiB available: not even one container's 64 MiB
    await expect(runCampaign(request(results, small(32 * MiB), false))).rejects.toThrow(
      /1 docker guest\(s\) at once x 64 MiB \(no limit; estimate\)/,
    );
    expect(fs.readdirSync(results)).toEqual([]);

    // a results disk said to have 10 MiB free: short, run anyway on the bare host
    const outcome = await runCampaign({ ...request(results, small(64 * GiB, 10 * MiB), true), backends: ['native'] });
    expect(outcome.state).toBe('complete');
    const session = readCampaignMeta(outcome.dir).sessions[0];
    expect(session?.preflight).toMatchObject({
      fits: false,
      forced: true,
      disk: [{ dir: results, needBytes: RESULTS_MIN_FREE_BYTES, freeBytes: 10 * MiB }],
    });
    expect(readSamples(outcome.dir).samples.filter((sample) => sample.state === 'ok').length).toBeGreaterThan(0);
  });
});
