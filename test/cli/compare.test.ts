/**
 * `guestbench compare` end to end, on committed fixture campaigns, through the compiled CLI.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { summarize } from '../../lib/analysis/summarize.js';
import { formatMeasured } from '../../lib/figures/compare-tables.js';
import type { CampaignMeta } from '../../lib/results/campaign-meta.js';
import type { MetricName, Sample } from '../../lib/results/schema.js';
import { appendSamples, createCampaignStore } from '../../lib/results/store.js';
import { rowMaker } from '../helpers/samples.js';
import { normalSource, sample } from '../helpers/simulate.js';

// the compiled CLI, as a user runs it (scripts/test.sh builds dist/ first)
const BIN = path.resolve(import.meta.dirname, '../../bin/guestbench.js');
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/campaigns');
const compare = (...args: string[]) =>
  execa('node', [BIN, 'compare', ...args], { reject: false, env: { GUESTBENCH_RESULTS: FIXTURES } });

const DENSITY = ['2026-11-21T23-53-45Z-04de', '2026-12-02T01-20-32Z-d09e'] as const;
const LATENCY = ['2026-11-22T00-50-57Z-8d6d', '2026-12-02T01-18-46Z-e71b'] as const;

function mean(id: string, backend: string, guests: number, metric: string): number {
  const row = summarize(loadCampaign(path.join(FIXTURES, id)).samples).find(
    (item) => item.backend === backend && item.guests === guests && item.metric === metric,
  );
  if (!row) throw new Error(`no ${metric} of ${backend} N=${guests} in ${id}`);
  return row.mean;
}

describe('guestbench compare', () => {
  it('compares the two density-cpu fixtures: hosts side by side, the per-cell table, a summary, exit 0', async () => {
    const result = await compare(...DENSITY);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`A: ${DENSITY[0]} (density-cpu, quick)`);
    expect(out).toMatch(/^\* +CPU model +Intel\(R\) Xeon\(R\) Processor +AMD EPYC$/m);
    expect(out).toMatch(/^ +kernel +6\.18\.44-fc-v669 +6\.18\.44-fc-v669$/m);
    expect(out).toMatch(/^\* +podman engine +– +4\.3\.1$/m);
    // the same quick workload (only guest counts and repeats differ): no warning
    expect(out).not.toContain('warning:');
    expect(out).toMatch(/^guest +N +metric +nA +nB +mean A +mean B +B\/A +95% CI +p +q +verdict +why$/m);
    // Docker at N = 2: 3 repeats against 2, means as summaries give them, untestable rather than flagged
    const a = mean(DENSITY[0], 'docker', 2, 'total_time');
    const b = mean(DENSITY[1], 'docker', 2, 'total_time');
    const line = out.split('\n').find((text) => /^Docker containers +2 +total_time \(s\)/.test(text));
    expect(line).toBeDefined();
    expect(line).toContain(` 3   2 `);
    expect(line).toContain(`${formatMeasured(a)}   ${formatMeasured(b)}`);
    expect(line).toContain(`${(b / a).toPrecision(3)}x`);
    expect(line).toMatch(/untestable +too few repeats to test \(n=3 and 2\): p cannot go below 0\.20$/);
    expect(out).toContain('only in B: podman containers N=1 (12 metrics)');
    expect(out.trimEnd().split('\n').at(-1)).toBe(
      '72 cells compared: 0 flagged, 0 no significant change, 72 untestable (too few repeats); ' +
        'family of 0 tested cells (Benjamini-Hochberg q-values); 0 only in A, 144 only in B',
    );
  });

  it('compares the two latency fixtures, warning that their methods differ, and adjusts p across the family', async () => {
    const result = await compare(...LATENCY, '--results', FIXTURES);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      "warning: the two campaigns' workloads or methods differ (parameters: readiness only in A",
    );
    expect(result.stdout).toMatch(/^VMs \(tcg\) +0 +boot_time \(s\) +3 +3 /m);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
      '16 cells compared: 0 flagged, 0 no significant change, 16 untestable (too few repeats); ' +
        'family of 0 tested cells (Benjamini-Hochberg q-values); 48 only in A, 22 only in B',
    );
    // 3 against 3 repeats can reach p = 0.1, below an alpha of 0.2; but among 16 tested cells its
    // Benjamini-Hochberg q is 0.40, so nothing is flagged
    const loose = await compare(...LATENCY, '--alpha', '0.2', '--min-effect', '10%');
    expect(loose.exitCode).toBe(0);
    expect(loose.stdout).toContain('among the\n16 tested cells; flagged when q < 0.2 and B/A is beyond ±10%');
    expect(loose.stdout).toMatch(
      /^VMs \(tcg\) +0 +phase_vmm \(s\) .* 0\.10 +0\.40 +no significant change +not significant \(q = 0\.40, p = 0\.10; not below 0\.2\)$/m,
    );
    expect(loose.stdout.trimEnd().split('\n').at(-1)).toBe(
      '16 cells compared: 0 flagged, 16 no significant change, 0 untestable (too few repeats); ' +
        'family of 16 tested cells (Benjamini-Hochberg q-values); 48 only in A, 22 only in B',
    );
  });

  it('prints machine-readable rows with --json', async () => {
    const result = await compare(...DENSITY, '--json');
    expect(result.exitCode).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      a: { id: string };
      summary: { compared: number; family: number };
      cells: Array<{ state: string; key: { backend: string; guests: number; metric: string }; verdict?: string }>;
    };
    expect(parsed.a.id).toBe(DENSITY[0]);
    expect(parsed.summary.compared).toBe(72);
    expect(parsed.summary.family).toBe(0);
    expect(
      parsed.cells.find(
        (cell) => cell.key.backend === 'kvm' && cell.key.guests === 1 && cell.key.metric === 'total_time',
      ),
    ).toMatchObject({
      state: 'compared',
      verdict: 'untestable',
    });
  });

  it('refuses bad usage in one line naming the fix, exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[DENSITY[0]], /^guestbench: Expected two campaigns, got `2026-11-21T23-53-45Z-04de`\n {2}fix: for example/],
      [
        [DENSITY[0], 'no-such-campaign'],
        /^guestbench: No campaign `no-such-campaign` .*\n {2}fix: pass a campaign directory/,
      ],
      [
        [DENSITY[0], LATENCY[1]],
        /^guestbench: Campaigns 2026-11-21T23-53-45Z-04de \(density-cpu\) and 2026-12-02T01-18-46Z-e71b \(latency\) have no cell in common\n {2}fix: compare two campaigns of the same experiment/,
      ],
      [
        [...DENSITY, '--alpha', '1.5'],
        /^guestbench: Expected `--alpha` to be a number between 0 and 1 \(both excluded\), got `1\.5`\n {2}fix: for example `--alpha 0\.05`$/,
      ],
      [[...DENSITY, '--alpha', '-0.1'], /^guestbench: Expected `--alpha` to be a number between 0 and 1/],
      [
        [...DENSITY, '--min-effect', '5'],
        /^guestbench: Expected `--min-effect` to be a percentage from 0% to 1000% or a fraction from 0 to 1, got `5`\n {2}fix: for example `--min-effect 5%`/,
      ],
      [[...DENSITY, '--min-effect', 'lots'], /^guestbench: Expected `--min-effect` to be a percentage/],
    ];
    for (const [args, message] of cases) {
      const result = await compare(...args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
      expect(result.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(2);
      expect(result.stdout, args.join(' ')).toBe('');
    }
  });

  it('prints its help', async () => {
    const result = await compare('--help');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Usage: guestbench compare A B/);
  });
});

describe('guestbench compare --gate', () => {
  // two seeded synthetic campaigns per case, written with the store's own writer into a temporary results dir
  const results = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-gate-'));
  afterAll(() => fs.rmSync(results, { recursive: true, force: true }));

  function meta(id: string): CampaignMeta {
    return {
      id,
      experiment: 'density-cpu',
      profile: 'quick',
      parameters: {},
      backends: ['docker'],
      accel: { docker: 'none' },
      versions: {},
      image: null,
      git: null,
      host: {
        hostname: 'h',
        cpuModel: 'cpu',
        cpus: 2,
        cores: 2,
        threadsPerCore: 1,
        memoryMiB: 1024,
        os: 'Debian',
        kernel: '6',
        arch: 'x64',
        disk: { device: null, model: null, sizeGiB: null, rotational: null },
        kvmModule: null,
      },
      startedAt: '2026-12-01T00:00:00.000Z',
      state: 'complete',
      sessions: [],
      missing: [],
    };
  }

  /** A campaign of 10 repeats at N = 1, 2, 4 of total_time (s) and events_per_s, lognormal CV 5%. */
  function write(id: string, seed: number, slower: { guests: number; metric: MetricName } | null): string {
    const normal = normalSource(seed);
    const row = rowMaker({ campaign: id, experiment: 'density-cpu', backend: 'docker', accel: 'none' });
    const rows: Sample[] = [];
    for (const guests of [1, 2, 4])
      for (const [metric, mean] of [
        ['total_time', 10 * guests],
        ['events_per_s', 1000 / guests],
      ] as const) {
        const hit = slower !== null && slower.guests === guests && slower.metric === metric;
        const factor = hit ? (metric === 'total_time' ? 1.3 : 1 / 1.3) : 1;
        sample(normal, 'lognormal', mean * factor, 0.05, 10).forEach((value, index) =>
          rows.push(row({ guests, metric, repeat: index + 1, value })),
        );
      }
    const store = createCampaignStore(results, meta(id));
    appendSamples(store, rows);
    return id;
  }

  const baseline = write('2026-12-01T00-00-00Z-aaaa', 1, null);
  const same = write('2026-12-01T01-00-00Z-bbbb', 2, null);
  const regressed = write('2026-12-01T02-00-00Z-cccc', 3, { guests: 2, metric: 'events_per_s' });
  const gate = (...args: string[]) => compare(...args, '--results', results);

  it('exits 0 on a no-change pair', async () => {
    const result = await gate(baseline, same, '--gate', 'all');
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe('gate all: passed: 0 of 6 cells regressed');
  });

  it('exits 1 on a seeded regression, listing the regressed cell', async () => {
    const result = await gate(baseline, regressed, '--gate', 'all');
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('gate all: FAILED: 1 of 6 cells regressed');
    expect(result.stdout).toMatch(/^ {2}regressed: Docker containers N=2 events_per_s \(events\/s\): 0\.7\d\dx \[/m);
    // the set decides what is checked: the regression is a rate, not a time
    expect((await gate(baseline, regressed, '--gate', 'times')).exitCode).toBe(0);
    expect((await gate(baseline, regressed, '--gate', 'events_per_s')).exitCode).toBe(1);
    // the other way round B is faster: no regression
    expect((await gate(regressed, baseline, '--gate', 'all')).exitCode).toBe(0);
    const json = await gate(baseline, regressed, '--gate', 'rates', '--json');
    expect(json.exitCode).toBe(1);
    const parsed = JSON.parse(json.stdout) as {
      gate: { passed: boolean; checked: number; regressed: Array<{ key: { guests: number } }> };
    };
    expect(parsed.gate).toMatchObject({ set: 'rates', passed: false, checked: 3 });
    expect(parsed.gate.regressed.map((cell) => cell.key.guests)).toEqual([2]);
  });

  it('refuses a gate that names no known metric, or a metric without a better direction', async () => {
    const unknown = await gate(baseline, same, '--gate', 'bogus');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(
      /^guestbench: Expected `--gate` to name a set \(all, times, rates\) or metrics, got `bogus`/,
    );
    const count = await gate(baseline, same, '--gate', 'events');
    expect(count.exitCode).toBe(2);
    expect(count.stderr).toMatch(/with a better direction, got `events`/);
    const absent = await gate(baseline, same, '--gate', 'boot_time');
    expect(absent.exitCode).toBe(2);
    expect(absent.stderr).toMatch(/has no cell both campaigns measured/);
  });
});
