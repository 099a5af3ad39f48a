/**
 * Every row's number is printed on the thesis line it cites, read from the repository's fixture of
 * the thesis lines (test/helpers/thesis-seed.ts; checked against the text by seed-fixture.test.ts).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UNITS } from '../../lib/results/schema.js';
import { loadThesisRows, type ThesisRow } from '../../lib/thesis/index.js';
import { thesisSeed } from '../helpers/thesis-seed.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const seed = thesisSeed();
const rows = loadThesisRows(path.join(repoRoot, 'data', 'thesis'));

/**
 * The text a row's value must appear in: its line, plus the next line only when the row says the
 * value wraps onto it (`source.wrap`), the one tolerance for a table cell split over two lines.
 */
function citedText(row: ThesisRow): string {
  const line = seed.line(row.source.line);
  if (!row.source.wrap) return line;
  return `${line} ${seed.line(row.source.line + 1)}`;
}

/** Numbers printed in a text: "6.120" and "6.12" are the same number; "1,000,000" is one number, "1,2,4" three. */
function numbersIn(text: string): number[] {
  return (text.match(/\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/g) ?? []).map((token) =>
    Number(token.replace(/,/g, '')),
  );
}

function normalize(text: string): string {
  return text.replace(/\s+/g, ' ').toLowerCase();
}

describe('numbers in numbersIn()', () => {
  it('reads formatted numbers', () => {
    expect(numbersIn('clocked at 6.120 s, 1,000,000 rows, 1,2,4 CPUs')).toEqual([6.12, 1000000, 1, 2, 4]);
  });
});

describe(`provenance against the thesis text (${seed.total} lines)`, () => {
  it.each(rows.map((row) => [row.id, row] as const))('%s is printed on its line', (_id, row) => {
    expect(row.source.line).toBeLessThanOrEqual(seed.total);
    const text = citedText(row);
    const printed = row.printed?.value ?? row.value;
    if (typeof printed === 'number') {
      expect(numbersIn(text), `line ${row.source.line}: ${text.slice(0, 200)}`).toContain(printed);
    } else {
      expect(normalize(text), `line ${row.source.line}`).toContain(normalize(printed));
    }
    // a thesis unit word kept beside a converted value must be on the line too (our own units need not be)
    if (row.printed && !(UNITS as readonly string[]).includes(row.printed.unit)) {
      expect(normalize(text), `unit ${row.printed.unit} on line ${row.source.line}`).toContain(
        normalize(row.printed.unit),
      );
    }
  });

  it.each(rows.map((row) => [row.id, row] as const))('%s names the section its line is in', (_id, row) => {
    expect(seed.sectionAt(row.source.line)).toBe(row.source.section);
  });

  it.each(rows.filter((row) => row.source.kind === 'table').map((row) => [row.id, row] as const))(
    '%s sits above the caption of its table',
    (_id, row) => {
      const caption = seed
        .entries()
        .find(([line, text]) => line > row.source.line && /^Table \d+\.\d+:/.test(text))?.[1];
      expect(caption?.split(':')[0]).toBe(row.source.ref);
    },
  );

  it('cites only lines of chapters 4 to 6', () => {
    const chapter = (title: string) =>
      seed.entries().find(([line, text]) => line > 500 && text.trim() === title)?.[0] ?? 0;
    const [start, end] = [chapter('Chapter 4'), chapter('Chapter 7')];
    expect(start).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.source.line, row.id).toBeGreaterThan(start);
      expect(row.source.line, row.id).toBeLessThan(end);
    }
  });
});
