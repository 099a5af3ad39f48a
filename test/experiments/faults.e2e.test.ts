/**
 * Faults a host does to a running campaign, each injected for real while the CLI runs:
 * - a VM's QEMU killed with SIGKILL in the middle of a repeat;
 * - a container killed through the engine (`docker kill`) while the campaign uses it;
 * - the Docker engine stopped mid-campaign (it is started again afterwards);
 * - the results disk full (a small tmpfs), then space freed and `--resume`;
 * - SIGTERM and SIGINT at points drawn from a seeded generator, then `--resume`.
 * Each asserts what the campaign kept, that it went on (or stopped in one line), and that nothing
 * is left running.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CAMPAIGN_LABEL } from '../../lib/backends/docker.js';
import { readCampaignMeta, readSamples } from '../../lib/results/store.js';
import type { Sample } from '../../lib/results/schema.js';
import { dockerClient } from '../../lib/util/docker-client.js';
import { dockerSkip, images, skipUnless } from '../helpers/capabilities.js';
import { campaignContainers, campaignQemus } from '../helpers/leftovers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/guestbench.js');
const vmSkip = skipUnless(images !== undefined, 'VM fault tests', 'no guest images (run `guestbench images build`)');
const isRoot = process.getuid?.() === 0;

let results: string;
beforeAll(() => {
  results = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-faults-'));
});
afterAll(() => fs.rmSync(results, { recursive: true, force: true }));

/** A campaign started with the CLI, its stderr collected as it comes. */
function start(args: string[], dir = results): { child: ResultPromise; stderr: () => string } {
  const child = execa('node', [BIN, 'run', ...args, '--results', dir], { reject: false });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, stderr: () => stderr };
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 240_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function campaignIn(dir: string): string | undefined {
  return fs.readdirSync(dir).find((name) => fs.existsSync(path.join(dir, name, 'campaign.json')));
}

/** The primary metric's rows per repeat: "2:errored". */
function repeatStates(samples: readonly Sample[], metric: string, backend: string): string[] {
  return samples
    .filter((sample) => sample.metric === metric && sample.backend === backend)
    .map((sample) => `${sample.repeat}:${sample.state}`);
}

/** Each (backend, N, repeat, guest, metric) at most once: a resumed campaign never measures a cell twice. */
function duplicates(samples: readonly Sample[]): string[] {
  const seen = new Set<string>();
  const twice: string[] = [];
  for (const sample of samples) {
    const key = [sample.backend, sample.guests, sample.repeat, sample.guest, sample.metric, sample.measured_by].join(
      '/',
    );
    if (seen.has(key)) twice.push(key);
    seen.add(key);
  }
  return twice;
}

/** A small deterministic generator (mulberry32): the same seed, the same interruption points. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

function fresh(): void {
  fs.rmSync(results, { recursive: true, force: true });
  fs.mkdirSync(results);
}

describe.skipIf(vmSkip)('a VM killed in the middle of a repeat (real QEMU)', () => {
  it('records that repeat errored with the reason, starts the VM afresh for the rest, and completes', async () => {
    fresh();
    const { child, stderr } = start(['density-cpu', '--backends', 'kvm', '--guests', '1', '--repeats', '3']);
    // the first repeat is measured: the second is running in the same VM now
    await until('repeat 1 of the VM', () => (/kvm \(\w+\) N=1 repeat 1\/3/.test(stderr()) ? true : undefined));
    const id = campaignIn(results) as string;
    const [qemu] = await campaignQemus(id);
    expect(qemu, 'a QEMU of the campaign').toBeDefined();
    process.kill(Number(qemu?.trim().split(/\s+/)[0]), 'SIGKILL');
    const run = await child;
    expect(run.exitCode, stderr()).toBe(0);

    const samples = readSamples(path.join(results, id)).samples;
    const states = repeatStates(samples, 'total_time', 'kvm');
    const errored = samples.filter((sample) => sample.state === 'errored');
    expect(errored.length, states.join(' ')).toBe(1);
    expect(errored[0]?.reason).toMatch(
      /^QEMU exited while running `sysbench cpu \.\.\.` \(signal SIGKILL\) in VM \S+$/,
    );
    // every other repeat measured, the one after the kill in a new VM
    expect(states.filter((state) => state.endsWith(':ok'))).toHaveLength(2);
    if (errored[0]?.repeat !== 3) expect(stderr()).toMatch(/no longer running .*starting the group's guests again/);
    expect(readCampaignMeta(path.join(results, id)).state).toBe('complete');
    expect(await campaignQemus(id)).toEqual([]);
  });
});

describe.skipIf(dockerSkip)('a container killed through the engine (real Docker)', () => {
  it('records the cell whose background container died errored, starts the group again, and completes', async () => {
    fresh();
    const { child, stderr } = start(['latency', '--backends', 'docker', '--guests', '1', '--repeats', '3']);
    await until('repeat 1 of docker N=1', () => (/docker N=1 repeat 1\/3/.test(stderr()) ? true : undefined));
    const id = campaignIn(results) as string;
    const [background] = await dockerClient().listContainers({
      filters: { label: [`${CAMPAIGN_LABEL}=${id}`], name: ['-b1'] },
    });
    expect(background, 'the background container').toBeDefined();
    await dockerClient()
      .getContainer(background?.Id as string)
      .kill();
    const run = await child;
    expect(run.exitCode, stderr()).toBe(0);

    const samples = readSamples(path.join(results, id)).samples;
    expect(repeatStates(samples, 'boot_time', 'docker')).toEqual(['1:ok', '2:errored', '3:ok']);
    expect(samples.find((sample) => sample.state === 'errored')?.reason).toMatch(
      /^background: 1 of its 1 guest\(s\) no longer running \(\S+-b1\)/,
    );
    expect(await campaignContainers(id)).toEqual([]);
  });
});

const enginePidFile = '/var/run/docker.pid';
const engineSkip = skipUnless(
  fs.existsSync(enginePidFile),
  'the stopped-engine fault test',
  `no ${enginePidFile}: the Docker engine was not started by this host's dockerd (it stops the engine by its pid)`,
);
describe.skipIf(dockerSkip || vmSkip || engineSkip)('the Docker engine stopped mid-campaign', () => {
  afterAll(async () => {
    // the engine comes back for the suites after this one, as set-up starts it
    await execa('bash', [path.join(ROOT, 'scripts/setup-docker.sh')], { stdio: 'ignore' });
  });

  it('records the remaining container cells errored with the reason, still runs the VM cells, and ends', async () => {
    fresh();
    const { child, stderr } = start(['latency', '--backends', 'docker,kvm', '--guests', '0', '--repeats', '2']);
    await until('repeat 1 of docker N=0', () => (/docker N=0 repeat 1\/2/.test(stderr()) ? true : undefined));
    process.kill(Number(fs.readFileSync(enginePidFile, 'utf8').trim()), 'SIGTERM');
    const run = await child;
    expect(run.exitCode, stderr()).toBe(0);

    const id = campaignIn(results) as string;
    const samples = readSamples(path.join(results, id)).samples;
    expect(repeatStates(samples, 'boot_time', 'docker')).toEqual(['1:ok', '2:errored']);
    expect(samples.find((sample) => sample.backend === 'docker' && sample.state === 'errored')?.reason).toMatch(
      /docker|engine|socket|ECONNREFUSED|ENOENT/i,
    );
    expect(repeatStates(samples, 'boot_time', 'kvm')).toEqual(['1:ok', '2:ok']);
    expect(await campaignQemus(id)).toEqual([]);

    await execa('bash', [path.join(ROOT, 'scripts/setup-docker.sh')], { stdio: 'ignore' });
    expect(await campaignContainers(id)).toEqual([]);
  });
});

const diskFullSkip = skipUnless(isRoot, 'the disk-full fault test', 'it needs root to mount a 70 MiB tmpfs');
describe.skipIf(diskFullSkip)('the results disk full (a 70 MiB tmpfs)', () => {
  let mount: string | undefined;
  afterAll(async () => {
    if (!mount) return;
    await execa('umount', [mount], { reject: false });
    fs.rmSync(mount, { recursive: true, force: true });
  });

  it('stops in one line naming the file and the fix, keeps every row written before, and --resume completes', async () => {
    mount = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-full-'));
    // more than the preflight's 64 MiB, so that the campaign starts; filled once it has rows
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=70m', 'tmpfs', mount]);
    const dir = path.join(mount, 'results');
    fs.mkdirSync(dir);
    const { child } = start(['density-cpu', '--backends', 'native', '--guests', '1', '--repeats', '10'], dir);
    const id = await until('the first rows', () => {
      const found = campaignIn(dir);
      return found && readSamples(path.join(dir, found)).samples.length > 0 ? found : undefined;
    });
    const filler = path.join(mount, 'filler');
    const free = fs.statfsSync(mount);
    await execa('fallocate', ['-l', String(free.bavail * free.bsize), filler]);
    const stopped = await child;
    expect(stopped.exitCode).toBe(1);
    const lines = String(stopped.stderr)
      .split('\n')
      .filter((line) => line.startsWith('guestbench:') || line.startsWith('  fix:'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^guestbench: Could not write \S+: no space left on the device \(ENOSPC\): the campaign stopped; the \d+ rows written before are intact$/,
    );
    expect(lines[1]).toContain(`--resume ${id} --results ${dir}`);
    // what was written is whole rows, readable
    const kept = readSamples(path.join(dir, id));
    expect(kept.tornTail).toBe(false);
    expect(kept.samples.length).toBeGreaterThan(0);

    fs.rmSync(filler);
    const resumed = await execa('node', [BIN, 'run', 'density-cpu', '--resume', id, '--results', dir], {
      reject: false,
    });
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    const all = readSamples(path.join(dir, id)).samples;
    expect(all.slice(0, kept.samples.length)).toEqual(kept.samples);
    expect(repeatStates(all, 'total_time', 'native').sort()).toEqual(
      Array.from({ length: 10 }, (_, index) => `${index + 1}:ok`).sort(),
    );
    expect(duplicates(all)).toEqual([]);
  });
});

describe.skipIf(dockerSkip)('SIGTERM and SIGINT at seeded random points (real bare host and Docker)', () => {
  const random = seeded(16);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: exit 130, nothing left running, --resume completes with no cell twice`, async () => {
      fresh();
      const args = ['density-cpu', '--backends', 'docker,native', '--guests', '1,2', '--repeats', '3'];
      const { child, stderr } = start(args);
      const id = await until('the campaign', () => campaignIn(results));
      // somewhere in the campaign's first few seconds: setting up, measuring or between cells
      const delay = Math.round(200 + random() * 3000);
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill(signal);
      const stopped = await child;
      expect(stopped.exitCode, `${signal} after ${delay} ms: ${stderr()}`).toBe(130);
      expect(readCampaignMeta(path.join(results, id)).state).toBe('interrupted');
      expect(await campaignContainers(id)).toEqual([]);
      const kept = readSamples(path.join(results, id)).samples;

      const resumed = await execa('node', [BIN, 'run', 'density-cpu', '--resume', id, '--results', results], {
        reject: false,
      });
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      const all = readSamples(path.join(results, id)).samples;
      expect(all.slice(0, kept.length)).toEqual(kept);
      expect(duplicates(all)).toEqual([]);
      // 2 backends x (N=1: 1 guest + N=2: 2 guests) x 3 repeats
      expect(all.filter((sample) => sample.metric === 'total_time' && sample.state === 'ok')).toHaveLength(18);
      expect(await campaignContainers(id)).toEqual([]);
    });
  }
});
