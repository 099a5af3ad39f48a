/**
 * The list of the thesis's inconsistencies, and the table of the settings it states.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadThesis } from '../../lib/thesis/index.js';
import {
  inconsistencyListHtml,
  lineRanges,
  printedText,
  thesisParameterRows,
  thesisParametersHtml,
} from '../../lib/thesis-report/index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const data = loadThesis(path.join(repoRoot, 'data', 'thesis'));

describe('inconsistency list', () => {
  const html = inconsistencyListHtml(data);

  it("lists every inconsistency with every row it involves and that row's line", () => {
    expect(data.inconsistencies.length).toBeGreaterThan(0);
    const items = html.split('<li ').slice(1);
    expect(items).toHaveLength(data.inconsistencies.length);
    const rows = new Map(data.rows.map((row) => [row.id, row]));
    data.inconsistencies.forEach((inconsistency, index) => {
      const item = items[index] ?? '';
      expect(item).toContain(`data-inconsistency="${inconsistency.id}"`);
      for (const id of inconsistency.rows) {
        const row = rows.get(id)!;
        const tr = item.split('\n').find((line) => line.includes(`<code>${id}</code>`));
        expect(tr, `${inconsistency.id} lists ${id}`).toBeDefined();
        expect(tr).toContain(`>${row.source.line}</td>`);
      }
    });
  });

  it('shows values as printed, hedged ones marked', () => {
    expect(html).not.toContain('<script');
    const docker = data.rows.find((row) => row.id === 's6.5.2-docker-downtime')!;
    expect(printedText(docker)).toBe('5.7 seconds');
    expect(html).toContain('≈ 5.7 seconds');
  });
});

describe('report helpers', () => {
  it('collapses runs of seed lines', () => {
    expect(lineRanges([1234, 1230, 1231, 1232, 1233, 1490, 1486, 1252])).toBe('1230-1234, 1252, 1486, 1490');
    expect(lineRanges([])).toBe('');
  });

  it("prints values with the thesis's own units", () => {
    const byId = new Map(data.rows.map((row) => [row.id, row]));
    expect(printedText(byId.get('f4.9-kvm-n8-total_mib_per_s')!)).toBe('77.42 Kbps');
    expect(printedText(byId.get('f4.4-docker-events-n2-vs-n1')!)).toBe('0.25%');
    expect(printedText(byId.get('f4.2-4.3-n8-latency_max-docker-over-kvm')!)).toBe('half');
    expect(printedText(byId.get('t4.1-cpu_model')!)).toBe('Intel (R) Core (TM) i7-4770 CPU@3.40 GHz');
  });

  it('tables the settings the thesis states', () => {
    const ids = thesisParameterRows(data).map((row) => row.id);
    expect(ids).toContain('s4.5.1-cpu_max_prime');
    expect(ids).toContain('s6.3-repeats');
    expect(thesisParametersHtml(data)).toContain('>30000<');
  });
});
