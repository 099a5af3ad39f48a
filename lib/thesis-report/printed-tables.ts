/**
 * The thesis's printed tables (4.1-4.5, 5.1, 5.2, 6.1) regenerated from data/thesis/ as the thesis
 * printed them: same rows, columns, labels, captions and decimals, with a footnote for every
 * inconsistency a printed value takes part in. Pure functions: data in, a table model or HTML out.
 */
import { ThesisLookupError } from '../thesis/index.js';
import type { ThesisInconsistency, ThesisMetricName, ThesisRow } from '../thesis/index.js';
import { escapeHtml } from '../figures/html-table.js';
import {
  CAPTION_STYLE,
  INCONSISTENCY_KIND_LABELS,
  NOTE_STYLE,
  TABLE_STYLE,
  TD_STYLE,
  TH_STYLE,
  lineRanges,
  linesOf,
  printedText,
  type ThesisReportData,
} from './format.js';

/** The tables chapters 4-6 print, in order. */
export const PRINTED_TABLES = [
  'Table 4.1',
  'Table 4.2',
  'Table 4.3',
  'Table 4.4',
  'Table 4.5',
  'Table 5.1',
  'Table 5.2',
  'Table 6.1',
] as const;
/** One of PRINTED_TABLES. */
export type PrintedTableRef = (typeof PRINTED_TABLES)[number];

/** One cell of a regenerated table. */
export interface PrintedCell {
  /** the cell's text as the thesis prints it */
  text: string;
  /** the thesis row whose value the cell prints; null for a row label */
  rowId: string | null;
  /** seed line of that value; null for a row label */
  line: number | null;
  /** markers of the footnotes (inconsistencies) the value takes part in */
  notes: readonly string[];
}

/** A footnote: one inconsistency that involves values of the table. */
export interface PrintedTableFootnote {
  /** "a", "b", ... in order of first appearance in the table */
  marker: string;
  inconsistency: ThesisInconsistency;
  /** seed lines of all rows of the inconsistency, in this table or elsewhere */
  lines: readonly number[];
}

/** A table as the thesis printed it, with its provenance. */
export interface PrintedTable {
  ref: PrintedTableRef;
  /** "Table 5.1: Boot up & Shut down time of VMs" */
  caption: string;
  /** column headings; null when the thesis prints none (label / value tables) */
  header: readonly string[] | null;
  rows: ReadonlyArray<readonly PrintedCell[]>;
  footnotes: readonly PrintedTableFootnote[];
  /** seed lines holding the table's values */
  lines: readonly number[];
}

interface LabelValueLayout {
  kind: 'label-value';
  title: string;
  /** row label per metric, as printed */
  labels: Partial<Record<ThesisMetricName, string>>;
}

interface ByGuestsLayout {
  kind: 'by-guests';
  title: string;
  header: readonly [string, string, string];
  metrics: readonly [ThesisMetricName, ThesisMetricName];
}

type Layout = LabelValueLayout | ByGuestsLayout;

const HOST_LABELS: Partial<Record<ThesisMetricName, string>> = {
  cpu_model: 'CPU Name',
  cpu_type: 'Type',
  architecture: 'Architecture',
  cores_per_socket: 'Cores per socket',
  threads_per_core: 'Threads per core',
  threads: 'Total number of CPUs',
  machine: 'Machine Name',
  ram: 'RAM',
  os_type: 'Operating System type',
  disk_capacity: 'HDD Capacity',
  disk_type: 'Disk Type & RPM',
  disk_model: 'Model Number',
  host_os: 'Host Operating System',
  guest_os: 'Guest Operating System',
  kernel: 'Kernel Version',
};
// Tables 4.2/4.3 and 4.4/4.5 word their row labels differently
const NATIVE_PROFILE_LABELS: Partial<Record<ThesisMetricName, string>> = {
  latency_min: 'Minimum Time',
  latency_avg: 'Average Time',
  latency_max: 'Maximum Time',
  latency_p95: 'Approximating to 95 percentile',
};
const MYSQL_PROFILE_LABELS: Partial<Record<ThesisMetricName, string>> = {
  latency_min: 'Minimum time',
  latency_avg: 'Average time',
  latency_max: 'Maximum time',
  latency_p95: 'Approx. 95 percentiles value',
};
// Table 5.2 repeats Table 5.1's first heading (inconsistency t5.2-header-says-vms); printed as is
const BOOT_HEADER = ['Number of Virtual Machines', 'Boot up time (seconds)', 'Shutdown time (seconds)'] as const;
const BOOT_METRICS = ['boot_time', 'shutdown_time'] as const;

const LAYOUTS: Record<PrintedTableRef, Layout> = {
  'Table 4.1': { kind: 'label-value', title: 'System Configuration', labels: HOST_LABELS },
  'Table 4.2': { kind: 'label-value', title: 'Native Performance Profile', labels: NATIVE_PROFILE_LABELS },
  'Table 4.3': { kind: 'label-value', title: 'Native Performance Profile for File I/O', labels: NATIVE_PROFILE_LABELS },
  'Table 4.4': { kind: 'label-value', title: 'Per req. stats of 8 running VMs', labels: MYSQL_PROFILE_LABELS },
  'Table 4.5': { kind: 'label-value', title: 'Per req. stats of 8 running Containers', labels: MYSQL_PROFILE_LABELS },
  'Table 5.1': {
    kind: 'by-guests',
    title: 'Boot up & Shut down time of VMs',
    header: BOOT_HEADER,
    metrics: BOOT_METRICS,
  },
  'Table 5.2': {
    kind: 'by-guests',
    title: 'Boot up & Shut down time of Containers',
    header: BOOT_HEADER,
    metrics: BOOT_METRICS,
  },
  'Table 6.1': {
    kind: 'by-guests',
    title: 'Migration Profile for VMs running mprime',
    header: BOOT_HEADER,
    metrics: BOOT_METRICS,
  },
};

function layoutOf(ref: string): Layout {
  if (!Object.hasOwn(LAYOUTS, ref)) {
    throw new ThesisLookupError(`Unknown printed table \`${ref}\``, {
      candidates: [],
      fix: `use one of ${PRINTED_TABLES.join(', ')}`,
    });
  }
  return LAYOUTS[ref as PrintedTableRef];
}

/** A cell as printed; the boot tables give their unit in the column headings. */
function cellText(row: ThesisRow): string {
  const text = printedText(row);
  return row.printed === null && row.unit === 's' ? text.replace(/ s$/, '') : text;
}

function valueCell(row: ThesisRow, markers: Map<string, string>): PrintedCell {
  const notes = row.inconsistencies.map((id) => {
    if (!markers.has(id)) markers.set(id, String.fromCharCode('a'.charCodeAt(0) + markers.size));
    return markers.get(id) as string;
  });
  return { text: cellText(row), rowId: row.id, line: row.source.line, notes };
}

const labelCell = (text: string): PrintedCell => ({ text, rowId: null, line: null, notes: [] });

function missing(ref: string, what: string): never {
  throw new ThesisLookupError(`${ref} cannot be regenerated: data/thesis/values.jsonl has no ${what}`, {
    candidates: [],
    fix: 'check the table rows in data/thesis/values.jsonl (source.kind "table", source.ref the table)',
  });
}

/**
 * The printed table `ref` rebuilt from the thesis rows whose source is that table (restatements
 * and text rows left out), with a footnote per inconsistency its values take part in.
 */
export function printedTable(data: ThesisReportData, ref: PrintedTableRef): PrintedTable {
  const layout = layoutOf(ref);
  const own = data.rows
    .filter((row) => row.source.kind === 'table' && row.source.ref === ref && row.restates === null)
    .sort((a, b) => a.source.line - b.source.line);
  if (own.length === 0) missing(ref, 'row printed in it');
  const markers = new Map<string, string>();
  let rows: PrintedCell[][];
  if (layout.kind === 'label-value') {
    rows = own.map((row) => {
      const label = layout.labels[row.metric] ?? missing(ref, `label for metric \`${row.metric}\` (row ${row.id})`);
      return [labelCell(label), valueCell(row, markers)];
    });
  } else {
    const guests = [...new Set(own.map((row) => row.guests))].sort((a, b) => (a ?? 0) - (b ?? 0));
    rows = guests.map((n) => {
      const cells = layout.metrics.map((metric) => {
        const found = own.filter((row) => row.guests === n && row.metric === metric);
        if (found.length !== 1) missing(ref, `single ${metric} value for N = ${String(n)} (found ${found.length})`);
        return valueCell(found[0] as ThesisRow, markers);
      });
      return [labelCell(String(n)), ...cells];
    });
  }
  const byId = new Map(data.inconsistencies.map((item) => [item.id, item]));
  const footnotes = [...markers].map(([id, marker]) => {
    const inconsistency = byId.get(id) ?? missing(ref, `inconsistency \`${id}\` in inconsistencies.json`);
    return { marker, inconsistency, lines: linesOf(data.rows, inconsistency.rows) };
  });
  return {
    ref,
    caption: `${ref}: ${layout.title}`,
    header: layout.kind === 'by-guests' ? layout.header : null,
    rows,
    footnotes,
    lines: own.map((row) => row.source.line),
  };
}

function cellHtml(cell: PrintedCell, align: 'left' | 'right'): string {
  const sup = cell.notes.length > 0 ? `<sup style="color:#b00">${cell.notes.join(',')}</sup>` : '';
  const title = cell.rowId !== null ? ` title="${escapeHtml(`${cell.rowId}, thesis line ${String(cell.line)}`)}"` : '';
  return `<td style="${TD_STYLE};text-align:${align}"${title}>${escapeHtml(cell.text)}${sup}</td>`;
}

/** The footnotes of a table as an HTML block (also says where the table is printed). */
export function printedTableFootnotesHtml(table: PrintedTable): string {
  const where = `Regenerated from data/thesis/values.jsonl; the thesis text prints these values at lines ${lineRanges(table.lines)}.`;
  if (table.footnotes.length === 0)
    return `<div style="${NOTE_STYLE}">${escapeHtml(where)} No inconsistency involves them.</div>`;
  const items = table.footnotes
    // markers run a, b, c... in footnote order, which <ol type="a"> numbers the same way
    .map(({ inconsistency, lines }) => {
      const head = `${inconsistency.id} (${INCONSISTENCY_KIND_LABELS[inconsistency.kind]}; ${inconsistency.refs.join(', ')})`;
      return `<li><code>${escapeHtml(head)}</code>: ${escapeHtml(inconsistency.description)} <span style="color:#777">Lines ${escapeHtml(lineRanges(lines))}.</span></li>`;
    })
    .join('\n');
  return `<div style="${NOTE_STYLE}">${escapeHtml(where)} Inconsistencies these values take part in:<ol type="a" style="margin:2px 0;padding-left:2em">\n${items}\n</ol></div>`;
}

/** Renders a regenerated table as HTML: the table, its caption under it as printed, then its footnotes. */
export function printedTableHtml(table: PrintedTable): string {
  const width = Math.max(...table.rows.map((row) => row.length), table.header?.length ?? 0);
  const head = table.header
    ? `<thead><tr>${table.header.map((label) => `<th style="${TH_STYLE}">${escapeHtml(label)}</th>`).join('')}</tr></thead>`
    : '';
  const body = table.rows
    .map(
      (row) =>
        `<tr>${row.map((cell, index) => cellHtml(cell, index === 0 || table.header === null ? 'left' : 'right')).join('')}</tr>`,
    )
    .join('\n');
  const rule = table.header ? '' : `<tr><td colspan="${width}" style="border-top:1px solid #888;padding:0"></td></tr>`;
  return `<div class="guestbench-thesis-table" data-ref="${escapeHtml(table.ref)}">
<table style="${TABLE_STYLE}"><caption style="${CAPTION_STYLE}">${escapeHtml(table.caption)}</caption>${head}<tbody>
${body}${rule}
</tbody></table>
${printedTableFootnotesHtml(table)}
</div>`;
}

/** `printedTable` rendered as HTML in one call: `thesisTableHtml(loadThesis(), 'Table 5.1')`. */
export function thesisTableHtml(data: ThesisReportData, ref: PrintedTableRef): string {
  return printedTableHtml(printedTable(data, ref));
}
