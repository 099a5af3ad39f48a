/**
 * `guestbench export`: a campaign's tidy rows as CSV or JSON lines, for pandas or R.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { exportRows, rowsAsCsv, rowsAsJsonl, EXPORT_COLUMNS } from '../../lib/results/export-rows.js';
import { UsageError } from '../../lib/util/errors.js';
import { defaultResultsDir } from '../../lib/util/paths.js';
import type { Command } from '../cli.js';

const FORMATS = { csv: rowsAsCsv, jsonl: rowsAsJsonl } as const;
type Format = keyof typeof FORMATS;

function parseFormat(value: string): Format {
  if (value in FORMATS) return value as Format;
  throw new UsageError(`Expected \`--format\` to be csv or jsonl, got \`${value}\``, {
    fix: 'for example `--format csv`',
  });
}

export const exportCommand: Command = {
  name: 'export',
  summary: "write campaigns' tidy rows as CSV or JSON lines (for pandas, R)",
  usage: `Usage: guestbench export --campaign ID[,ID...] [--format csv|jsonl] [--results DIR] [--out FILE]

Writes every row of the campaigns (measured values, and the errored or unsupported rows with their
reasons) with the campaign's profile and host beside each, so that rows of several campaigns can be
pooled. Columns, in order: ${EXPORT_COLUMNS.join(', ')}.
A cell without a value is empty in CSV and absent in JSON lines.

Options:
  --campaign LIST   campaign ids (under --results) or directories, comma-separated
  --format F        csv (default) or jsonl
  --results DIR     results directory (default: $GUESTBENCH_RESULTS or ./results)
  --out FILE        write there instead of to standard output
  -h, --help        show this help`,
  options: {
    campaign: { type: 'string' },
    format: { type: 'string' },
    results: { type: 'string' },
    out: { type: 'string' },
  },
  async run(values) {
    if (typeof values.campaign !== 'string' || values.campaign.trim() === '')
      throw new UsageError('Expected `--campaign` with one or more campaign ids', {
        fix: 'for example `guestbench export --campaign 2026-12-02T01-20-32Z-d09e --format csv`',
      });
    const format = parseFormat(typeof values.format === 'string' ? values.format : 'csv');
    const resultsDir = typeof values.results === 'string' ? values.results : defaultResultsDir();
    // every campaign loaded before anything is written: an unknown one is refused first
    const campaigns = values.campaign
      .split(',')
      .map((which) => which.trim())
      .filter(Boolean)
      .map((which) => loadCampaign(which, { resultsDir }));
    const rows = campaigns.flatMap((campaign) => exportRows(campaign.meta, campaign.samples));
    const text = FORMATS[format](rows);
    if (typeof values.out === 'string') {
      fs.mkdirSync(path.dirname(path.resolve(values.out)), { recursive: true });
      fs.writeFileSync(values.out, text);
      process.stderr.write(`${rows.length} rows of ${campaigns.length} campaign(s) written to ${values.out}\n`);
    } else process.stdout.write(text);
    return 0;
  },
};
