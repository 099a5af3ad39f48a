/**
 * `guestbench run migration --backends podman` end to end on this host: real containers
 * checkpointed by CRIU on one podman host (network namespace), the archive sent over the shaped
 * link, restored on the other, with the observer probing the container's service throughout. The
 * rows and the container's state carried over; nothing left (containers on either host, transfer
 * directories, pair networks, namespaces) after a normal run, after Ctrl-C (and --resume completes
 * the campaign), and after kill -9 once `guestbench cleanup` ran; and the unsupported rows, with the
 * reason and the fix, when CRIU is missing. Needs root, podman with the guest image and a working
 * CRIU; skipped with the reason otherwise.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCriu } from '../../lib/backends/criu.js';
import { MIGRATION_PROFILES } from '../../lib/experiments/migration.js';
import { readCampaignMeta, readSamples } from '../../lib/results/store.js';
import type { Sample } from '../../lib/results/schema.js';
import { containerBackends, skipUnless } from '../helpers/capabilities.js';
import {
  campaignContainers,
  hostPairLeftovers,
  migrationVolumes,
  podmanMigrationLeftovers,
} from '../helpers/leftovers.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/guestbench.js');
const podmanState = containerBackends.find((state) => state.name === 'podman');
const criu = await checkCriu();
const hasPodman = process.getuid?.() === 0 && podmanState?.check.usable === true;
const skipPodman = skipUnless(
  hasPodman,
  'podman migration campaign tests',
  process.getuid?.() !== 0 ? 'not root' : podmanState?.check.usable === false ? podmanState.check.reason : undefined,
);
const skip = skipPodman || skipUnless(criu.usable, 'podman live migration tests', criu.problem);
const QUICK = MIGRATION_PROFILES.quick;

/** The rows of a migrated container: CRIU's account, the observer's, and the link's. */
const CONTAINER_ROWS = [
  'criu_dump_time/criu',
  'criu_frozen_time/criu',
  'criu_restore_time/criu',
  'downtime/observer',
  'link_bytes/link',
  'pages_written/criu',
  'phase_checkpoint/runner',
  'phase_restore/runner',
  'phase_transfer/runner',
  'probes_lost/observer',
  'snapshot_size/criu',
  'total_time/observer',
].sort();

let results: string;
beforeAll(() => {
  results = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-migration-podman-'));
});
afterAll(() => fs.rmSync(results, { recursive: true, force: true }));

function campaignsSince(earlier: ReadonlySet<string>): string | undefined {
  return fs.readdirSync(results).find((name) => !earlier.has(name));
}

async function waitFor(what: string, timeoutMs: number, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    expect(Date.now() < deadline, `never saw: ${what}`).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function run(args: string[], env: Record<string, string> = {}) {
  return execa('node', [BIN, 'run', 'migration', ...args, '--results', results], { reject: false, env });
}

describe.skipIf(skip)('podman container migration end to end (real CRIU between two podman hosts)', () => {
  it("records CRIU's and the observer's figures for every quick configuration, the container's state carried over, and leaves nothing", async () => {
    const earlier = new Set(fs.readdirSync(results));
    const child = run(['--backends', 'podman', '--repeats', '1']);
    const done = await child;
    expect(done.exitCode, done.stderr).toBe(0);
    const id = campaignsSince(earlier) as string;
    const dir = path.join(results, id);
    const meta = readCampaignMeta(dir);
    expect(meta.state).toBe('complete');
    expect(meta.methods?.podman?.liveMigration).toMatch(/^podman container checkpoint --export/);
    const samples = readSamples(dir).samples;
    // a repeat that fails is an errored cell with its step and raw record; at most one of the four
    const failed = QUICK.configs.filter((config) =>
      samples.some((sample) => sample.config === config.id && sample.state === 'errored'),
    );
    expect(failed.length, JSON.stringify(samples.filter((sample) => sample.state === 'errored'))).toBeLessThanOrEqual(
      1,
    );
    for (const config of QUICK.configs.filter((item) => !failed.includes(item))) {
      const rows = samples.filter((sample) => sample.config === config.id);
      expect(rows.map((row) => `${row.metric}/${row.measured_by}`).sort()).toEqual(CONTAINER_ROWS);
      expect(rows.every((row) => row.state === 'ok' && row.backend === 'podman' && row.accel === 'none')).toBe(true);
      expect(rows[0]).toMatchObject({ runtime: expect.stringMatching(/^(runc|crun) /), vcpus: config.vcpus });
      const value = (metric: string, by: string): number =>
        rows.find((row: Sample) => row.metric === metric && row.measured_by === by)?.value as number;
      // the service is out at least while CRIU holds the processes frozen, and the checkpoint crossed the link
      expect(value('downtime', 'observer')).toBeGreaterThan(value('criu_frozen_time', 'criu'));
      expect(value('total_time', 'observer') * 1000).toBeGreaterThanOrEqual(value('downtime', 'observer'));
      expect(value('link_bytes', 'link')).toBeGreaterThanOrEqual(value('snapshot_size', 'criu'));
      expect(value('pages_written', 'criu')).toBeGreaterThan(0);
      // the steps guestbench timed hold CRIU's freeze, and account for most of the outage
      expect(value('phase_checkpoint', 'runner')).toBeGreaterThan(value('criu_frozen_time', 'criu'));
      const steps = ['phase_checkpoint', 'phase_transfer', 'phase_restore'].reduce(
        (sum, metric) => sum + value(metric, 'runner'),
        0,
      );
      expect(steps).toBeGreaterThan(0.5 * value('downtime', 'observer'));
      const record = JSON.parse(fs.readFileSync(path.join(dir, rows[0]?.raw as string), 'utf8')) as {
        continuity: { kept: boolean; before: number; after: number; what: string };
        transfer: { bytes: number };
      };
      // the counter in the container's memory went on from where the source left it, its volume came along
      expect(record.continuity.kept).toBe(true);
      expect(record.continuity.what).toContain('matches its checksum on the target');
      expect(record.continuity.after).toBeGreaterThanOrEqual(record.continuity.before);
      expect(record.transfer.bytes).toBe(value('snapshot_size', 'criu'));
    }
    expect(await campaignContainers(id)).toEqual([]);
    expect(await migrationVolumes()).toEqual([]);
    expect(await hostPairLeftovers(child.pid as number)).toEqual([]);
    expect(podmanMigrationLeftovers(child.pid as number)).toEqual([]);
  }, 300_000);

  it(
    'on Ctrl-C keeps finished rows and removes the containers on both hosts, the archives and networks; --resume completes it',
    { timeout: 300_000 },
    async () => {
      const earlier = new Set(fs.readdirSync(results));
      const child = run(['--backends', 'podman', '--repeats', '1']);
      let id: string | undefined;
      await waitFor('a finished configuration, then a container of the next', 120_000, async () => {
        id ??= campaignsSince(earlier);
        if (id === undefined || !fs.existsSync(path.join(results, id, 'samples.jsonl'))) return false;
        return readSamples(path.join(results, id)).samples.length > 0 && (await campaignContainers(id)).length > 0;
      });
      const dir = path.join(results, id as string);
      const before = readSamples(dir).samples;
      child.kill('SIGINT');
      const signalledAt = Date.now();
      const interrupted = await child;
      expect(interrupted.exitCode, interrupted.stderr).toBe(130);
      // a hang, not a speed target: Ctrl-C while a source container started used to be answered only at
      // the readiness deadline (5 min), as the poll never looked at the signal
      expect(Date.now() - signalledAt, 'seconds from SIGINT to exit').toBeLessThan(60_000);
      expect(readCampaignMeta(dir).state).toBe('interrupted');
      expect(readSamples(dir).samples.slice(0, before.length)).toEqual(before);
      expect(await campaignContainers(id as string)).toEqual([]);
      expect(await migrationVolumes()).toEqual([]);
      expect(await hostPairLeftovers(child.pid as number)).toEqual([]);
      expect(podmanMigrationLeftovers(child.pid as number)).toEqual([]);

      const resuming = execa('node', [BIN, 'run', 'migration', '--resume', id as string, '--results', results], {
        reject: false,
      });
      const resumed = await resuming;
      expect(resumed.exitCode, resumed.stderr).toBe(0);
      const totals = readSamples(dir).samples.filter(
        (sample) => sample.metric === 'total_time' && sample.measured_by === 'observer',
      );
      expect(totals.map((sample) => sample.config).sort()).toEqual(QUICK.configs.map((config) => config.id).sort());
      expect(await campaignContainers(id as string)).toEqual([]);
      expect(podmanMigrationLeftovers(resuming.pid as number)).toEqual([]);
    },
  );

  it('after kill -9 `guestbench cleanup` removes the containers the runner left on both hosts, its archives and networks', async () => {
    const earlier = new Set(fs.readdirSync(results));
    const child = run(['--backends', 'podman', '--repeats', '1']);
    const pid = child.pid as number;
    let id: string | undefined;
    await waitFor('a container of the campaign', 120_000, async () => {
      id ??= campaignsSince(earlier);
      return id !== undefined && (await campaignContainers(id)).length > 0;
    });
    child.kill('SIGKILL');
    await child;
    // the containers belong to conmon, not to the runner: they outlive it until cleanup
    expect((await campaignContainers(id as string)).length).toBeGreaterThan(0);
    expect((await migrationVolumes()).length).toBeGreaterThan(0);
    expect(podmanMigrationLeftovers(pid).length).toBeGreaterThan(0);
    const cleanup = await execa('node', [BIN, 'cleanup'], { reject: false });
    expect(cleanup.exitCode, cleanup.stderr).toBe(0);
    expect(await campaignContainers(id as string)).toEqual([]);
    expect(await migrationVolumes()).toEqual([]);
    expect(await hostPairLeftovers(pid)).toEqual([]);
    expect(podmanMigrationLeftovers(pid)).toEqual([]);
  }, 200_000);
});

describe.skipIf(skipPodman)('podman migration without a working CRIU', () => {
  it('records unsupported rows saying CRIU is missing and how to get it, and runs no container', async () => {
    const earlier = new Set(fs.readdirSync(results));
    const child = run(['--backends', 'podman', '--repeats', '1'], { GUESTBENCH_CRIU: '/nonexistent/criu' });
    const done = await child;
    expect(done.exitCode, done.stderr).toBe(0);
    const dir = path.join(results, campaignsSince(earlier) as string);
    const samples = readSamples(dir).samples;
    expect(samples.map((row) => `${row.config}/${row.metric}/${row.measured_by}/${row.state}`).sort()).toEqual(
      QUICK.configs
        .flatMap((config) => [
          `${config.id}/downtime/observer/unsupported`,
          `${config.id}/total_time/observer/unsupported`,
        ])
        .sort(),
    );
    expect(samples[0]?.reason).toBe('CRIU is not installed (`/nonexistent/criu --version` does not run)');
    const missing = readCampaignMeta(dir).missing.find((item) => item.capability === 'migration:podman');
    expect(missing?.fix).toContain('scripts/setup.sh');
    expect(podmanMigrationLeftovers(child.pid as number)).toEqual([]);
  }, 120_000);
});
