/**
 * `guestbench run migration` end to end on this host (real QEMU guests migrated between two network
 * namespaces; the container rows as the host allows): nothing left behind after Ctrl-C, a resumed
 * campaign holding every configuration's rows once (what an uninterrupted one holds), and nothing
 * left after kill -9 once `guestbench cleanup` ran. Needs root and the guest images; skipped with the reason otherwise.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_PROFILES } from '../../lib/experiments/migration.js';
import { readCampaignMeta, readSamples } from '../../lib/results/store.js';
import { imagesState, skipUnless } from '../helpers/capabilities.js';
import { campaignQemus, hostPairLeftovers } from '../helpers/leftovers.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/guestbench.js');
const skip = skipUnless(
  process.getuid?.() === 0 && imagesState.images !== undefined,
  'migration campaign tests',
  process.getuid?.() !== 0 ? 'not root' : imagesState.reason,
);
const QUICK = MIGRATION_PROFILES.quick;
let results: string;
beforeAll(() => {
  results = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-migration-'));
});
afterAll(() => fs.rmSync(results, { recursive: true, force: true }));

async function waitFor(what: string, timeoutMs: number, condition: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    expect(Date.now() < deadline, `never saw: ${what}`).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('migration: bad input gets one line and the fix', () => {
  it.each([
    [
      ['run', 'migration', '--target-host', 'lab2'],
      'Migration to a second machine (`--target-host lab2`) is not built yet',
    ],
    [['run', 'migration', '--guests', '2'], 'Expected no `--guests` for migration'],
    [
      ['run', 'migration', '--backends', 'native'],
      'Expected `--backends` to include a backend with live migration between two hosts for migration, got `native`: native lacks live migration between two hosts (the bare host does not migrate)',
    ],
    [
      ['run', 'density-cpu', '--link-mbit', '100'],
      'Expected `--link-mbit` only with the migration experiment, got it with density-cpu',
    ],
    [['run', 'migration', '--link-mbit', 'fast'], '--link-mbit'],
  ])('guestbench %j', async (args, message) => {
    const run = await execa('node', [BIN, ...args, '--results', path.join(os.tmpdir(), 'guestbench-unused')], {
      reject: false,
    });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

/**
 * What a complete quick campaign of kvm and docker holds: QEMU's and the observer's figures for
 * every configuration (at most one errored, with its step and raw record), and the container's
 * rows saying why it was not migrated.
 */
function expectCompleteQuickCampaign(dir: string): void {
  const meta = readCampaignMeta(dir);
  expect(meta.state).toBe('complete');
  expect(meta.parameters).toMatchObject({ link: { rateMbit: 1000 }, probeIntervalMs: 5, disk: { mode: 'copy' } });
  const all = readSamples(dir).samples;
  const samples = all.filter((sample) => sample.backend === 'kvm');
  // a migrated guest has (rarely) not answered the observer after the switch-over: such a repeat is
  // an errored cell with its step, reason and a raw record (target console, NIC counters, probes),
  // and the campaign carries on; at most one of the four may go that way
  const failed = QUICK.configs.filter((config) =>
    samples.some((sample) => sample.config === config.id && sample.state === 'errored'),
  );
  expect(failed.length, JSON.stringify(samples.filter((sample) => sample.state === 'errored'))).toBeLessThanOrEqual(1);
  for (const config of failed) {
    const rows = samples.filter((sample) => sample.config === config.id);
    expect(rows.map((row) => `${row.metric}/${row.measured_by}/${row.state}`).sort()).toEqual([
      'downtime/observer/errored',
      'downtime/qemu/errored',
      'total_time/observer/errored',
      'total_time/qemu/errored',
    ]);
    expect(rows[0]?.reason).toMatch(/^[a-z' ]+: /);
    expect(JSON.parse(fs.readFileSync(path.join(dir, rows[0]?.raw as string), 'utf8'))).toHaveProperty('error.step');
  }
  for (const config of QUICK.configs.filter((item) => !failed.includes(item))) {
    const rows = samples.filter((sample) => sample.config === config.id);
    expect(
      rows.every((row) => row.state === 'ok' && row.backend === 'kvm' && ['kvm', 'tcg'].includes(row.accel)),
      JSON.stringify(rows.find((row) => row.state !== 'ok')),
    ).toBe(true);
    expect(rows.map((row) => `${row.metric}/${row.measured_by}`).sort()).toEqual(
      [
        'bandwidth/qemu',
        'dirty_sync_count/qemu',
        'downtime/observer',
        'downtime/qemu',
        'link_bytes/link',
        'probes_lost/observer',
        'setup_time/qemu',
        'total_time/observer',
        'total_time/qemu',
        'transferred_bytes/qemu',
      ].sort(),
    );
    expect(rows[0]).toMatchObject({
      load: config.load,
      vcpus: config.vcpus,
      memory_mib: config.memoryMiB,
      guests: 1,
      repeat: 1,
    });
    const value = (metric: string, by: string) =>
      rows.find((row) => row.metric === metric && row.measured_by === by)?.value as number;
    expect(value('total_time', 'qemu')).toBeGreaterThan(0);
    expect(value('downtime', 'observer')).toBeGreaterThan(0);
    expect(value('bandwidth', 'qemu')).toBeLessThan(1100);
    const record = JSON.parse(fs.readFileSync(path.join(dir, rows[0]?.raw as string), 'utf8')) as {
      load?: string;
      probes: { probes: unknown[] };
    };
    expect(record.probes.probes.length).toBeGreaterThan(10);
    if (config.load === 'loaded') expect(record.load).toContain(`stress-ng --cpu ${config.vcpus}`);
  }
  // Docker cannot be migrated by guestbench: the observer's two figures per configuration say so
  const container = all.filter((sample) => sample.backend === 'docker');
  expect(container.map((row) => `${row.config}/${row.metric}/${row.measured_by}/${row.state}`).sort()).toEqual(
    QUICK.configs
      .flatMap((config) => [
        `${config.id}/downtime/observer/unsupported`,
        `${config.id}/total_time/observer/unsupported`,
      ])
      .sort(),
  );
  expect(container[0]?.reason).toMatch(
    /^docker lacks live migration between two hosts \(a migration needs a second Docker engine/,
  );
  expect(meta.missing.map((item) => item.capability)).toContain('migration:docker');
}

describe.skipIf(skip)('migration campaign end to end (real QEMU between two namespaces)', () => {
  it('a quick campaign stopped by Ctrl-C after its first configuration keeps what it finished, leaves no QEMU, namespace or link, and --resume completes it', async () => {
    const earlier = new Set(fs.readdirSync(results));
    const child = execa(
      'node',
      [BIN, 'run', 'migration', '--backends', 'kvm,docker', '--repeats', '1', '--results', results],
      { reject: false },
    );
    let id: string | undefined;
    await waitFor('a finished VM configuration, then a source and a target QEMU', 200_000, async () => {
      id ??= fs.readdirSync(results).find((name) => !earlier.has(name));
      if (id === undefined || !fs.existsSync(path.join(results, id, 'samples.jsonl'))) return false;
      const rows = readSamples(path.join(results, id)).samples;
      return rows.some((sample) => sample.backend === 'kvm') && (await campaignQemus(id)).length >= 2;
    });
    const dir = path.join(results, id as string);
    const before = readSamples(dir).samples;
    child.kill('SIGINT');
    const interrupted = await child;
    expect(interrupted.exitCode, interrupted.stderr).toBe(130);
    expect(readCampaignMeta(dir).state).toBe('interrupted');
    const kept = readSamples(dir).samples;
    expect(kept.slice(0, before.length)).toEqual(before);
    // the interrupted migration is not recorded as a failure (it is re-run on --resume)
    expect(kept.filter((sample) => sample.state === 'errored' && /interrupt|abort/i.test(sample.reason ?? ''))).toEqual(
      [],
    );
    expect(await campaignQemus(id as string)).toEqual([]);
    expect(await hostPairLeftovers(child.pid as number)).toEqual([]);

    const resuming = execa('node', [BIN, 'run', 'migration', '--resume', id as string, '--results', results], {
      reject: false,
    });
    const resumed = await resuming;
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    // the resumed campaign is what an uninterrupted one would be: every configuration once
    expectCompleteQuickCampaign(dir);
    expect(await campaignQemus(id as string)).toEqual([]);
    expect(await hostPairLeftovers(resuming.pid as number)).toEqual([]);
  }, 500_000);

  it('after kill -9 the QEMUs die with the runner and `guestbench cleanup` removes its namespaces and links', async () => {
    const earlier = new Set(fs.readdirSync(results));
    // a private $TMPDIR: the killed campaign's overlays stay there until cleanup, out of other suites' way
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gb-kill9-'));
    const env = { TMPDIR: tmp };
    const child = execa(
      'node',
      [BIN, 'run', 'migration', '--backends', 'kvm', '--repeats', '1', '--results', results],
      { reject: false, env },
    );
    const pid = child.pid as number;
    let id: string | undefined;
    await waitFor('a QEMU of the campaign', 120_000, async () => {
      id ??= fs.readdirSync(results).find((name) => !earlier.has(name));
      return id !== undefined && (await hostPairLeftovers(pid)).length === 5 && (await campaignQemus(id)).length >= 1;
    });
    child.kill('SIGKILL');
    await child;
    await waitFor(
      'the QEMUs to die with their runner',
      10_000,
      async () => (await campaignQemus(id as string)).length === 0,
    );
    expect(await hostPairLeftovers(pid)).toHaveLength(5);
    const cleanup = await execa('node', [BIN, 'cleanup'], { reject: false, env });
    expect(cleanup.exitCode, cleanup.stderr).toBe(0);
    expect(cleanup.stdout).toContain(`gbm-${pid}-src`);
    expect(await hostPairLeftovers(pid)).toEqual([]);
    expect(fs.readdirSync(tmp).filter((name) => name.includes(String(pid)))).toEqual([]);
    fs.rmSync(tmp, { recursive: true, force: true });
  }, 200_000);
});
