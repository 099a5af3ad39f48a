import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { METRICS, UNITS } from '../../lib/results/schema.js';
import {
  COMPARISON_STATISTICS,
  THESIS_EXPERIMENTS,
  THESIS_EXTRA_METRICS,
  ThesisDataError,
  findThesisDir,
  loadInconsistencies,
  loadThesisRows,
  thesisRowKey,
} from '../../lib/thesis/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = path.join(repoRoot, 'data', 'thesis');

describe('data/thesis', () => {
  const rows = loadThesisRows(dataDir);
  const inconsistencies = loadInconsistencies(dataDir);

  it('loads and validates every row', () => {
    expect(rows.length).toBeGreaterThan(150);
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
  });

  it('uses only known experiments, metrics and units', () => {
    for (const row of rows) {
      expect(THESIS_EXPERIMENTS).toContain(row.experiment);
      expect(
        Object.hasOwn(METRICS, row.metric) || Object.hasOwn(THESIS_EXTRA_METRICS, row.metric),
        `${row.id}: metric ${row.metric}`,
      ).toBe(true);
      if (typeof row.value === 'string') {
        expect(row.experiment, row.id).toBe('host');
        expect(row.unit, row.id).toBeNull();
      } else {
        expect(UNITS, row.id).toContain(row.unit);
      }
    }
  });

  it('covers every experiment of design.md section 4', () => {
    for (const experiment of THESIS_EXPERIMENTS)
      expect(
        rows.some((row) => row.experiment === experiment),
        experiment,
      ).toBe(true);
  });

  it('gives comparisons the two things compared', () => {
    for (const row of rows) {
      expect(row.relates !== null, row.id).toBe(COMPARISON_STATISTICS.includes(row.statistic));
    }
  });

  it('has no duplicate quantity unless both rows share an inconsistency', () => {
    const byKey = new Map<string, typeof rows>();
    for (const row of rows.filter((r) => r.restates === null))
      byKey.set(thesisRowKey(row), [...(byKey.get(thesisRowKey(row)) ?? []), row]);
    for (const group of byKey.values()) {
      if (group.length < 2) continue;
      const [first, ...others] = group;
      for (const other of others) {
        expect(
          first!.inconsistencies.some((id) => other.inconsistencies.includes(id)),
          `${first!.id} vs ${other.id}`,
        ).toBe(true);
      }
    }
  });

  it('restatements repeat an original row exactly', () => {
    const byId = new Map(rows.map((row) => [row.id, row]));
    for (const row of rows.filter((r) => r.restates !== null)) {
      const original = byId.get(row.restates!);
      expect(original, row.id).toBeDefined();
      expect(original!.value, row.id).toBe(row.value);
      expect(thesisRowKey(original!), row.id).toBe(thesisRowKey(row));
    }
  });

  it('links rows and inconsistencies both ways, each inconsistency with at least two rows', () => {
    const ids = new Set(inconsistencies.map((item) => item.id));
    const rowIds = new Set(rows.map((row) => row.id));
    for (const row of rows) for (const id of row.inconsistencies) expect(ids.has(id), `${row.id} -> ${id}`).toBe(true);
    for (const item of inconsistencies) {
      expect(new Set(item.rows).size, item.id).toBeGreaterThanOrEqual(2);
      for (const rowId of item.rows) {
        expect(rowIds.has(rowId), `${item.id} -> ${rowId}`).toBe(true);
        expect(rows.find((row) => row.id === rowId)!.inconsistencies, `${rowId} names ${item.id}`).toContain(item.id);
      }
      expect(item.description.length, item.id).toBeGreaterThan(40);
    }
  });

  it('records the repeated tables as inconsistencies', () => {
    const ids = inconsistencies.map((item) => item.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        't4.3-copies-t4.2',
        't4.5-copies-t4.4',
        't6.1-copies-t5.1',
        'docker-migration-time-11.79-vs-11.70',
      ]),
    );
    const copy = inconsistencies.find((item) => item.id === 't6.1-copies-t5.1')!;
    const cells = (ref: string) =>
      rows
        .filter((row) => row.source.ref === ref && row.source.kind === 'table')
        .map((row) => `${row.guests}/${row.metric}/${String(row.value)}`)
        .sort();
    expect(cells('Table 6.1')).toEqual(cells('Table 5.1'));
    expect(copy.rows).toHaveLength(20);
  });

  it('finds the data directory from the module, from a compiled location and from an explicit start', () => {
    expect(findThesisDir()).toBe(dataDir);
    expect(findThesisDir(path.join(repoRoot, 'lib', 'thesis'))).toBe(dataDir);
    const fake = fs.mkdtempSync(path.join(os.tmpdir(), 'thesis-dir-'));
    try {
      fs.mkdirSync(path.join(fake, 'data', 'thesis'), { recursive: true });
      fs.writeFileSync(path.join(fake, 'data', 'thesis', 'values.jsonl'), '');
      fs.mkdirSync(path.join(fake, 'dist', 'lib', 'thesis'), { recursive: true });
      expect(findThesisDir(path.join(fake, 'dist', 'lib', 'thesis'))).toBe(path.join(fake, 'data', 'thesis'));
    } finally {
      fs.rmSync(fake, { recursive: true, force: true });
    }
  });
});

describe('loadThesisRows on malformed data', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  const good = {
    id: 'a',
    experiment: 'latency',
    backend: 'kvm',
    guests: 1,
    metric: 'boot_time',
    value: 6.12,
    unit: 's',
    statistic: 'mean',
    source: { kind: 'table', ref: 'Table 5.1', section: '5.0.2', line: 1230 },
    approximate: false,
    inconsistency: null,
  };

  function write(rows: object[], inconsistencies: object[] = []): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'thesis-bad-'));
    dirs.push(dir);
    fs.writeFileSync(path.join(dir, 'values.jsonl'), rows.map((row) => JSON.stringify(row)).join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'inconsistencies.json'), JSON.stringify(inconsistencies, null, 2));
    return dir;
  }

  function failure(dir: string): ThesisDataError {
    try {
      loadThesisRows(dir);
    } catch (error) {
      expect(error).toBeInstanceOf(ThesisDataError);
      return error as ThesisDataError;
    }
    throw new Error('expected loadThesisRows to throw');
  }

  it('accepts a good file', () => {
    expect(loadThesisRows(write([good]))).toHaveLength(1);
  });

  it('names the file and line of an unknown unit', () => {
    const dir = write([good, { ...good, id: 'b', guests: 2, unit: 'Kbps' }]);
    const error = failure(dir);
    expect(error.message).toContain(`${path.join(dir, 'values.jsonl')}:2`);
    expect(error.message).toContain('unknown unit "Kbps"');
    expect(error.line).toBe(2);
    expect(error.file).toBe(path.join(dir, 'values.jsonl'));
  });

  it('rejects a unit that does not fit the metric', () => {
    expect(failure(write([{ ...good, unit: 'ms' }])).message).toContain('does not fit metric `boot_time`');
  });

  it('rejects an unknown experiment, metric or field', () => {
    expect(failure(write([{ ...good, experiment: 'density-gpu' }])).message).toContain(
      'unknown experiment "density-gpu"',
    );
    expect(failure(write([{ ...good, metric: 'boot_tme' }])).message).toContain('unknown metric `boot_tme`');
    expect(failure(write([{ ...good, vcpu: 1 }])).message).toContain('unknown field `vcpu`');
  });

  it('rejects text values outside host rows', () => {
    expect(failure(write([{ ...good, value: 'fast', unit: null }])).message).toContain('only in host rows');
  });

  it('rejects invalid JSON with its line', () => {
    const dir = write([good]);
    fs.appendFileSync(path.join(dir, 'values.jsonl'), '{"id": \n');
    const error = failure(dir);
    expect(error.message).toContain(':2: not valid JSON');
  });

  it('rejects an unflagged duplicate quantity and accepts it when both rows share an inconsistency', () => {
    const error = failure(write([good, { ...good, id: 'b', value: 6.2, source: { ...good.source, line: 1250 } }]));
    expect(error.message).toContain(':2: `b` gives the same quantity as `a` (line 1)');
    const flagged = write(
      [
        { ...good, inconsistency: 'x' },
        { ...good, id: 'b', value: 6.2, inconsistency: ['x'] },
      ],
      [
        {
          id: 'x',
          kind: 'conflicting-values',
          refs: ['Table 5.1'],
          description: 'two values for one quantity',
          rows: ['a', 'b'],
        },
      ],
    );
    expect(loadThesisRows(flagged)).toHaveLength(2);
  });

  it('accepts a restatement with the same value and rejects one with another value', () => {
    expect(loadThesisRows(write([good, { ...good, id: 'b', restates: 'a' }]))).toHaveLength(2);
    expect(failure(write([good, { ...good, id: 'b', value: 6.2, restates: 'a' }])).message).toContain(
      'with another value',
    );
  });

  it('rejects inconsistency ids that do not resolve, and inconsistencies with fewer than two rows', () => {
    expect(failure(write([{ ...good, inconsistency: 'nope' }])).message).toContain('unknown inconsistency `nope`');
    const dir = write(
      [{ ...good, inconsistency: 'x' }],
      [{ id: 'x', kind: 'label', refs: ['Table 5.1'], description: 'one row only', rows: ['a'] }],
    );
    const error = failure(dir);
    expect(error.message).toContain(`${path.join(dir, 'inconsistencies.json')}:3`);
    expect(error.message).toContain('at least two distinct rows');
  });

  it('requires relates for comparisons', () => {
    expect(failure(write([{ ...good, statistic: 'ratio', unit: 'ratio' }])).message).toContain('needs `relates`');
  });
});
