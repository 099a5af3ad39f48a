/**
 * A Jupyter notebook as stored on disk (.ipynb, nbformat 4), the parts guestbench reads and
 * rewrites, and the rewrites an executed copy gets.
 */
import * as fs from 'node:fs';

/** A cell output, as stored in .ipynb. */
export interface NotebookOutput {
  output_type: string;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  data?: Record<string, string | string[]>;
  execution_count?: number | null;
}

/** A cell, as stored in .ipynb. */
export interface NotebookCell {
  cell_type: string;
  id?: string;
  metadata?: { tags?: string[]; execution?: Record<string, string>; [key: string]: unknown };
  source: string | string[];
  outputs?: NotebookOutput[];
  execution_count?: number | null;
}

/** A notebook, as stored in .ipynb. */
export interface NotebookFile {
  cells: NotebookCell[];
  metadata?: {
    /**
     * experiments: those whose campaigns it shows (the report chooses them); withoutCampaign: what it
     * shows instead when it reads no campaign of its own (07-compare: a pair), for the report's index
     */
    guestbench?: { experiments?: string[]; withoutCampaign?: string };
    [key: string]: unknown;
  };
  nbformat?: number;
  nbformat_minor?: number;
}

/** A cell's source or an output's text as one string. */
export const joinedText = (value: string | string[] | undefined): string =>
  Array.isArray(value) ? value.join('') : (value ?? '');

/** Reads and parses an .ipynb file. */
export function readNotebook(file: string): NotebookFile {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as NotebookFile;
}

/** Writes a notebook the way Jupyter does (one-space indent, trailing newline). */
export function writeNotebook(file: string, notebook: NotebookFile): void {
  fs.writeFileSync(file, JSON.stringify(notebook, null, 1) + '\n');
}

/**
 * Numbers the code cells that ran, in order, as a kernel that reports execution counts would:
 * tslab reports none, so an executed notebook would show `In [ ]:` on every cell.
 */
export function numberExecutedCells(notebook: NotebookFile): NotebookFile {
  let count = 0;
  const cells = notebook.cells.map((cell) => {
    if (cell.cell_type !== 'code' || cell.metadata?.execution === undefined) return cell;
    count += 1;
    const outputs = (cell.outputs ?? []).map((output) =>
      output.output_type === 'execute_result' ? { ...output, execution_count: count } : output,
    );
    return { ...cell, execution_count: count, outputs };
  });
  return { ...notebook, cells };
}
