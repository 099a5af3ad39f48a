/**
 * A tiny real density-fileio campaign through the CLI (native, Docker, QEMU; N = 1, 2; one repeat):
 * rows for every guest, storage as recorded, and nothing left behind (container, volume, QEMU,
 * VM run directory, native scratch directory).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerClient } from '../../lib/util/docker-client.js';
import { CAMPAIGN_LABEL } from '../../lib/backends/docker.js';
import type { DensityFileioParams } from '../../lib/experiments/density-fileio.js';
import { readCampaignMeta, readSamples } from '../../lib/results/store.js';
import { dockerSkip } from '../helpers/capabilities.js';
import { campaignContainers, campaignQemus } from '../helpers/leftovers.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/guestbench.js');
let results: string;
let scratch: string;
beforeAll(() => {
  results = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-e2e-fileio-'));
  // native file sets go here (not /var/tmp), so the test can see that cleanup emptied it
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-e2e-fileio-scratch-'));
});
afterAll(() => {
  fs.rmSync(results, { recursive: true, force: true });
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe.skipIf(dockerSkip)('density-fileio campaign end to end (real native, Docker and QEMU)', () => {
  it('writes fileio rows for every guest of every backend and N, each guest on its own storage, and leaves nothing behind', async () => {
    const child = execa(
      'node',
      [
        BIN,
        'run',
        'density-fileio',
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
      {
        reject: false,
        env: { GUESTBENCH_SCRATCH: scratch },
      },
    );
    const run = await child;
    expect(run.exitCode, run.stderr).toBe(0);
    const [id] = fs.readdirSync(results);
    expect(id).toBeDefined();
    const dir = path.join(results, id as string);
    const meta = readCampaignMeta(dir);
    const params = meta.parameters as unknown as DensityFileioParams;
    expect(meta.state).toBe('complete');
    expect(['kvm', 'tcg']).toContain(meta.accel.kvm);
    expect(params.nativeScratchRoot).toBe(scratch);
    expect(params.scratch.cache).toBe('none');
    expect(params.fileio.direct).toBe(true);

    const { samples } = readSamples(dir);
    expect(samples.filter((sample) => sample.state !== 'ok')).toEqual([]);
    for (const backend of ['native', 'docker', 'kvm'] as const) {
      for (const guests of [1, 2]) {
        for (const metric of [
          'total_mib_per_s',
          'events',
          'reads',
          'writes',
          'fsyncs',
          'reads_per_s',
          'writes_per_s',
          'fsyncs_per_s',
          'read_mib_per_s',
          'written_mib_per_s',
          'requests_per_s',
          'latency_min',
          'latency_avg',
          'latency_max',
          'latency_p95',
          'total_time',
        ] as const) {
          const rows = samples.filter(
            (sample) => sample.backend === backend && sample.guests === guests && sample.metric === metric,
          );
          expect(rows.map((row) => row.guest).sort(), `${backend} N=${guests} ${metric}`).toEqual(
            guests === 1 ? [1] : [1, 2],
          );
          for (const row of rows) expect(row.accel).toBe(backend === 'kvm' ? meta.accel.kvm : 'none');
        }
        for (const row of samples.filter(
          (sample) => sample.backend === backend && sample.guests === guests && sample.metric === 'reads',
        )) {
          expect(row.value).toBeGreaterThan(0);
          const raw = fs.readFileSync(path.join(dir, row.raw ?? 'missing'), 'utf8');
          // the file set and O_DIRECT of the profile, on every backend
          expect(raw).toContain('Extra file open flags: directio');
          expect(raw).toContain('256MiB total file size');
        }
      }
    }
    // run length: the profile's 5 s, not a request limit
    for (const row of samples.filter((sample) => sample.metric === 'total_time'))
      expect(row.value).toBeGreaterThanOrEqual(5);

    expect(await campaignContainers(id as string)).toEqual([]);
    expect(await campaignQemus(id as string)).toEqual([]);
    const volumes = await dockerClient().listVolumes({ filters: { label: [`${CAMPAIGN_LABEL}=${id}`] } });
    expect(volumes.Volumes ?? []).toEqual([]);
    // the runner's VM run root (scratch disks, overlays, sockets) and the native file sets are gone
    expect(fs.existsSync(path.join(os.tmpdir(), `guestbench-${child.pid}`))).toBe(false);
    expect(fs.readdirSync(scratch)).toEqual([]);
  }, 420_000);
});
