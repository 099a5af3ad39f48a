/**
 * The tables of a built report, as text: every HTML table each executed notebook printed, its
 * cells' text in order. Two reports of the same campaigns must have the same tables; the pack's
 * reviewer script and its test compare them this way (figures' random ids and timings aside).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { joinedText, readNotebook } from '../../lib/notebook/notebook-file.js';

/** One table: its rows, each row's cells as text. */
export type TableText = string[][];

const decode = (text: string): string =>
  text
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();

/** The tables in an HTML fragment, each as rows of cell texts. */
export function tablesInHtml(html: string): TableText[] {
  return [...html.matchAll(/<table\b[\s\S]*?<\/table>/gi)].map((table) =>
    [...table[0].matchAll(/<tr\b[\s\S]*?<\/tr>/gi)].map((row) =>
      [...row[0].matchAll(/<t[hd]\b[^>]*>([\s\S]*?)<\/t[hd]>/gi)].map((cell) => decode(cell[1] as string)),
    ),
  );
}

/** Every table of every executed notebook in `reportDir`, by notebook file name. */
export function reportTables(reportDir: string): Record<string, TableText[]> {
  const tables: Record<string, TableText[]> = {};
  for (const name of fs.readdirSync(reportDir).filter((file) => file.endsWith('.ipynb')).sort()) {
    tables[name] = readNotebook(path.join(reportDir, name)).cells.flatMap((cell) =>
      (cell.outputs ?? []).flatMap((output) => tablesInHtml(joinedText(output.data?.['text/html']))),
    );
  }
  return tables;
}

/** How two reports' tables differ: one line per difference, none when they are the same. */
export function compareReportTables(a: string, b: string): string[] {
  const [left, right] = [reportTables(a), reportTables(b)];
  const differences: string[] = [];
  for (const name of new Set([...Object.keys(left), ...Object.keys(right)])) {
    const [x, y] = [left[name], right[name]];
    if (!x || !y) {
      differences.push(`${name}: only in ${x ? a : b}`);
      continue;
    }
    if (x.length !== y.length) differences.push(`${name}: ${x.length} tables against ${y.length}`);
    x.forEach((table, index) => {
      if (JSON.stringify(table) !== JSON.stringify(y[index]))
        differences.push(`${name}: table ${index + 1} differs (${JSON.stringify(table[0] ?? [])})`);
    });
  }
  return differences;
}
