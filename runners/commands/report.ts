/**
 * `guestbench report`: executes the notebooks against campaigns and writes an offline HTML report.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignList } from '../../lib/analysis/choose-campaign.js';
import { NOTEBOOK_PARAMETER_NAMES, type NotebookParameterName } from '../../lib/notebook/parameters.js';
import { parsePositiveInt } from '../../lib/util/cli-args.js';
import { UsageError } from '../../lib/util/errors.js';
import { defaultResultsDir, packageRoot } from '../../lib/util/paths.js';
import { logLine, type Command } from '../cli.js';
import { interruptOnStop } from '../interruption.js';
import { buildReport } from '../report/build-report.js';
import { checkNamedCampaigns } from '../report/report-plan.js';

/** `-p NAME=VALUE` values by name; an unknown name or a repeated one is a UsageError. */
export function parseParameterArgs(values: readonly string[]): Partial<Record<NotebookParameterName, string>> {
  const parsed: Partial<Record<NotebookParameterName, string>> = {};
  for (const value of values) {
    const equals = value.indexOf('=');
    const name = value.slice(0, Math.max(0, equals));
    if (equals < 0 || !(NOTEBOOK_PARAMETER_NAMES as readonly string[]).includes(name))
      throw new UsageError(
        `Expected \`-p\` to be NAME=VALUE with NAME one of ${NOTEBOOK_PARAMETER_NAMES.join(', ')}, got \`${value}\``,
        {
          fix: 'for example `-p campaign=2026-11-21T23-53-45Z-04de` (see `guestbench report --help`)',
        },
      );
    if (parsed[name as NotebookParameterName] !== undefined)
      throw new UsageError(`Expected \`-p ${name}\` once, got it twice`, {
        fix: 'give several campaigns as one comma-separated value: `-p campaign=ID1,ID2`',
      });
    parsed[name as NotebookParameterName] = value.slice(equals + 1);
  }
  return parsed;
}

/** The value of an option that also exists as `-p NAME=`: one of the two, not both. */
function eitherOf(
  option: string | boolean | undefined,
  parameter: string | undefined,
  name: string,
): string | undefined {
  const value = typeof option === 'string' ? option : undefined;
  if (value !== undefined && parameter !== undefined)
    throw new UsageError(`Expected \`--${name}\` or \`-p ${name}=\`, got both`, { fix: `drop one of them` });
  return value ?? parameter;
}

export const reportCommand: Command = {
  name: 'report',
  summary: 'execute the notebooks against campaigns and write an offline HTML report',
  usage: `Usage: guestbench report [-p campaign=ID,...] [-p results=DIR] [--out DIR] [--notebooks LIST]
                         [--force] [--single-file] [--jobs N]

Executes each notebook in notebooks/ headless (nbclient, reused tslab kernels) and writes the
executed notebooks, their HTML pages, one plotly.min.js and an index.html into the output folder.
A notebook whose source, campaigns (samples + campaign.json) and compiled library are unchanged since
the last report is not re-executed (keys in <out>/.cache.json). The report is written beside the
output folder and swapped in when complete: an interrupted or failed report leaves the previous one.

Which campaigns: those named, each for the notebooks of its experiment; for every other experiment
the best campaign in the results directory (campaigns without a measured row skipped; complete
first, then the one covering the most backends and guest counts, then the newest). With no campaign
at all (and none named), the committed example campaigns, labelled as examples from another host.

Options:
  -p, --parameter NAME=VALUE  a notebook parameter, injected after each notebook's cell tagged
                     \`parameters\` (papermill convention); NAME is one of:
                       campaign  campaign ids or directories, comma-separated
                       results   the results directory
  --campaign ID,...  the same as -p campaign=ID,... (default: $GUESTBENCH_CAMPAIGN)
  --results DIR      the same as -p results=DIR (default: $GUESTBENCH_RESULTS or ./results)
  --out DIR          output folder (default: ./report)
  --notebooks LIST   comma-separated notebook names to run (default: all; the others' pages are kept)
  --force            re-execute every notebook, whatever the cache says
  --single-file      embed plotly into every page (a page then works alone, e.g. mailed)
  --jobs N           notebooks executed at once (default: the host's available parallelism)
  -h, --help         show this help

Exit status: 0 when every notebook ran without a failing cell, 1 otherwise, 2 on bad usage,
130 when interrupted (the previous report is kept).`,
  options: {
    parameter: { type: 'string', short: 'p', multiple: true },
    campaign: { type: 'string' },
    results: { type: 'string' },
    out: { type: 'string' },
    notebooks: { type: 'string' },
    force: { type: 'boolean' },
    'single-file': { type: 'boolean' },
    jobs: { type: 'string' },
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
    const parameters = parseParameterArgs((values.parameter as unknown as string[] | undefined) ?? []);
    const results = eitherOf(values.results, parameters.results, 'results');
    const resultsDir = path.resolve(results ?? defaultResultsDir());
    // ids stay ids (resolved in the results directory); existing directories become absolute paths
    const named = campaignList(
      eitherOf(values.campaign, parameters.campaign, 'campaign') ?? process.env.GUESTBENCH_CAMPAIGN,
    ).map((which) => (fs.existsSync(path.join(which, 'campaign.json')) ? path.resolve(which) : which));
    checkNamedCampaigns(named, resultsDir);
    const jobs = typeof values.jobs === 'string' ? parsePositiveInt(values.jobs, '--jobs') : undefined;
    const outDir = path.resolve(typeof values.out === 'string' ? values.out : path.join(root, 'report'));

    const stop = interruptOnStop('report', {
      onStop: (cause) => logLine(`${cause}: stopping the report; the previous one is kept`),
    });
    try {
      const outcome = await buildReport({
        root,
        notebooks: wanted,
        resultsDir,
        named,
        outDir,
        force: values.force === true,
        singleFile: values['single-file'] === true,
        ...(jobs !== undefined ? { jobs } : {}),
        signal: stop.signal,
        log: logLine,
      });
      process.stdout.write(
        `report: ${outcome.index} (${outcome.executed} of ${outcome.entries.length} notebook(s) executed, ${outcome.seconds.toFixed(1)} s)\n`,
      );
      return outcome.entries.every((entry) => entry.errors.length === 0) ? 0 : 1;
    } catch (error) {
      if (stop.signal.aborted) {
        logLine(`report interrupted: ${outDir} is unchanged`);
        return 130;
      }
      throw error;
    } finally {
      stop.dispose();
    }
  },
};
