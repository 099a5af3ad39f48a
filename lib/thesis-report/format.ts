/**
 * Shared pieces of the thesis report: the data it takes, how a thesis value is written out, and the
 * inline styles every table and list uses (so they look the same in Jupyter, nbconvert and mail).
 */
import { backendDescriptor, type BackendName } from '../model/backends.js';
import type { ThesisInconsistency, ThesisRow } from '../thesis/index.js';

/** What every report builder takes: the two files of data/thesis/, e.g. `loadThesis()`. */
export interface ThesisReportData {
  rows: readonly ThesisRow[];
  inconsistencies: readonly ThesisInconsistency[];
}

/** How a backend is named in the report: the thesis's series of it (its VMs ran under KVM). */
export function thesisLabel(backend: BackendName): string {
  return backendDescriptor(backend).thesisLabel;
}

/**
 * The text and unit of a value as the thesis prints it: `printed` when the stored value was converted, two decimals in
 * tables.
 */
export function printedText(row: ThesisRow): string {
  if (row.printed !== null) {
    const value = String(row.printed.value);
    // "0.25%" already carries its unit; ratios and counts print bare
    const bare = row.printed.unit === 'ratio' || row.printed.unit === 'count' || value.endsWith(row.printed.unit);
    return bare ? value : `${value} ${row.printed.unit}`;
  }
  if (row.unit === null || row.unit === 'count' || row.unit === 'ratio') return String(row.value);
  // the thesis's tables print times with two decimals (6.30, 9.00)
  const digits =
    row.source.kind === 'table' && typeof row.value === 'number' ? row.value.toFixed(2) : String(row.value);
  return `${digits} ${row.unit}`;
}

/** "1230-1234, 1486-1490": sorted, deduplicated seed lines with runs collapsed. */
export function lineRanges(lines: readonly number[]): string {
  const sorted = [...new Set(lines)].sort((a, b) => a - b);
  const parts: string[] = [];
  let start: number | undefined;
  let previous: number | undefined;
  for (const line of [...sorted, Number.NaN]) {
    if (start !== undefined && previous !== undefined && line === previous + 1) {
      previous = line;
      continue;
    }
    if (start !== undefined && previous !== undefined)
      parts.push(start === previous ? String(start) : `${start}-${previous}`);
    start = line;
    previous = line;
  }
  return parts.join(', ');
}

/** Seed lines of the rows named by `ids` that exist in `rows`. */
export function linesOf(rows: readonly ThesisRow[], ids: readonly string[]): number[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [row.source.line] : [];
  });
}

/** Kinds of inconsistency in words. */
export const INCONSISTENCY_KIND_LABELS: Record<ThesisInconsistency['kind'], string> = {
  'verbatim-copy': 'verbatim copy',
  'conflicting-values': 'conflicting values',
  'text-vs-table': 'text contradicts table',
  'missing-reference': 'missing reference',
  label: 'wrong label',
  implausible: 'implausible values',
  'unreconciled-summary': 'summary does not follow',
};

// inline styles shared by the report's HTML
export const TABLE_STYLE = 'border-collapse:collapse;font-family:sans-serif;font-size:13px;margin:8px 0';
export const CAPTION_STYLE = 'caption-side:bottom;text-align:left;font-weight:bold;padding:6px 0 2px 0';
export const TH_STYLE = 'padding:2px 8px;border-bottom:1px solid #888;text-align:left';
export const TD_STYLE = 'padding:2px 8px';
export const NOTE_STYLE = 'font-family:sans-serif;font-size:12px;color:#444;margin:2px 0 14px 0;max-width:60em';
