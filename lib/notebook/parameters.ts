/**
 * Notebook parameters, papermill's convention: a notebook's defaults sit in its first code cell,
 * tagged `parameters`; a runner overrides them with a cell tagged `injected-parameters` right after
 * it. papermill has no TypeScript translator, so guestbench writes the cell: one `let` per value
 * (tslab lets a later cell redeclare a variable).
 */
import { GuestbenchError } from '../util/errors.js';
import type { NotebookCell, NotebookFile } from './notebook-file.js';

/** The parameters guestbench's notebooks declare (notebooks/0*.ipynb, their `parameters` cell). */
export const NOTEBOOK_PARAMETER_NAMES = ['campaign', 'results'] as const;
export type NotebookParameterName = (typeof NOTEBOOK_PARAMETER_NAMES)[number];

/** Values to inject, by parameter name (strings only: campaign ids, directories). */
export type ParameterValues = Partial<Record<NotebookParameterName, string>>;

const tagged = (cell: NotebookCell, tag: string): boolean => (cell.metadata?.tags ?? []).includes(tag);

/** Index of the notebook's cell tagged `parameters`, or -1. */
export function parametersCellIndex(notebook: NotebookFile): number {
  return notebook.cells.findIndex((cell) => cell.cell_type === 'code' && tagged(cell, 'parameters'));
}

/** The source of an injected-parameters cell for `values`. */
export function injectedSource(values: ParameterValues): string {
  const lines = Object.entries(values).map(([name, value]) => `let ${name} = ${JSON.stringify(value)};`);
  return [
    '// Injected by guestbench report (papermill convention: overrides the parameters cell above)',
    ...lines,
  ].join('\n');
}

/**
 * A copy of `notebook` with an `injected-parameters` cell after its `parameters` cell (an earlier
 * injected cell is replaced). No values: the notebook unchanged. Values for a notebook without a
 * parameters cell: a GuestbenchError naming the notebook.
 */
export function injectParameters(notebook: NotebookFile, values: ParameterValues, name: string): NotebookFile {
  if (Object.keys(values).length === 0) return notebook;
  const index = parametersCellIndex(notebook);
  if (index < 0)
    throw new GuestbenchError(`Notebook ${name} has no cell tagged \`parameters\` to inject parameters after`, {
      fix: 'tag its first code cell `parameters` (papermill convention), or run it without -p',
    });
  const cells = notebook.cells.filter((cell) => !tagged(cell, 'injected-parameters'));
  const injected: NotebookCell = {
    cell_type: 'code',
    id: 'injected-parameters',
    metadata: { tags: ['injected-parameters'] },
    source: injectedSource(values),
    outputs: [],
    execution_count: null,
  };
  return { ...notebook, cells: [...cells.slice(0, index + 1), injected, ...cells.slice(index + 1)] };
}
