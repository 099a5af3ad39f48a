/**
 * `guestbench export`: a committed campaign's rows as CSV and JSON lines, read back; bad input
 * refused in one line.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS, exportRows, rowsAsCsv } from '../../lib/results/export-rows.js';
import type { CampaignMeta } from '../../lib/results/campaign-meta.js';
import type { Sample } from '../../lib/results/schema.js';
import { readCampaignMeta, readSamples } from '../../lib/results/store.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/guestbench.js');
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/campaigns');
// latency-restore on six systems: measured rows, and an errored one with a long reason
const CAMPAIGN = '2026-12-02T01-19-42Z-ed5e';
const run = (...args: string[]) =>
  execa('node', [BIN, 'export', ...args], { reject: false, env: { GUESTBENCH_RESULTS: FIXTURES } });

/** RFC 4180, as a reader's CSV library parses it (the last line's line break optional). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endRow = (): void => {
    row.push(field);
    rows.push(row);
    row = [];
    field = '';
  };
  for (let index = 0; index < text.length; index++) {
    const char = text[index] as string;
    if (quoted && char === '"' && text[index + 1] === '"') {
      field += '"';
      index++;
    } else if (quoted && char === '"') quoted = false;
    else if (quoted) field += char;
    else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n') endRow();
    else field += char;
  }
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

describe('guestbench export', () => {
  const dir = path.join(FIXTURES, CAMPAIGN);
  const samples = readSamples(dir).samples;
  const meta = readCampaignMeta(dir);

  it('writes every row as CSV with the columns in order and the campaign facts beside each', async () => {
    const result = await run('--campaign', CAMPAIGN);
    expect(result.exitCode, result.stderr).toBe(0);
    const [header, ...rows] = parseCsv(result.stdout);
    expect(header).toEqual([...EXPORT_COLUMNS]);
    expect(rows).toHaveLength(samples.length);
    const column = (name: string) => EXPORT_COLUMNS.indexOf(name as never);
    for (const [index, row] of rows.entries()) {
      const sample = samples[index] as Sample;
      expect(row[column('metric')]).toBe(sample.metric);
      expect(row[column('value')]).toBe(sample.value === null ? '' : String(sample.value));
      expect(row[column('reason')]).toBe(sample.reason ?? '');
      expect(row[column('host')]).toBe(meta.host.hostname);
      expect(row[column('profile')]).toBe('quick');
    }
    expect(rows.some((row) => row[column('state')] === 'errored' && (row[column('reason')] ?? '').length > 0)).toBe(
      true,
    );
  });

  it('writes JSON lines to a file, two campaigns pooled, each row still saying its campaign and host', async () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gb-export-')), 'rows.jsonl');
    const other = '2026-12-02T01-18-46Z-e71b';
    const result = await run(
      '--campaign',
      `${CAMPAIGN},${path.join(FIXTURES, other)}`,
      '--format',
      'jsonl',
      '--out',
      out,
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const rows = fs
      .readFileSync(out, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const otherRows = readSamples(path.join(FIXTURES, other)).samples.length;
    expect(rows).toHaveLength(samples.length + otherRows);
    expect(result.stderr).toBe(`${rows.length} rows of 2 campaign(s) written to ${out}`);
    expect(new Set(rows.map((row) => row.campaign))).toEqual(new Set([CAMPAIGN, other]));
    expect(Object.keys(rows[0] as object).slice(0, 3)).toEqual(['campaign', 'experiment', 'profile']);
    fs.rmSync(path.dirname(out), { recursive: true });
  });

  it('quotes what CSV must quote', () => {
    const tricky = {
      ...(samples[0] as Sample),
      state: 'errored',
      value: null,
      reason: 'a "quoted", comma\nand a line',
    } as Sample;
    const [, row] = parseCsv(rowsAsCsv(exportRows(meta as CampaignMeta, [tricky])));
    expect(row?.[EXPORT_COLUMNS.indexOf('reason')]).toBe('a "quoted", comma\nand a line');
  });

  it('refuses an unknown campaign, a missing one and an unknown format in one line and a fix, exit 2', async () => {
    for (const args of [['--campaign', 'nope'], [], ['--campaign', CAMPAIGN, '--format', 'xml']]) {
      const result = await run(...args);
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(2);
      expect(result.stdout).toBe('');
    }
  });
});
