/**
 * `guestbench report`: executes the notebooks against a campaign and writes an offline HTML report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { escapeHtml } from '../../lib/figures/html-table.js';
import { executeNotebook, type ExecutedNotebook } from '../../lib/notebook/execute-notebook.js';
import { UsageError } from '../../lib/util/errors.js';
import { defaultResultsDir, packageRoot } from '../../lib/util/paths.js';
import { logLine, type Command } from '../cli.js';

function indexHtml(entries: Array<{ name: string; result: ExecutedNotebook }>, campaign: string): string {
  const items = entries
    .map(({ name, result }) => {
      const status =
        result.errors.length === 0
          ? 'ok'
          : `<span style="color:#b00">${result.errors.length} failing cell(s): ${escapeHtml(result.errors.join('; '))}</span>`;
      return `<li><a href="${encodeURIComponent(path.basename(result.html))}">${escapeHtml(name)}</a> (<a href="${encodeURIComponent(path.basename(result.notebook))}">executed notebook</a>): ${status}</li>`;
    })
    .join('\n');
  return `<!doctype html><html><head><meta charset="utf-8"><title>guestbench report</title></head>
<body style="font-family:sans-serif;max-width:60em;margin:2em auto">
<h1>guestbench report</h1>
<p>Campaign: <code>${escapeHtml(campaign)}</code>. Generated ${escapeHtml(new Date().toISOString())}. Every page works offline (plotly is embedded).</p>
<ul>
${items}
</ul></body></html>
`;
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'execute the notebooks against a campaign and write an offline HTML report',
  usage: `Usage: guestbench report [--campaign ID|DIR] [--results DIR] [--out DIR] [--notebooks LIST]

Executes each notebook in notebooks/ headless (Jupyter nbconvert, tslab kernel) against a
campaign, and writes the executed notebooks, their HTML and an index.html into the output folder.

Options:
  --campaign ID|DIR  campaign to show (default: the newest of each notebook's experiment)
  --results DIR      results directory (default: $GUESTBENCH_RESULTS or ./results)
  --out DIR          output folder (default: ./report)
  --notebooks LIST   comma-separated notebook names to run (default: all)
  -h, --help         show this help

Exit status: 0 when every notebook ran without a failing cell, 1 otherwise.`,
  options: {
    campaign: { type: 'string' },
    results: { type: 'string' },
    out: { type: 'string' },
    notebooks: { type: 'string' },
  },
  async run(values) {
    const root = packageRoot();
    const notebooksDir = path.join(root, 'notebooks');
    const available = fs
      .readdirSync(notebooksDir)
      .filter((name) => name.endsWith('.ipynb'))
      .sort();
    const wanted =
      typeof values.notebooks === 'string'
        ? values.notebooks.split(',').map((name) => (name.endsWith('.ipynb') ? name : `${name}.ipynb`))
        : available;
    const unknown = wanted.filter((name) => !available.includes(name));
    if (unknown.length > 0)
      throw new UsageError(`Unknown notebook(s) ${unknown.join(', ')}`, { fix: `choose from ${available.join(', ')}` });
    const resultsDir = path.resolve(typeof values.results === 'string' ? values.results : defaultResultsDir());
    const outDir = path.resolve(typeof values.out === 'string' ? values.out : path.join(root, 'report'));
    const env: Record<string, string> = { GUESTBENCH_RESULTS: resultsDir };
    if (typeof values.campaign === 'string')
      env.GUESTBENCH_CAMPAIGN = fs.existsSync(values.campaign) ? path.resolve(values.campaign) : values.campaign;
    const entries: Array<{ name: string; result: ExecutedNotebook }> = [];
    for (const name of wanted) {
      logLine(`executing ${name}`);
      const result = await executeNotebook(path.join(notebooksDir, name), { outDir, env });
      for (const error of result.errors) logLine(`  ${name}: ${error}`);
      entries.push({ name, result });
    }
    fs.writeFileSync(
      path.join(outDir, 'index.html'),
      indexHtml(entries, env.GUESTBENCH_CAMPAIGN ?? `newest in ${resultsDir}`),
    );
    process.stdout.write(`report: ${path.join(outDir, 'index.html')}\n`);
    return entries.every((entry) => entry.result.errors.length === 0) ? 0 : 1;
  },
};
