import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  THESIS_FRAME_COLUMNS,
  ThesisLookupError,
  selectThesisRows,
  thesisFrame,
  thesisNumber,
  thesisRecords,
  thesisValue,
} from '../../lib/thesis/index.js';

const dir = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'), 'data', 'thesis');

describe('thesisFrame', () => {
  it('has the join columns and only numeric rows', () => {
    const frame = thesisFrame(undefined, { dir });
    expect(frame.columns).toEqual([...THESIS_FRAME_COLUMNS]);
    expect(frame.shape[0]).toBe(thesisRecords(undefined, { dir }).length);
    expect((frame['value'].values as unknown[]).every((value) => typeof value === 'number')).toBe(true);
    const textRows = selectThesisRows((row) => typeof row.value === 'string', { dir });
    expect(textRows.length).toBeGreaterThan(0);
    expect((frame['id'].values as string[]).some((id) => textRows.some((row) => row.id === id))).toBe(false);
  });

  it('filters by query and keeps double precision', () => {
    const frame = thesisFrame({ experiment: 'latency', backend: 'kvm', statistic: 'mean' }, { dir });
    expect(frame.shape[0]).toBe(10);
    expect(frame['guests'].values).toEqual([1, 1, 2, 2, 4, 4, 8, 8, 12, 12]);
    const io = thesisFrame({ experiment: 'density-fileio', backend: 'kvm', guests: 8 }, { dir });
    expect(io['value'].values).toEqual([77.42 / 1024]);
  });

  it('leaves restatements out unless asked, and joins inconsistency ids', () => {
    const without = thesisRecords(
      { experiment: 'latency', guests: 1, metric: 'boot_time', statistic: 'mean' },
      { dir },
    );
    const withThem = thesisRecords(
      { experiment: 'latency', guests: 1, metric: 'boot_time', statistic: 'mean' },
      { dir, includeRestatements: true },
    );
    expect(without.map((row) => row.id).sort()).toEqual(['t5.1-kvm-n1-boot_time', 't5.2-docker-n1-boot_time']);
    expect(withThem).toHaveLength(4);
    expect(without.find((row) => row.id === 't5.1-kvm-n1-boot_time')!.inconsistency).toBe(
      't6.1-copies-t5.1,boot-triples-vs-table',
    );
  });

  it('returns an empty frame with the columns when nothing matches', () => {
    const frame = thesisFrame({ experiment: 'latency', guests: 99 }, { dir });
    expect(frame.shape).toEqual([0, THESIS_FRAME_COLUMNS.length]);
  });
});

describe('thesisValue', () => {
  it('returns the one matching row with its provenance', () => {
    const row = thesisValue({ experiment: 'density-cpu', backend: 'native', metric: 'latency_avg' }, { dir });
    expect(row.id).toBe('t4.2-native-latency_avg');
    expect(row.source).toMatchObject({ kind: 'table', ref: 'Table 4.2', line: 1001 });
    expect(thesisNumber({ id: 'f4.1-native-total_time' }, { dir })).toBe(35.94);
  });

  it('throws listing the candidates when ambiguous, naming a shared inconsistency', () => {
    let error: unknown;
    try {
      thesisValue({ experiment: 'migration', backend: 'docker', metric: 'total_time' }, { dir });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ThesisLookupError);
    const lookup = error as ThesisLookupError;
    expect([...lookup.candidates].sort()).toEqual(['f6.5-docker-total_time', 's6.5.1-docker-total_time']);
    expect(lookup.message).toContain('docker-migration-time-11.79-vs-11.70');
    expect(lookup.message).toContain('11.79 s (Table 6.2, line 1508');
  });

  it('throws when nothing matches', () => {
    expect(() =>
      thesisValue({ experiment: 'latency', backend: 'kvm', guests: 3, metric: 'boot_time' }, { dir }),
    ).toThrow(/No thesis value matches/);
  });

  it('refuses text rows as numbers', () => {
    expect(thesisValue({ id: 't4.1-kernel' }, { dir }).value).toBe('4.4.0-28-generic');
    expect(() => thesisNumber({ id: 't4.1-kernel' }, { dir })).toThrow(/is text/);
  });
});
