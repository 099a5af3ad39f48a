/**
 * A tiny real density-mysql campaign through the CLI (native, Docker, QEMU; N = 1, 2; one repeat):
 * a MariaDB server in every guest, OLTP rows for every guest, nothing left behind (container, volume,
 * QEMU, server process, scratch directory), and the password nowhere in the campaign directory nor
 * in the command's output.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../lib/util/docker-client.js';
import { CAMPAIGN_LABEL } from '../../lib/backends/docker.js';
import { readCampaignMeta, readSamples } from '../../lib/results/store.js';
import { dockerSkip } from '../helpers/capabilities.js';
import { campaignContainers, campaignQemus } from '../helpers/leftovers.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/guestbench.js');
// native guests need a MariaDB server on the host (scripts/setup.sh does not install one yet)
const hostMariadb = (await execa('mariadbd', ['--version'], { reject: false })).exitCode === 0;
if (!hostMariadb)
  console.warn(
    'SKIPPED density-mysql native guests: mariadbd is not installed on the host (fix: apt-get install mariadb-server)',
  );
const backends = hostMariadb ? (['native', 'docker', 'kvm'] as const) : (['docker', 'kvm'] as const);

let results: string;
let scratch: string;
beforeAll(() => {
  results = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-e2e-mysql-'));
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-e2e-mysql-scratch-'));
});
afterAll(() => {
  fs.rmSync(results, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
});

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

describe.skipIf(dockerSkip)('density-mysql campaign end to end (real native, Docker and QEMU)', () => {
  it('runs MariaDB + sysbench OLTP in every guest, records every metric, keeps the password secret and leaves nothing behind', async () => {
    const password = `e2e_${randomBytes(15).toString('base64url')}`;
    const child = execa(
      'node',
      [
        BIN,
        'run',
        'density-mysql',
        '--backends',
        backends.join(','),
        // N=2 only: two MariaDB servers side by side, each guest its own rows (N=1 is the same path, one
        // guest fewer, and under TCG a minute of the suite)
        '--guests',
        '2',
        '--repeats',
        '1',
        '--profile',
        'quick',
        '--results',
        results,
      ],
      {
        reject: false,
        all: true,
        env: { GUESTBENCH_SCRATCH: scratch, GUESTBENCH_MYSQL_PASSWORD: password },
      },
    );
    const run = await child;
    expect(run.exitCode, run.all).toBe(0);
    const [id] = fs.readdirSync(results);
    const dir = path.join(results, id as string);
    const meta = readCampaignMeta(dir);
    expect(meta.state).toBe('complete');

    const { samples } = readSamples(dir);
    expect(samples.filter((sample) => sample.state !== 'ok')).toEqual([]);
    for (const backend of backends) {
      for (const guests of [2]) {
        for (const metric of [
          'transactions_per_s',
          'transactions',
          'queries',
          'queries_per_s',
          'reads',
          'writes',
          'other',
          'events',
          'errors',
          'reconnects',
          'latency_min',
          'latency_avg',
          'latency_max',
          'latency_p95',
          'total_time',
        ] as const) {
          const rows = samples.filter(
            (sample) => sample.backend === backend && sample.guests === guests && sample.metric === metric,
          );
          expect(rows.map((row) => row.guest).sort(), `${backend} N=${guests} ${metric}`).toEqual([1, 2]);
        }
        for (const row of samples.filter(
          (sample) => sample.backend === backend && sample.guests === guests && sample.metric === 'transactions',
        )) {
          expect(row.value).toBeGreaterThan(0);
          // every run names the server it ran against
          expect(fs.readFileSync(path.join(dir, row.raw ?? 'missing'), 'utf8')).toMatch(
            /^# guestbench: MariaDB server 10\.\d+\.\d+-MariaDB/,
          );
        }
      }
    }
    const reads = samples.filter((sample) => sample.metric === 'reads').map((sample) => sample.value ?? 0);
    const transactions = samples
      .filter((sample) => sample.metric === 'transactions')
      .map((sample) => sample.value ?? 0);
    // oltp_read_write: 14 reads per transaction
    expect(reads.reduce((a, b) => a + b, 0) / transactions.reduce((a, b) => a + b, 0)).toBeCloseTo(14, 0);

    // the password: nowhere in the campaign directory, the command's output or the parameters
    for (const file of filesUnder(dir)) expect(fs.readFileSync(file, 'utf8').includes(password), file).toBe(false);
    expect(run.all?.includes(password)).toBe(false);
    expect(JSON.stringify(meta)).toContain('never stored');

    expect(await campaignContainers(id as string)).toEqual([]);
    expect(await campaignQemus(id as string)).toEqual([]);
    const volumes = await dockerClient().listVolumes({ filters: { label: [`${CAMPAIGN_LABEL}=${id}`] } });
    expect(volumes.Volumes ?? []).toEqual([]);
    const servers = await execa('pgrep', ['-af', 'mariadbd'], { reject: false });
    expect(servers.stdout.split('\n').filter((line) => line.includes(scratch))).toEqual([]);
    expect(fs.readdirSync(scratch)).toEqual([]);
    expect(fs.existsSync(path.join(os.tmpdir(), `guestbench-${child.pid}`))).toBe(false);
  }, 480_000);
});
