/**
 * `guestbench compare` end to end, on committed fixture campaigns, through the compiled CLI.
 */
import * as path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { summarize } from '../../lib/analysis/summarize.js';
import { formatMeasured } from '../../lib/figures/compare-tables.js';

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
    expect(out).toMatch(/^guest +N +metric +nA +nB +mean A +mean B +B\/A +95% CI +p +verdict +why$/m);
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
      '72 cells compared: 0 flagged, 0 unchanged, 72 untestable (too few repeats); 0 only in A, 144 only in B',
    );
  });

  it('compares the two latency fixtures, warning that their methods differ, and flags with a looser alpha', async () => {
    const result = await compare(...LATENCY, '--results', FIXTURES);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(
      "warning: the two campaigns' workloads or methods differ (parameters: readiness only in A",
    );
    expect(result.stdout).toMatch(/^VMs \(tcg\) +0 +boot_time \(s\) +3 +3 /m);
    expect(result.stdout.trimEnd().split('\n').at(-1)).toBe(
      '16 cells compared: 0 flagged, 0 unchanged, 16 untestable (too few repeats); 48 only in A, 22 only in B',
    );
    // 3 against 3 repeats can reach p = 0.1: below an alpha of 0.2
    const loose = await compare(...LATENCY, '--alpha', '0.2', '--min-effect', '10%');
    expect(loose.exitCode).toBe(0);
    expect(loose.stdout).toContain('flagged when p < 0.2 and B/A is\nbeyond ±10%');
    expect(loose.stdout).toMatch(
      /^VMs \(tcg\) +0 +phase_vmm \(s\) .* flagged: faster +p = 0\.10 < 0\.2 and 0\.456x is beyond ±10%$/m,
    );
    expect(loose.stdout.trimEnd().split('\n').at(-1)).toMatch(/^16 cells compared: [1-9]\d* flagged \(/);
  });

  it('prints machine-readable rows with --json', async () => {
    const result = await compare(...DENSITY, '--json');
    expect(result.exitCode).toBe(0);
    const parsed = JSON.parse(result.stdout) as {
      a: { id: string };
      summary: { compared: number };
      cells: Array<{ state: string; key: { backend: string; guests: number; metric: string }; verdict?: string }>;
    };
    expect(parsed.a.id).toBe(DENSITY[0]);
    expect(parsed.summary.compared).toBe(72);
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
