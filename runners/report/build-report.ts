/**
 * Builds a report: plans every notebook (its campaigns, its parameters), reuses the pages of those
 * whose cache key is unchanged, executes the others concurrently, writes the index, and swaps the
 * finished folder in. Anything that stops it (a signal, a failing nbconvert) leaves the previous
 * report as it was and no staged folder behind.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CampaignChoice } from '../../lib/analysis/choose-campaign.js';
import { evaluateChosenClaims } from '../../lib/analysis/claims/chosen-claims.js';
import { claimsOverview } from '../../lib/analysis/claims/claims-overview.js';
import { claimsVerdictHtml, claimVerdictsHtml } from '../../lib/figures/claims-table.js';
import { checkNotebookExecution, executeIn, type PlotlyMode } from '../../lib/notebook/execute-notebook.js';
import { FigureRenderer } from '../../lib/notebook/figure-images.js';
import { CHROMIUM } from '../../lib/util/headless-chromium.js';
import { NotebookWorkerPool } from '../../lib/notebook/kernel-worker.js';
import { plotlyBundlePath } from '../../lib/notebook/plotly-html.js';
import { AbortedError } from '../../lib/util/errors.js';
import { cacheKey, readCache, treeDigest, writeCache, type CacheEntry } from './report-cache.js';
import { notebookFigures } from './figure-gallery.js';
import { indexHtml, type IndexEntry } from './index-page.js';
import { stageFolder } from './report-folder.js';
import { planNotebook, type NotebookPlan } from './report-plan.js';
import { runPool } from './run-pool.js';

/** The file name of the report's one copy of plotly. */
export const PLOTLY_FILE = 'plotly.min.js';

/** What to build. */
export interface ReportOptions {
  /** the checkout: notebooks/, dist/lib, data/thesis */
  root: string;
  /** notebook file names under notebooks/ */
  notebooks: readonly string[];
  resultsDir: string;
  /** campaign ids or directories named (checked by the caller) */
  named: readonly string[];
  outDir: string;
  /** re-execute every notebook, whatever the cache says */
  force: boolean;
  /** embed plotly into every page instead of one plotly.min.js */
  singleFile: boolean;
  /** notebooks executed at once (default: the host's available parallelism) */
  jobs?: number;
  signal?: AbortSignal;
  log?: (line: string) => void;
  /**
   * the thesis's claims as evaluated, an HTML fragment for the index (then the index has no verdict
   * in brief); by default every claim against the campaigns `named` (else the best of each
   * experiment), as `guestbench claims` prints them, and the verdict in brief on the first screen
   */
  claimsHtml?: string;
}

/** What was built. */
export interface ReportOutcome {
  index: string;
  entries: IndexEntry[];
  /** notebooks executed (the others were reused) */
  executed: number;
  seconds: number;
}

interface Job {
  plan: NotebookPlan;
  key: string;
  previous: CacheEntry | undefined;
}

const canReuse = (job: Job, outDir: string, force: boolean): boolean =>
  !force &&
  job.previous?.key === job.key &&
  job.previous.errors.length === 0 &&
  ['ipynb', 'html'].every((ext) => fs.existsSync(path.join(outDir, `${path.basename(job.plan.name, '.ipynb')}.${ext}`)));

/** The index's claims: the verdict in brief for its first screen, and every claim as a table. */
interface ReportClaims {
  verdictHtml?: string;
  claimsHtml: string;
}

/** Every claim of the thesis against the report's campaigns: the verdict in brief and the table. */
function reportClaims(options: ReportOptions): ReportClaims {
  if (options.claimsHtml !== undefined) return { claimsHtml: options.claimsHtml };
  const { results, experiments, chosen } = evaluateChosenClaims({
    named: options.named,
    resultsDir: options.resultsDir,
  });
  const judgedOn = experiments
    .map((experiment) => chosen.byExperiment[experiment])
    .filter((choice): choice is CampaignChoice => choice !== undefined)
    .map((choice) => `${choice.campaign.meta.experiment}: ${choice.campaign.meta.id} (${choice.origin})`);
  return {
    verdictHtml: claimsVerdictHtml(claimsOverview(results), results.length),
    claimsHtml: claimVerdictsHtml(
      results,
      `Every quantitative claim of chapters 4-7 (data/thesis/claims.jsonl), judged on ${judgedOn.join('; ') || 'no campaign'}. ` +
        'Holds: the whole 95% interval lies in the band the claim allows; fails: it lies wholly outside; ' +
        "inconclusive: it crosses the band's edge or there are too few repeats; not measured: the campaign cannot answer (docs/claims.md).",
    ),
  };
}

/** Builds the report described by `options` (see the module comment). */
export async function buildReport(options: ReportOptions): Promise<ReportOutcome> {
  const started = Date.now();
  const notebooksDir = path.join(options.root, 'notebooks');
  const cache = readCache(options.outDir);
  const jobsAtOnce = Math.max(1, options.jobs ?? os.availableParallelism());
  // one kernel per worker, reused from notebook to notebook: its start and the library's import are
  // paid once per worker; a report sure to execute (forced, or none before) starts them now, so
  // they warm up while the notebooks are planned
  const workers = new NotebookWorkerPool({ cwd: notebooksDir });
  if (options.force || Object.keys(cache.notebooks).length === 0)
    workers.warm(Math.min(jobsAtOnce, options.notebooks.length));
  // one browser draws every figure's static image; started with the workers when the report is sure
  // to execute, else by the first notebook that does (a re-report of nothing starts no browser)
  const figures = new FigureRenderer();
  let figuresReady: Promise<FigureRenderer | undefined> | undefined;
  const startFigures = (): Promise<FigureRenderer | undefined> =>
    (figuresReady ??= figures.start().then(
      () => figures,
      (error: unknown) => {
        (options.log ?? (() => {}))(
          `figures have no static fallback image (they show where scripts run only): ${error instanceof Error ? error.message : String(error)}`,
        );
        return undefined;
      },
    ));
  if (options.force || Object.keys(cache.notebooks).length === 0) void startFigures();
  try {
    return await buildWith(workers, startFigures, jobsAtOnce, cache, started, options);
  } finally {
    // after a failure or an interruption: nothing left running (a no-op once closed)
    workers.kill();
    if (figuresReady) {
      await figuresReady;
      await figures.close();
    }
  }
}

async function buildWith(
  workers: NotebookWorkerPool,
  startFigures: () => Promise<FigureRenderer | undefined>,
  jobsAtOnce: number,
  cache: ReturnType<typeof readCache>,
  started: number,
  options: ReportOptions,
): Promise<ReportOutcome> {
  const log = options.log ?? (() => {});
  const notebooksDir = path.join(options.root, 'notebooks');
  const plans = options.notebooks.map((name) =>
    planNotebook(path.join(notebooksDir, name), { named: options.named, resultsDir: options.resultsDir }),
  );
  const plotly: PlotlyMode = options.singleFile ? { mode: 'embed' } : { mode: 'file', src: PLOTLY_FILE };
  const libraryDigest = treeDigest([
    path.join(options.root, 'dist', 'lib'),
    path.join(options.root, 'data', 'thesis'),
    path.join(options.root, 'package-lock.json'),
  ]);
  const jobs: Job[] = plans.map((plan) => ({
    plan,
    key: cacheKey({
      source: plan.source,
      parameters: plan.parameters,
      // a page kept from a report built without Chromium has no static images: not reused once there is one
      plotly: fs.existsSync(CHROMIUM) ? `${plotly.mode}+png` : plotly.mode,
      campaignDirs: plan.campaigns.map((campaign) => campaign.dir),
      libraryDigest,
    }),
    previous: cache.notebooks[plan.name],
  }));
  const toRun = jobs.filter((job) => !canReuse(job, options.outDir, options.force));
  if (toRun.length > 0) await checkNotebookExecution();
  const staged = stageFolder(options.outDir);
  try {
    const entries: Record<string, CacheEntry & { executed: boolean }> = {};
    for (const job of jobs.filter((candidate) => !toRun.includes(candidate))) {
      const base = path.basename(job.plan.name, '.ipynb');
      for (const ext of ['ipynb', 'html'])
        fs.copyFileSync(path.join(options.outDir, `${base}.${ext}`), path.join(staged.dir, `${base}.${ext}`));
      entries[job.plan.name] = { ...(job.previous as CacheEntry), executed: false };
      log(`${job.plan.name}: unchanged, kept`);
    }
    // always there: pages kept from an earlier report may load it whatever this run's mode
    fs.copyFileSync(plotlyBundlePath(), path.join(staged.dir, PLOTLY_FILE));
    if (toRun.length > 0) log(`executing ${toRun.length} notebook(s), ${Math.min(jobsAtOnce, toRun.length)} at a time`);
    let claims: ReportClaims;
    const execution = runPool(
      toRun,
      jobsAtOnce,
      async (job, signal) =>
        workers.use(async (worker) => {
          const began = Date.now();
          const result = await executeIn(worker, job.plan.source, {
            outDir: staged.dir,
            parameters: job.plan.parameters,
            plotly,
            signal,
            figures: startFigures(),
          });
          const seconds = (Date.now() - began) / 1000;
          log(`${job.plan.name}: executed in ${seconds.toFixed(1)} s${result.errors.length ? `, ${result.errors.length} failing cell(s)` : ''}`);
          for (const error of result.errors) log(`  ${job.plan.name}: ${error}`);
          entries[job.plan.name] = {
            key: job.key,
            errors: result.errors,
            campaigns: job.plan.campaigns,
            notes: job.plan.notes,
            seconds,
            figures: notebookFigures(result.notebook),
            executed: true,
          };
        }),
      options.signal,
    );
    // the index's claims table needs no executed notebook: computed while the kernels work
    try {
      claims = reportClaims(options);
    } catch (error) {
      workers.kill();
      await execution.catch(() => undefined);
      throw error;
    }
    await execution;
    await workers.close();
    // a report of some notebooks keeps the previous pages of the others
    const others = Object.keys(cache.notebooks).filter(
      (name) => !options.notebooks.includes(name) && fs.existsSync(path.join(notebooksDir, name)),
    );
    for (const name of others) {
      const base = path.basename(name, '.ipynb');
      const files = ['ipynb', 'html'].map((ext) => `${base}.${ext}`);
      if (!files.every((file) => fs.existsSync(path.join(options.outDir, file)))) continue;
      for (const file of files) fs.copyFileSync(path.join(options.outDir, file), path.join(staged.dir, file));
      entries[name] = { ...(cache.notebooks[name] as CacheEntry), executed: false };
    }
    const ordered: IndexEntry[] = Object.keys(entries)
      .sort()
      .map((name) => {
        const entry = entries[name] as CacheEntry & { executed: boolean };
        const base = path.basename(name, '.ipynb');
        return { name, html: `${base}.html`, notebook: `${base}.ipynb`, ...entry };
      });
    writeCache(
      staged.dir,
      Object.fromEntries(
        Object.entries(entries).map(([name, { key, errors, campaigns, notes, seconds, figures }]) => [
          name,
          { key, errors, campaigns, notes, seconds, figures },
        ]),
      ),
    );
    fs.writeFileSync(
      path.join(staged.dir, 'index.html'),
      indexHtml(ordered, {
        plotly: plotly.mode,
        generatedAt: new Date().toISOString(),
        ...claims,
      }),
    );
    // an interruption that came after the last notebook still leaves the previous report
    if (options.signal?.aborted) throw options.signal.reason ?? new AbortedError('report interrupted');
    staged.commit();
    return {
      index: path.join(options.outDir, 'index.html'),
      entries: ordered,
      executed: toRun.length,
      seconds: (Date.now() - started) / 1000,
    };
  } finally {
    staged.discard();
  }
}
