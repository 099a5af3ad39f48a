/**
 * data/thesis/claims.jsonl: every record valid, every cited line inside chapters 4-7 of the thesis,
 * and a malformed record refused with its id, line and field named.
 */
import { describe, expect, it } from 'vitest';
import { ClaimDataError, claimTerms, loadClaims, parseClaims, type ClaimRecord } from '../../lib/thesis/index.js';
import { thesisSeed } from '../helpers/thesis-seed.js';

const FILE = 'claims.jsonl';

const good = {
  id: '4.5.1-example',
  section: '4.5.1',
  line: 987,
  claim: 'an example claim',
  experiment: 'density-cpu',
  kind: 'ratio',
  quantity: {
    ratio: [
      { backend: 'docker', guests: 8, metric: 'total_time' },
      { backend: 'kvm', guests: 8, metric: 'total_time' },
    ],
  },
  unit: 'x',
  thesis: { value: 1 },
  tolerance: { within: 0.1 },
  notebook: '01-density-cpu',
};

function refusal(record: unknown, known?: ReadonlySet<string>): ClaimDataError {
  try {
    parseClaims(JSON.stringify(record), FILE, known);
  } catch (error) {
    if (error instanceof ClaimDataError) return error;
    throw error;
  }
  throw new Error('expected the record to be refused');
}

describe('the claims file', () => {
  const claims = loadClaims();

  it('has one valid record per claim, ids unique, every chapter 4-7 covered', () => {
    expect(claims.length).toBeGreaterThanOrEqual(45);
    expect(new Set(claims.map((claim) => claim.id)).size).toBe(claims.length);
    expect(new Set(claims.map((claim) => claim.section.split('.')[0]))).toEqual(new Set(['4', '5', '6', '7']));
    // no claim is a plain difference any more: seconds across different boot definitions became ratios
    expect(new Set(claims.map((claim) => claim.kind))).toEqual(new Set(['ratio', 'ordering', 'trend']));
  });

  it('names the claims the issue lists', () => {
    const ids = claims.map((claim) => claim.id);
    for (const id of [
      '4.5.1-cpu-total-n8',
      '4.5.1-cpu-vm-n8-over-n1',
      '4.5.1-cpu-latency-min-n8',
      '4.5.1-cpu-latency-p95-n8',
      '4.5.2-fileio-rw-constant-docker',
      '5.0.2-boot-vm-slow-to-n8',
      '5.0.2-boot-vm-sharp-after-n8',
      '5.0.2-container-shutdown-overlaps-boot',
      '6.5.1-loaded-vm-vcpus-flat',
      '7.3-downtime-vm-lower',
      '5.0.2-boot-container-flat-n16',
      '7.1-boot-vm-grows-n8',
      '7.1-restore-helps-vms',
      '7.1-restore-not-for-containers',
      '6.5.1-migration-vm-20x',
      '6.5.2-downtime-container-double',
      '4.5.2-fileio-containers-better-n8',
      '4.5.3-mysql-containers-better-n8',
    ])
      expect(ids).toContain(id);
  });

  it('cites lines of chapters 4-7 that carry text, after their section heading', () => {
    const seed = thesisSeed();
    for (const claim of claims) {
      expect(claim.line, claim.id).toBeGreaterThanOrEqual(862);
      expect(claim.line, claim.id).toBeLessThan(1600);
      expect(seed.line(claim.line).trim().length, claim.id).toBeGreaterThan(0);
      const heading = seed.entries().find(([, text]) => text.startsWith(`${claim.section} `))?.[0] ?? -1;
      expect(heading, `${claim.id}: section heading`).toBeGreaterThan(0);
      expect(claim.line, claim.id).toBeGreaterThan(heading);
    }
  });

  it("keeps a notebook's claims and an experiment's apart", () => {
    const fileio = loadClaims({ notebook: '02-density-fileio' });
    expect(fileio.length).toBeGreaterThan(5);
    expect(fileio.every((claim) => claim.experiment === 'density-fileio')).toBe(true);
    expect(loadClaims({ experiments: ['migration'] }).every((claim) => claim.notebook === '05-migration')).toBe(true);
  });

  it('compares like quantities: a cell of a total or count is never a quantity on its own', () => {
    for (const claim of claims) expect('metric' in claim.quantity, claim.id).toBe(false);
    const pooled = claims.flatMap((claim) => claimTerms(claim.quantity)).filter((term) => term.pool === 'configs');
    expect(pooled.every((term) => term.measuredBy === 'observer')).toBe(true);
  });
});

describe('a malformed claim', () => {
  it('parses a good one with defaults filled in', () => {
    const [claim] = parseClaims(JSON.stringify(good), FILE) as [ClaimRecord];
    expect(claim.thesis).toEqual({ value: 1, rows: [], printed: null, figure: null, inconsistencies: [] });
    expect(claim.note).toBeNull();
    expect(claim.restates).toBeNull();
    expect(claim.group).toBeNull();
  });

  it('names the record, its line and the field', () => {
    const error = refusal({ ...good, tolerance: { factor: 0.5 } });
    expect(error.message).toBe(
      'Malformed claim 4.5.1-example at claims.jsonl:1: `tolerance.factor` expected a factor above 1, got 0.5',
    );
    expect(error).toMatchObject({ claimId: '4.5.1-example', line: 1, field: 'tolerance.factor', file: FILE });
  });

  it.each([
    [{ ...good, colour: 'red' }, 'colour', 'unknown field'],
    [{ ...good, kind: 'vibe' }, 'kind', 'expected one of ratio, ordering, trend, value'],
    [{ ...good, experiment: 'host' }, 'experiment', 'expected one of'],
    [{ ...good, section: '3.2' }, 'section', 'chapters 4-7'],
    [{ ...good, id: 'cpu-total' }, 'id', 'start with its section'],
    [{ ...good, line: 0 }, 'line', '1-based line'],
    [{ ...good, thesis: { value: null } }, 'thesis.printed', 'needs the words'],
    [{ ...good, thesis: { value: null, printed: 'more' } }, 'tolerance.within', 'needs `thesis.value`'],
    [{ ...good, tolerance: { within: 0.1, factor: 2 } }, 'tolerance', 'expected one of'],
    [{ ...good, quantity: { ratio: [good.quantity.ratio[0]] } }, 'quantity.ratio', 'expected two quantities'],
    [{ ...good, quantity: { sum: [] } }, 'quantity', 'expected a cell'],
    [
      { ...good, quantity: { ratio: [{ ...good.quantity.ratio[0], backend: 'podman' }, good.quantity.ratio[1]] } },
      'quantity.ratio[0].backend',
      'expected one of native, docker, kvm',
    ],
    [
      { ...good, quantity: { ratio: [good.quantity.ratio[0], { ...good.quantity.ratio[1], guests: -1 }] } },
      'quantity.ratio[1].guests',
      'integer of 0 or more',
    ],
    [
      { ...good, quantity: { ratio: [{ ...good.quantity.ratio[0], metric: 'speed' }, good.quantity.ratio[1]] } },
      'quantity.ratio[0].metric',
      'expected one of',
    ],
    [
      { ...good, quantity: { ...good.quantity.ratio[0], config: { load: 'idle', memory: 'largest' } } },
      'quantity.config.load',
      'expected one of clean, loaded',
    ],
    [
      { ...good, quantity: { ...good.quantity.ratio[0], config: { load: 'clean', memory: 'biggest' } } },
      'quantity.config.memory',
      'expected one of smallest, largest',
    ],
    [
      { ...good, quantity: { ...good.quantity.ratio[0], config: { load: 'clean', memory: 'largest', vcpus: 0 } } },
      'quantity.config.vcpus',
      'integer of 1 or more',
    ],
    [
      {
        ...good,
        quantity: { ...good.quantity.ratio[0], pool: 'configs', config: { load: 'clean', memory: 'largest' } },
      },
      'quantity.config',
      'either `pool` or `config`',
    ],
  ])('%# refuses `%s`', (record, field, words) => {
    const error = refusal(record);
    expect(error.field).toBe(field);
    expect(error.message).toContain(`\`${field}\``);
    expect(error.message).toContain(words);
  });

  it('refuses a repeated id and a thesis row values.jsonl does not have', () => {
    expect(() => parseClaims(`${JSON.stringify(good)}\n${JSON.stringify(good)}`, FILE)).toThrow(
      'Malformed claim 4.5.1-example at claims.jsonl:2: `id` repeats the id of line 1',
    );
    expect(
      refusal({ ...good, thesis: { value: 1, rows: ['t9.9-nope'] } }, new Set(['t5.1-kvm-n1-boot_time'])).message,
    ).toContain('names t9.9-nope, which values.jsonl does not have');
  });

  it('validates the figure, inconsistencies, restatements and groups, naming record and field', () => {
    const refused = (text: string, known?: ReadonlySet<string>, inconsistencies?: ReadonlySet<string>) => {
      try {
        parseClaims(text, FILE, known, inconsistencies);
      } catch (error) {
        if (error instanceof ClaimDataError) return error;
        throw error;
      }
      throw new Error('expected the claims to be refused');
    };
    const line = (record: object) => JSON.stringify(record);
    const figure = refused(
      line({ ...good, thesis: { value: 1, rows: ['a'], figure: { ratio: [{ row: 'a' }, { row: 'b' }] } } }),
    );
    expect(figure).toMatchObject({ claimId: '4.5.1-example', field: 'thesis.figure' });
    expect(figure.message).toContain('reads row b, which `thesis.rows` does not cite');
    expect(refused(line({ ...good, thesis: { value: 1, figure: { power: [{ value: 2 }, 0.5] } } })).field).toBe(
      'thesis.figure.power[1]',
    );
    expect(refused(line({ ...good, thesis: { value: 1, figure: { mean: [] } } })).field).toBe('thesis.figure');
    const inconsistency = refused(
      line({ ...good, thesis: { value: 1, inconsistencies: ['nope'] } }),
      undefined,
      new Set(['t6.2-missing']),
    );
    expect(inconsistency.message).toBe(
      'Malformed claim 4.5.1-example at claims.jsonl:1: `thesis.inconsistencies` names nope, which inconsistencies.json does not have',
    );
    const second = { ...good, id: '7.1-again', section: '7.1', line: 1574 };
    expect(refused(`${line(good)}\n${line({ ...second, restates: '4.5.1-nope' })}`)).toMatchObject({
      claimId: '7.1-again',
      line: 2,
      field: 'restates',
      message: expect.stringContaining('names 4.5.1-nope, which is not a claim of this file'),
    });
    expect(refused(line({ ...good, group: 'one-only' })).message).toContain(
      'names group one-only, which no other claim has',
    );
    expect(refused(line({ ...good, group: 'Not A Name' })).field).toBe('group');
    // a restatement carries its original's group
    const grouped = `${line({ ...good, group: 'cpu' })}\n${line({ ...good, id: '4.5.1-b', group: 'cpu' })}\n${line({ ...second, restates: '4.5.1-example' })}`;
    expect(refused(grouped)).toMatchObject({
      claimId: '7.1-again',
      field: 'group',
      message: expect.stringContaining('expected `group: cpu`'),
    });
    expect(
      refused(
        `${line(good)}\n${line({ ...second, restates: '4.5.1-example' })}\n${line({ ...second, id: '7.1-twice', restates: '7.1-again' })}`,
      ).message,
    ).toContain('itself a restatement of 4.5.1-example: name the original');
  });

  it('refuses text that is not JSON, and an empty file', () => {
    expect(() => parseClaims('{"id": ', FILE)).toThrow(/Malformed claim at claims.jsonl:1: not valid JSON/);
    expect(() => parseClaims('\n', FILE)).toThrow('No claims in claims.jsonl');
  });
});
