/**
 * The tidy rows of campaigns for readers who analyse elsewhere (pandas, R): one row per measured
 * value (or failure), every column a campaign's row carries, plus the campaign's profile and host
 * so that rows of several campaigns can be pooled and still say what produced them.
 */
import type { CampaignMeta } from './campaign-meta.js';
import type { Sample } from './schema.js';

/** The columns, in order: identity of the cell, the value, then where it came from. */
export const EXPORT_COLUMNS = [
  'campaign',
  'experiment',
  'profile',
  'backend',
  'accel',
  'runtime',
  'guests',
  'guest',
  'repeat',
  'config',
  'load',
  'vcpus',
  'memory_mib',
  'metric',
  'measured_by',
  'value',
  'unit',
  'state',
  'reason',
  'at',
  'raw',
  'host',
  'host_cpu',
  'host_kernel',
] as const;

export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
/** One exported row: a campaign's row and the campaign facts beside it. */
export type ExportRow = Sample & { profile: string; host: string; host_cpu: string; host_kernel: string };

/** The rows of one campaign with its facts beside each. */
export function exportRows(meta: CampaignMeta, samples: readonly Sample[]): ExportRow[] {
  const { hostname, cpuModel, kernel } = meta.host;
  const facts = { profile: meta.profile, host: hostname, host_cpu: cpuModel, host_kernel: kernel };
  return samples.map((sample) => ({ ...sample, ...facts }));
}

/** A CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; empty for none. */
function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows as CSV with a header line, columns EXPORT_COLUMNS, lines ending in \n. */
export function rowsAsCsv(rows: readonly ExportRow[]): string {
  const lines = [EXPORT_COLUMNS.join(',')];
  for (const row of rows) {
    const record = row as unknown as Record<ExportColumn, unknown>;
    lines.push(EXPORT_COLUMNS.map((column) => csvField(record[column])).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** The rows as JSON lines, each object's keys in EXPORT_COLUMNS order (absent fields left out). */
export function rowsAsJsonl(rows: readonly ExportRow[]): string {
  return rows
    .map((row) => {
      const record = row as unknown as Record<ExportColumn, unknown>;
      const ordered = Object.fromEntries(
        EXPORT_COLUMNS.filter((column) => record[column] !== undefined).map((column) => [column, record[column]]),
      );
      return `${JSON.stringify(ordered)}\n`;
    })
    .join('');
}
