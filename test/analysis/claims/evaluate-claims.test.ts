/**
 * The claims evaluator's verdict rule on small hand-made rows (not measurements: the values are
 * chosen so each verdict's case is plain): holds, fails, inconclusive (an interval crossing the
 * band, too few repeats), and not measured (no campaign, backend not run, unsupported, N not reached,
 * VMs under TCG against containers), stand-ins, pooled configurations.
 */
import { describe, expect, it } from 'vitest';
import { claimEstimate } from '../../../lib/analysis/claims/claim-estimate.js';
import { cellsText, claimLine } from '../../../lib/analysis/claims/claim-text.js';
import { claimBand, estimateVerdict, formatClaimNumber } from '../../../lib/analysis/claims/claim-verdict.js';
import { countVerdicts, evaluateClaim } from '../../../lib/analysis/claims/evaluate-claims.js';
import { claimVerdictsHtml } from '../../../lib/figures/claims-table.js';
import type { Sample } from '../../../lib/results/schema.js';
import type { ClaimRecord, ClaimTerm } from '../../../lib/thesis/index.js';
import { rowMaker } from '../../helpers/samples.js';

const row = rowMaker({ campaign: 'hand-made', experiment: 'density-cpu', metric: 'total_time' });

/** One row per repeat of a backend at N guests. */
function cell(backend: Sample['backend'], guests: number, values: number[], extra: Partial<Sample> = {}): Sample[] {
  return values.map((value, index) =>
    row({ backend, guests, value, repeat: index + 1, accel: backend === 'kvm' ? 'kvm' : 'none', ...extra }),
  );
}

const term = (backend: ClaimTerm['backend'], guests: number): ClaimTerm => ({ backend, guests, metric: 'total_time' });

function claim(overrides: Partial<ClaimRecord> = {}): ClaimRecord {
  return {
    id: '4.5.1-hand-made',
    section: '4.5.1',
    line: 987,
    claim: "containers' total time at N=8 within 10% of VMs'",
    experiment: 'density-cpu',
    kind: 'ratio',
    quantity: { ratio: [term('docker', 8), term('kvm', 8)] },
    unit: 'x',
    thesis: { value: 1, rows: [], printed: null, figure: null, inconsistencies: [] },
    tolerance: { within: 0.1 },
    notebook: '01-density-cpu',
    note: null,
    restates: null,
    group: null,
    ...overrides,
  };
}

const campaign = (samples: Sample[]) => ({ id: 'hand-made', samples });

describe('the band and the verdict on numbers', () => {
  it('takes each tolerance around the thesis value, or a bound for a direction', () => {
    expect(claimBand({ factor: 2 }, 6)).toEqual({ low: 3, high: 12 });
    expect(claimBand({ within: 0.1 }, 1)).toEqual({ low: 0.9, high: 1.1 });
    expect(claimBand({ plusMinus: 0.1 }, 0.03)).toEqual({ low: 0.03 - 0.1, high: 0.03 + 0.1 });
    expect(claimBand({ above: 1 }, null)).toEqual({ low: 1, high: Infinity });
    expect(claimBand({ below: 1.25 }, 3)).toEqual({ low: -Infinity, high: 1.25 });
  });

  it('holds inside, fails outside, is inconclusive across an edge or without an interval', () => {
    const band = { low: 0.9, high: 1.1 };
    expect(estimateVerdict({ value: 1, interval: 'ok', low: 0.95, high: 1.05 }, band).verdict).toBe('holds');
    expect(estimateVerdict({ value: 1.3, interval: 'ok', low: 1.2, high: 1.4 }, band).verdict).toBe('fails');
    expect(estimateVerdict({ value: 0.5, interval: 'ok', low: 0.4, high: 0.6 }, band).verdict).toBe('fails');
    expect(estimateVerdict({ value: 1.1, interval: 'ok', low: 1.0, high: 1.2 }, band)).toEqual({
      verdict: 'inconclusive',
      reason: "the 95% interval [1.00, 1.20] crosses the band's edge 1.10",
    });
    // a point estimate alone never decides, however far from the band
    expect(
      estimateVerdict({ value: 9, interval: 'none', reason: 'too few repeats (n=2) for an interval' }, band),
    ).toEqual({
      verdict: 'inconclusive',
      reason: 'too few repeats (n=2) for an interval',
    });
  });

  it('prints numbers at three significant digits', () => {
    expect([1.0449, 0.19612, 12.34, 244.2, -0.0607, 0].map(formatClaimNumber)).toEqual([
      '1.04',
      '0.196',
      '12.3',
      '244',
      '-0.0607',
      '0.00',
    ]);
  });
});

describe('evaluateClaim', () => {
  const tight = [...cell('docker', 8, [10.0, 10.1, 9.9, 10.0]), ...cell('kvm', 8, [10.2, 10.0, 10.1, 10.1])];

  it('holds when the whole interval lies in the band, with ours and the cells behind it', () => {
    const result = evaluateClaim(claim(), campaign(tight));
    expect(result.verdict).toBe('holds');
    if (result.verdict === 'not measured') throw new Error('measured');
    expect(result.ours.value).toBeCloseTo(40 / 40.4, 10);
    expect(result.cells.map((found) => [found.backend, found.guests, found.values.length])).toEqual([
      ['docker', 8, 4],
      ['kvm', 8, 4],
    ]);
    expect(claimLine(result)).toMatch(
      /^\[holds\] 4\.5\.1 containers' total time at N=8 within 10% of VMs' \(ours 0\.990x \[0\.9\d\d, (0\.9\d\d|1\.0\d)\], thesis 1\.00x; accel docker none, kvm kvm\)$/,
    );
  });

  it('fails when the whole interval lies outside', () => {
    const slow = [...cell('docker', 8, [20, 20.2, 19.8]), ...cell('kvm', 8, [10, 10.1, 9.9])];
    expect(evaluateClaim(claim(), campaign(slow)).verdict).toBe('fails');
  });

  it('is inconclusive when the interval crosses the band, or with fewer than three repeats', () => {
    const spread = [...cell('docker', 8, [8, 12, 10.5]), ...cell('kvm', 8, [10, 9, 11])];
    const wide = evaluateClaim(claim(), campaign(spread));
    expect(wide.verdict).toBe('inconclusive');
    expect(wide.verdict !== 'not measured' && wide.reason).toMatch(/crosses the band's edge/);
    const two = evaluateClaim(claim(), campaign([...cell('docker', 8, [10, 10]), ...cell('kvm', 8, [10, 10])]));
    expect(two).toMatchObject({ verdict: 'inconclusive', reason: 'too few repeats (n=2) for an interval' });
  });

  it('is not measured for an N the campaign did not reach, never decided from a smaller N', () => {
    const small = [...cell('docker', 2, [10, 10.1, 9.9]), ...cell('kvm', 2, [10, 10.1, 9.9])];
    const result = evaluateClaim(claim(), campaign(small));
    expect(result).toMatchObject({
      verdict: 'not measured',
      reason: 'docker measured up to N=2; the claim is about N=8',
      ours: null,
    });
    expect(claimLine(result)).toBe(
      "[not measured] 4.5.1 containers' total time at N=8 within 10% of VMs' (not measured: docker measured up to N=2; the claim is about N=8; thesis 1.00x; to decide it: `guestbench run density-cpu --backends docker,kvm --guests 8 --repeats 3` (time unknown (no recorded campaign to estimate from)))",
    );
  });

  it('is not measured without a campaign, for a backend not run, or one the host could not run', () => {
    expect(evaluateClaim(claim(), undefined)).toMatchObject({
      verdict: 'not measured',
      campaign: null,
      reason: 'no density-cpu campaign: run `guestbench run density-cpu`',
    });
    expect(evaluateClaim(claim(), campaign(cell('docker', 8, [10, 10, 10]))).verdict).toBe('not measured');
    expect(evaluateClaim(claim(), campaign(cell('docker', 8, [10, 10, 10])))).toMatchObject({
      reason: 'kvm not run (nor a stand-in: microvm)',
    });
    const unsupported = row({ backend: 'kvm', guests: 8, state: 'unsupported', value: null, reason: 'no /dev/kvm' });
    expect(evaluateClaim(claim(), campaign([...cell('docker', 8, [10, 10, 10]), unsupported]))).toMatchObject({
      verdict: 'not measured',
      reason: 'kvm unsupported: no /dev/kvm',
    });
  });

  it("takes a stand-in for the thesis's backend where its own was not run, and says so", () => {
    const podman = cell('podman', 8, [10.0, 10.1, 9.9, 10.0]);
    const kvm = cell('kvm', 8, [10.2, 10.0, 10.1, 10.1]);
    const result = evaluateClaim(claim(), campaign([...podman, ...kvm]));
    expect(result.verdict).toBe('holds');
    expect(result.verdict !== 'not measured' && result.cells[0]).toMatchObject({
      thesisBackend: 'docker',
      backend: 'podman',
    });
  });

  it('does not set a VM under TCG against a container, but keeps ours for reference; a TCG trend is fine', () => {
    const emulated = [...cell('docker', 8, [10, 10.1, 9.9]), ...cell('kvm', 8, [10, 10.1, 9.9], { accel: 'tcg' })];
    const result = evaluateClaim(claim(), campaign(emulated));
    expect(result.verdict).toBe('not measured');
    expect(result.verdict === 'not measured' && result.reason).toMatch(/kvm ran under TCG/);
    expect(result.ours).not.toBeNull();
    const trend = claim({
      kind: 'trend',
      quantity: { ratio: [term('kvm', 8), term('kvm', 1)] },
      tolerance: { above: 1.2 },
      thesis: { value: 1.47, rows: [], printed: null, figure: null, inconsistencies: [] },
    });
    const growing = [
      ...cell('kvm', 1, [10, 10.1, 9.9], { accel: 'tcg' }),
      ...cell('kvm', 8, [20, 20.1, 19.9], { accel: 'tcg' }),
    ];
    expect(evaluateClaim(trend, campaign(growing)).verdict).toBe('holds');
  });

  it('evaluates a compound quantity: a difference over the bare host', () => {
    const compound = claim({
      kind: 'value',
      quantity: { ratio: [{ difference: [term('kvm', 8), term('kvm', 1)] }, term('native', 1)] },
      thesis: { value: 0.196, rows: [], printed: null, figure: null, inconsistencies: [] },
      tolerance: { factor: 2 },
    });
    const rows = [
      ...cell('native', 1, [36, 36.2, 35.8]),
      ...cell('kvm', 1, [37, 37.1, 36.9]),
      ...cell('kvm', 8, [44, 44.2, 43.8]),
    ];
    const result = evaluateClaim(compound, campaign(rows));
    expect(result.verdict).toBe('holds');
    expect(result.verdict !== 'not measured' && result.ours.value).toBeCloseTo(7 / 36, 10);
  });

  it('pools the configurations both sides measured', () => {
    const observer = (backend: ClaimTerm['backend']): ClaimTerm => ({
      backend,
      guests: 1,
      metric: 'total_time',
      measuredBy: 'observer',
      pool: 'configs',
    });
    const migration = claim({
      experiment: 'migration',
      quantity: { ratio: [observer('kvm'), observer('docker')] },
      thesis: { value: 20, rows: [], printed: null, figure: null, inconsistencies: [] },
      tolerance: { factor: 2 },
    });
    const at = (backend: Sample['backend'], config: string, values: number[]) =>
      cell(backend, 1, values, { experiment: 'migration', measured_by: 'observer', config });
    const rows = [
      ...at('kvm', 'clean-1cpu-512m', [20, 21]),
      ...at('kvm', 'loaded-2cpu-512m', [22, 21]),
      ...at('kvm', 'loaded-1cpu-512m', [23, 24]),
      ...at('kvm', 'clean-1cpu-2048m', [40, 41]),
      ...at('podman', 'clean-1cpu-512m', [1, 1.05]),
      ...at('podman', 'loaded-2cpu-512m', [1.1, 1.05]),
      ...at('podman', 'loaded-1cpu-512m', [1.15, 1.2]),
    ];
    const result = evaluateClaim(migration, campaign(rows));
    expect(result.verdict).toBe('holds');
    if (result.verdict === 'not measured') throw new Error('measured');
    expect(result.cells[0]?.configs).toEqual(['clean-1cpu-512m', 'loaded-1cpu-512m', 'loaded-2cpu-512m']);
    // the unit is the configuration: one mean per configuration, paired across the two sides
    expect(result.cells[0]?.values).toEqual([20.5, 23.5, 21.5]);
    expect(result.cells[0]?.units).toEqual(['clean-1cpu-512m', 'loaded-1cpu-512m', 'loaded-2cpu-512m']);
    expect(result.ours.value).toBeCloseTo(65.5 / 3.275, 10);
    // and its line says so: n counts configurations, not repeats
    expect(cellsText(result)).toContain('(n=3 configuration means)');
    // two configurations are two observations, whatever their repeats: no interval
    const two = rows.filter((row) => row.config !== 'loaded-1cpu-512m');
    expect(evaluateClaim(migration, campaign(two))).toMatchObject({
      verdict: 'inconclusive',
      reason: 'too few configurations (n=2) for an interval',
    });
    const apart = [...at('kvm', 'clean-1cpu-2048m', [40, 41]), ...at('podman', 'clean-1cpu-512m', [1, 1.05])];
    expect(evaluateClaim(migration, campaign(apart))).toMatchObject({
      verdict: 'not measured',
      reason: 'kvm and podman measured no configuration in common',
    });
  });

  it('pairs two cells of one run repeat by repeat: what a repeat shares cancels', () => {
    const restoreClaim = claim({
      experiment: 'latency-restore',
      quantity: {
        ratio: [
          { backend: 'kvm', guests: 0, metric: 'cold_boot_time' },
          { backend: 'kvm', guests: 0, metric: 'restore_time' },
        ],
      },
      thesis: { value: 10, rows: [], printed: null, figure: null, inconsistencies: [] },
      tolerance: { factor: 2 },
    });
    // a slow repeat slows both: the cold boot is 10x the restore in every repeat
    const run = (metric: Sample['metric'], values: number[]) =>
      values.map((value, index) =>
        row({
          experiment: 'latency-restore',
          backend: 'kvm',
          accel: 'kvm',
          guests: 0,
          metric,
          repeat: index + 1,
          value,
        }),
      );
    const rows = [...run('cold_boot_time', [5, 8, 6, 9]), ...run('restore_time', [0.5, 0.8, 0.6, 0.9])];
    const paired = evaluateClaim(restoreClaim, campaign(rows));
    if (paired.verdict === 'not measured') throw new Error('measured');
    expect(paired.cells.map((cell) => [cell.units, cell.pairing])).toEqual([
      [[1, 2, 3, 4], 'kvm/kvm/0/'],
      [[1, 2, 3, 4], 'kvm/kvm/0/'],
    ]);
    expect(paired.ours).toMatchObject({ value: expect.closeTo(10, 12), interval: 'ok' });
    if (paired.ours.interval !== 'ok') throw new Error('expected an interval');
    expect(paired.ours.high - paired.ours.low).toBeLessThan(1e-9);
    expect(paired.verdict).toBe('holds');
    // the same values as two independent runs: the spread between repeats no longer cancels
    const apart = claimEstimate(
      restoreClaim.quantity,
      paired.cells.map((cell, index) => ({ ...cell, pairing: `run ${index}` })),
    );
    expect(apart).toMatchObject({ value: expect.closeTo(10, 12), interval: 'ok' });
    if (apart.interval !== 'ok') throw new Error('expected an interval');
    expect(apart.low).toBeLessThan(7);
    expect(apart.high).toBeGreaterThan(14);
  });

  it('is reproducible: the same rows give the same interval', () => {
    const result = evaluateClaim(claim(), campaign(tight));
    if (result.verdict === 'not measured') throw new Error('measured');
    const { cells } = result;
    expect(claimEstimate(claim().quantity, cells)).toEqual(claimEstimate(claim().quantity, cells));
  });
});

describe('the claims table', () => {
  it('has a row per claim with its verdict, and counts the verdicts', () => {
    const results = [
      evaluateClaim(claim(), campaign([...cell('docker', 8, [10.0, 10.1, 9.9]), ...cell('kvm', 8, [10.0, 10.1, 9.9])])),
      evaluateClaim(claim({ id: '4.5.1-other' }), undefined),
    ];
    expect(countVerdicts(results)).toEqual({ holds: 1, fails: 0, inconclusive: 0, 'not measured': 1 });
    const html = claimVerdictsHtml(results, "The thesis's claims");
    expect(html).toContain('<tr data-claim="4.5.1-hand-made" data-verdict="holds">');
    expect(html).toContain('<tr data-claim="4.5.1-other" data-verdict="not measured">');
    expect(html).toContain('0.900x to 1.10x');
    expect(html).toContain('2 claims: 1 holds, 0 fails, 0 inconclusive, 1 not measured');
    expect(claimVerdictsHtml(results, 'x', { counts: false })).not.toContain('2 claims');
  });
});
