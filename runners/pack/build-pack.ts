/**
 * Builds a pack: one .tar.gz a reviewer can re-run the analysis from with Node and Jupyter only.
 * The pack's folder is assembled in a temporary directory (campaigns, tidy rows, notebooks, the
 * compiled library, thesis data, the lockfile, a report built now from exactly these campaigns,
 * the README and scripts), archived with tar into `<out>.partial-PID` beside the output and renamed
 * over it when complete. A failure or an interrupt leaves neither the temporary directory nor a
 * partial archive.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import type { LoadedCampaign } from '../../lib/analysis/load-campaign.js';
import { exportRows, rowsAsCsv } from '../../lib/results/export-rows.js';
import { AbortedError, GuestbenchError } from '../../lib/util/errors.js';
import { buildReport } from '../report/build-report.js';
import { compareTablesScript, packReadme, reproduceScript, type PackFacts } from './pack-readme.js';

/** What to pack. */
export interface PackOptions {
  /** the checkout: dist/, notebooks/, data/thesis, package.json, package-lock.json */
  root: string;
  campaigns: readonly LoadedCampaign[];
  /** notebook file names (default: those that read an experiment of the campaigns) */
  notebooks?: readonly string[];
  /** the .tar.gz to write */
  out: string;
  /** "guestbench 0.1.0 (commit abc1234)" */
  version: string;
  signal?: AbortSignal;
  log?: (line: string) => void;
}

/** What was packed. */
export interface PackOutcome {
  out: string;
  /** the pack's top folder */
  name: string;
  notebooks: string[];
  rows: number;
  bytes: number;
  /** notebooks whose packed report page has failing cells */
  failing: string[];
}

/** A pack that cannot be made: what is missing and how to get it. */
export class PackError extends GuestbenchError {}

/** The files of the checkout a pack carries, besides campaigns, notebooks and the report. */
const CHECKOUT_FILES = ['package.json', 'package-lock.json', 'bin', 'dist', path.join('data', 'thesis')] as const;

/**
 * Every notebook of the checkout, in file order: a reviewer gets the analysis whole (00-thesis needs
 * no campaign, 07-compare and explore read any; a notebook of an experiment not packed says what to
 * run).
 */
export function packedNotebooks(root: string): string[] {
  return fs
    .readdirSync(path.join(root, 'notebooks'))
    .filter((name) => name.endsWith('.ipynb'))
    .sort();
}

/** The pack's folder name for an archive path: `x/guestbench-pack-ID.tar.gz` -> `guestbench-pack-ID`. */
export const packName = (out: string): string => path.basename(out).replace(/\.(tar\.gz|tgz)$/, '');

function checkCheckout(root: string): void {
  if (!fs.existsSync(path.join(root, 'dist', 'runners', 'guestbench.js')))
    throw new PackError(`No compiled library in ${path.join(root, 'dist')}: a pack carries dist/`, {
      fix: 'run `npm run build` in the checkout, then pack again',
    });
  for (const file of CHECKOUT_FILES)
    if (!fs.existsSync(path.join(root, file)))
      throw new PackError(`The checkout lacks ${file} (${root})`, { fix: 'pack from a full guestbench checkout' });
}

/** Builds the pack described by `options` (see the module comment). */
export async function buildPack(options: PackOptions): Promise<PackOutcome> {
  const log = options.log ?? (() => {});
  checkCheckout(options.root);
  const notebooks = [...(options.notebooks ?? packedNotebooks(options.root))];
  const name = packName(options.out);
  const out = path.resolve(options.out);
  const partial = `${out}.partial-${process.pid}`;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-pack-'));
  const top = path.join(work, name);
  const stopIfAborted = (): void => {
    if (options.signal?.aborted) throw new AbortedError('pack interrupted');
  };
  try {
    fs.mkdirSync(path.join(top, 'campaigns'), { recursive: true });
    for (const file of CHECKOUT_FILES)
      fs.cpSync(path.join(options.root, file), path.join(top, file), { recursive: true });
    fs.mkdirSync(path.join(top, 'notebooks'));
    for (const notebook of notebooks)
      fs.copyFileSync(path.join(options.root, 'notebooks', notebook), path.join(top, 'notebooks', notebook));
    for (const campaign of options.campaigns)
      fs.cpSync(campaign.dir, path.join(top, 'campaigns', campaign.meta.id), { recursive: true });
    const rows = options.campaigns.flatMap((campaign) => exportRows(campaign.meta, campaign.samples));
    fs.writeFileSync(path.join(top, 'rows.csv'), rowsAsCsv(rows));
    stopIfAborted();

    // the report of exactly these campaigns, read from the pack's own copy of them
    log(`building the report of ${notebooks.length} notebook(s) for the pack`);
    const report = await buildReport({
      root: options.root,
      notebooks,
      resultsDir: path.join(top, 'campaigns'),
      named: options.campaigns.map((campaign) => campaign.meta.id),
      outDir: path.join(top, 'report'),
      force: true,
      singleFile: false,
      ...(options.signal ? { signal: options.signal } : {}),
      log,
    });
    stopIfAborted();

    const facts: PackFacts = {
      name,
      campaigns: options.campaigns.map((campaign) => ({
        id: campaign.meta.id,
        experiment: campaign.meta.experiment,
        profile: campaign.meta.profile,
        startedAt: campaign.meta.startedAt,
        host: campaign.meta.host.hostname,
        rows: campaign.samples.length,
      })),
      notebooks,
      version: options.version,
      createdAt: new Date().toISOString(),
    };
    fs.writeFileSync(path.join(top, 'README.md'), packReadme(facts));
    fs.writeFileSync(path.join(top, 'reproduce.sh'), reproduceScript(facts), { mode: 0o755 });
    fs.writeFileSync(path.join(top, 'compare-tables.mjs'), compareTablesScript());

    fs.mkdirSync(path.dirname(out), { recursive: true });
    log(`archiving ${name}/ into ${out}`);
    const tar = await execa('tar', ['-czf', partial, '-C', work, name], {
      reject: false,
      ...(options.signal ? { cancelSignal: options.signal } : {}),
    });
    stopIfAborted();
    if (tar.exitCode !== 0)
      throw new PackError(
        `tar failed with exit code ${tar.exitCode}: tar -czf ${partial} -C ${work} ${name}: ${tar.stderr}`,
        {
          fix: 'check the free space where the pack is written (`--out`)',
        },
      );
    fs.renameSync(partial, out);
    return {
      out,
      name,
      notebooks,
      rows: rows.length,
      bytes: fs.statSync(out).size,
      failing: report.entries.filter((entry) => entry.errors.length > 0).map((entry) => entry.name),
    };
  } finally {
    fs.rmSync(partial, { force: true });
    fs.rmSync(work, { recursive: true, force: true });
  }
}
