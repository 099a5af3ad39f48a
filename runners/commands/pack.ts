/**
 * `guestbench pack`: campaigns, notebooks, the compiled library and a report in one .tar.gz, with
 * a README and one command that re-executes the analysis with Node and Jupyter only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { UsageError } from '../../lib/util/errors.js';
import { shortHeadCommit } from '../../lib/util/git-head.js';
import { defaultResultsDir, packageRoot } from '../../lib/util/paths.js';
import { logLine, type Command } from '../cli.js';
import { interruptOnStop } from '../interruption.js';
import { buildPack } from '../pack/build-pack.js';
import { REVIEWER_COMMAND } from '../pack/pack-readme.js';

function versionOf(root: string): string {
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  return `${version} (commit ${shortHeadCommit(root) ?? 'unknown'})`;
}

export const packCommand: Command = {
  name: 'pack',
  summary: 'campaigns + notebooks + report in one .tar.gz a reviewer re-runs with Node and Jupyter',
  usage: `Usage: guestbench pack --campaign ID[,ID...] [--out FILE] [--results DIR] [--notebooks LIST]

Writes one .tar.gz holding the campaigns (campaign.json, samples.jsonl, raw/), their tidy rows as
rows.csv, the notebooks that read their experiments, the compiled library (dist/, bin/), the
thesis data, package.json and package-lock.json, a report built now from exactly these campaigns,
and a README. The reviewer, with Node 20 and Jupyter + tslab only (no Docker, no QEMU), runs
\`${REVIEWER_COMMAND}\`: npm ci --omit=dev, the notebooks re-executed, every table compared with the
packed report's. The archive is written beside --out and renamed when complete: an interrupted
pack leaves nothing behind.

Options:
  --campaign LIST   campaign ids (under --results) or directories, comma-separated
  --out FILE        the archive (default: ./guestbench-pack-<first id>.tar.gz)
  --results DIR     results directory (default: $GUESTBENCH_RESULTS or ./results)
  --notebooks LIST  notebooks to pack and execute (default: those reading the campaigns' experiments)
  -h, --help        show this help

Exit status: 0 packed, 1 failed (or a notebook had a failing cell), 2 bad usage, 130 interrupted.`,
  options: {
    campaign: { type: 'string' },
    out: { type: 'string' },
    results: { type: 'string' },
    notebooks: { type: 'string' },
  },
  maxPositionals: 0,
  async run(values) {
    if (typeof values.campaign !== 'string' || values.campaign.trim() === '')
      throw new UsageError('Expected `--campaign` with one or more campaign ids', {
        fix: 'for example `guestbench pack --campaign 2026-12-02T01-20-32Z-d09e --out review.tar.gz`',
      });
    const root = packageRoot();
    const resultsDir = typeof values.results === 'string' ? values.results : defaultResultsDir();
    const ids = [
      ...new Set(
        values.campaign
          .split(',')
          .map((which) => which.trim())
          .filter(Boolean),
      ),
    ];
    const campaigns = ids.map((which) => loadCampaign(which, { resultsDir }));
    const out =
      typeof values.out === 'string' ? values.out : `guestbench-pack-${campaigns[0]?.meta.id ?? 'campaigns'}.tar.gz`;
    if (!/\.(tar\.gz|tgz)$/.test(out))
      throw new UsageError(`Expected \`--out\` to end in .tar.gz or .tgz, got \`${out}\``, {
        fix: `for example \`--out ${out}.tar.gz\``,
      });
    let notebooks: string[] | undefined;
    if (typeof values.notebooks === 'string') {
      const available = fs.readdirSync(path.join(root, 'notebooks')).filter((name) => name.endsWith('.ipynb'));
      notebooks = values.notebooks.split(',').map((name) => (name.endsWith('.ipynb') ? name : `${name}.ipynb`));
      const unknown = notebooks.filter((name) => !available.includes(name));
      if (unknown.length > 0)
        throw new UsageError(`Unknown notebook(s) ${unknown.join(', ')}`, {
          fix: `choose from ${available.sort().join(', ')}`,
        });
    }

    const stop = interruptOnStop('pack', {
      onStop: (cause) => logLine(`${cause}: stopping the pack; nothing is left behind`),
    });
    try {
      const outcome = await buildPack({
        root,
        campaigns,
        ...(notebooks ? { notebooks } : {}),
        out,
        version: versionOf(root),
        signal: stop.signal,
        log: logLine,
      });
      process.stdout.write(
        `pack: ${outcome.out} (${campaigns.length} campaign(s), ${outcome.rows} rows, ${outcome.notebooks.length} notebook(s), ${(outcome.bytes / 1e6).toFixed(1)} MB); the reviewer runs \`${REVIEWER_COMMAND}\` in ${outcome.name}/\n`,
      );
      if (outcome.failing.length > 0)
        logLine(`failing cells in ${outcome.failing.join(', ')} (see the packed report's index)`);
      return outcome.failing.length === 0 ? 0 : 1;
    } catch (error) {
      if (stop.signal.aborted) {
        logLine(`pack interrupted: no archive written`);
        return 130;
      }
      throw error;
    } finally {
      stop.dispose();
    }
  },
};
