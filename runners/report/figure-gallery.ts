/**
 * The figures of an executed notebook, for the index's gallery: each figure's title and the id of
 * its <div> on the page (figureHtml() gives every figure an id and keeps its spec readable in a
 * JSON script beside it), so the index can link to `page.html#id`.
 */
import * as fs from 'node:fs';
import { joinedText, readNotebook } from '../../lib/notebook/notebook-file.js';

/** One figure of a page. */
export interface FigureLink {
  /** the id of the figure's <div> on the page: the anchor */
  id: string;
  /** the figure's title as plain text ("figure N" when it has none) */
  title: string;
}

// the figure's <div> (holding its static image, when the report drew one), then (after its
// caption, when it has notes) the JSON script of its spec
const FIGURE =
  /<div id="([^"]+)" class="guestbench-figure"[^>]*>(?:<img class="guestbench-fallback"[^>]*>)?<\/div>[\s\S]*?<script type="application\/json" id="\1-spec">([\s\S]*?)<\/script>/g;

/**
 * A plotly title (a string or `{text}`) as plain text: its subtitle (`<sub>`, e.g. 05's TCG
 * caveat, which the index states once) dropped, lines joined, tags and entities dropped.
 */
function plainTitle(layout: unknown): string {
  const title = (layout as { title?: unknown } | undefined)?.title;
  const text = typeof title === 'string' ? title : (title as { text?: unknown } | undefined)?.text;
  if (typeof text !== 'string') return '';
  return text
    .replace(/(?:<br\s*\/?>\s*)?<sub>[\s\S]*?<\/sub>/gi, '')
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The figures in `html` (a cell's output), in order. */
export function figuresInHtml(html: string): FigureLink[] {
  const found: FigureLink[] = [];
  for (const match of html.matchAll(FIGURE)) {
    let title = '';
    try {
      title = plainTitle((JSON.parse(match[2] as string) as { layout?: unknown }).layout);
    } catch {
      // a spec that does not parse still has an anchor
    }
    found.push({ id: match[1] as string, title });
  }
  return found;
}

/** The figures of an executed notebook, in page order, each titled (or numbered when untitled). */
export function notebookFigures(executedNotebook: string): FigureLink[] {
  if (!fs.existsSync(executedNotebook)) return [];
  const figures = readNotebook(executedNotebook).cells.flatMap((cell) =>
    (cell.outputs ?? []).flatMap((output) => figuresInHtml(joinedText(output.data?.['text/html']))),
  );
  return figures.map((figure, index) => ({ ...figure, title: figure.title || `figure ${index + 1}` }));
}
