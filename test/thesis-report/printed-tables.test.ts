/**
 * The thesis's printed tables regenerated from data/thesis/: same rows, cells and captions as the
 * thesis text prints them, and a footnote per inconsistency their values take part in.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ThesisLookupError, loadThesis } from '../../lib/thesis/index.js';
import {
  PRINTED_TABLES,
  printedTable,
  printedTableHtml,
  thesisTableHtml,
  type PrintedTable,
} from '../../lib/thesis-report/index.js';
import { thesisSeed } from '../helpers/thesis-seed.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = loadThesis(path.join(repoRoot, 'data', 'thesis'));

const texts = (table: PrintedTable) => table.rows.map((row) => row.map((cell) => cell.text));
/** The <tr> of an HTML table whose first cell is `label`. */
const htmlRow = (html: string, label: string) =>
  html.split('\n').find((line) => line.startsWith('<tr>') && line.includes(`>${label}</td>`)) ?? '';

describe('printed tables', () => {
  it('Table 5.1 prints 6.12 s at 1 VM and 30.77 s at 12, with two decimals as the thesis does', () => {
    const table = printedTable(data, 'Table 5.1');
    expect(table.caption).toBe('Table 5.1: Boot up & Shut down time of VMs');
    expect(table.header).toEqual(['Number of Virtual Machines', 'Boot up time (seconds)', 'Shutdown time (seconds)']);
    expect(texts(table)).toEqual([
      ['1', '6.12', '3.24'],
      ['2', '6.30', '3.40'],
      ['4', '7.86', '3.53'],
      ['8', '9.00', '4.03'],
      ['12', '30.77', '11.35'],
    ]);
    const html = printedTableHtml(table);
    expect(htmlRow(html, '1')).toContain('>6.12<');
    expect(htmlRow(html, '1')).toContain('>3.24<');
    expect(htmlRow(html, '12')).toContain('>30.77<');
    expect(htmlRow(html, '12')).not.toContain('6.12');
    expect(html).toContain('Table 5.1: Boot up &amp; Shut down time of VMs');
  });

  it('Table 6.1 carries the "copies Table 5.1" footnote on every cell', () => {
    const table = printedTable(data, 'Table 6.1');
    expect(texts(table)).toEqual(texts(printedTable(data, 'Table 5.1')));
    expect(table.footnotes.map((note) => note.inconsistency.id)).toEqual(['t6.1-copies-t5.1']);
    expect(table.rows.flatMap((row) => row.slice(1)).every((cell) => cell.notes.includes('a'))).toBe(true);
    const html = thesisTableHtml(data, 'Table 6.1');
    expect(html).toContain('t6.1-copies-t5.1');
    expect(html).toContain('Table 6.1: Migration Profile for VMs running mprime');
    expect(html).toContain('Lines 1230-1234, 1486-1490.');
  });

  it('Table 5.1 marks the cells the "triples" statement contradicts with a second footnote', () => {
    const table = printedTable(data, 'Table 5.1');
    expect(table.footnotes.map((note) => [note.marker, note.inconsistency.id])).toEqual([
      ['a', 't6.1-copies-t5.1'],
      ['b', 'boot-triples-vs-table'],
    ]);
    const boot = table.rows.map((row) => row[1]?.notes);
    expect(boot).toEqual([['a', 'b'], ['a'], ['a'], ['a'], ['a', 'b']]);
    expect(printedTableHtml(table)).toContain('30.77<sup style="color:#b00">a,b</sup>');
  });

  it('Table 5.2 keeps its printed (wrong) first heading and footnotes it', () => {
    const table = printedTable(data, 'Table 5.2');
    expect(table.header?.[0]).toBe('Number of Virtual Machines');
    expect(texts(table).map((row) => row[0])).toEqual(['1', '2', '4', '8', '16']);
    expect(texts(table)[0]).toEqual(['1', '0.44', '0.44']);
    expect(table.footnotes.map((note) => note.inconsistency.id)).toEqual(['t5.2-header-says-vms']);
  });

  it('Tables 4.2-4.5 are label / value tables with units, and Table 4.1 prints sizes as the thesis does', () => {
    expect(texts(printedTable(data, 'Table 4.2'))).toEqual([
      ['Minimum Time', '3.58 ms'],
      ['Average Time', '3.59 ms'],
      ['Maximum Time', '9.07 ms'],
      ['Approximating to 95 percentile', '3.62 ms'],
    ]);
    expect(printedTable(data, 'Table 4.3').footnotes.map((note) => note.inconsistency.id)).toEqual([
      't4.3-copies-t4.2',
    ]);
    const t44 = printedTable(data, 'Table 4.4');
    expect(texts(t44)[1]).toEqual(['Average time', '3472.17 ms']);
    expect(t44.footnotes.map((note) => note.inconsistency.id)).toEqual(['t4.5-copies-t4.4', 'mysql-latency-vs-events']);
    const t41 = printedTable(data, 'Table 4.1');
    expect(t41.header).toBeNull();
    expect(t41.footnotes).toEqual([]);
    expect(texts(t41)).toContainEqual(['RAM', '8 GB']);
    expect(texts(t41)).toContainEqual(['HDD Capacity', '500 GB']);
    expect(texts(t41)).toContainEqual(['Total number of CPUs', '8']);
    expect(thesisTableHtml(data, 'Table 4.1')).toContain('No inconsistency involves them.');
  });

  it('prints every label and value as the thesis text does, on the line the data names', () => {
    const seed = thesisSeed();
    const seedLines = seed.entries().map(([, text]) => text);
    for (const ref of PRINTED_TABLES) {
      const table = printedTable(data, ref);
      const captionLine = seedLines.find((line) => line.startsWith(`${ref}:`));
      expect(captionLine?.trim(), ref).toBe(table.caption);
      if (table.header)
        expect(
          seedLines.some((line) => line.trim() === table.header!.join('\t')),
          `${ref} header`,
        ).toBe(true);
      for (const row of table.rows) {
        const [label, ...values] = row;
        const line = seed.line(values[0]?.line ?? 0);
        // the printed row is label, tab, value(s)
        expect(line.trim(), `${ref} row ${label?.text}`).toBe(
          [label?.text, ...values.map((cell) => cell.text)].join('\t'),
        );
      }
    }
  });

  it('names an unknown table and a table whose rows are missing', () => {
    expect(() => printedTable(data, 'Table 9.9' as never)).toThrow(ThesisLookupError);
    const without = {
      rows: data.rows.filter((row) => row.id !== 't5.1-kvm-n4-shutdown_time'),
      inconsistencies: data.inconsistencies,
    };
    expect(() => printedTable(without, 'Table 5.1')).toThrow(
      /Table 5.1 cannot be regenerated.*shutdown_time value for N = 4/,
    );
  });

  it('escapes cell text', () => {
    const html = printedTableHtml({
      ref: 'Table 4.1',
      caption: 'Table 4.1: <x>',
      header: null,
      rows: [
        [
          { text: 'a & b', rowId: null, line: null, notes: [] },
          { text: '<1>', rowId: 'r', line: 1, notes: [] },
        ],
      ],
      footnotes: [],
      lines: [1],
    });
    expect(html).toContain('a &amp; b');
    expect(html).toContain('&lt;1&gt;');
    expect(html).toContain('Table 4.1: &lt;x&gt;');
  });
});
