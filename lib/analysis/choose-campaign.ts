/**
 * Which campaign a notebook shows, chosen on purpose: the campaigns named (ids or directories), else
 * the best campaign of the experiment in the results directory (campaigns without a measured row
 * are skipped; complete before interrupted, then the one covering the most backend x guest-count
 * cells, then the newest), else, when the results directory holds no campaign at all and nothing
 * was named, the best committed example campaign by the same rule (test/fixtures/campaigns),
 * labelled as such.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listCampaigns, readCampaignMeta } from '../results/store.js';
import { packageRoot } from '../util/paths.js';
import { loadCampaign, type LoadedCampaign } from './load-campaign.js';

/** What a reader must be warned about in a campaign. */
export type CampaignFlag =
  /** no row was measured (every row errored or unsupported, or none at all) */
  | 'empty'
  /** some rows errored, or a backend the campaign ran has no row at all (unsupported rows count as answered) */
  | 'partial'
  /** the campaign did not end `complete` (interrupted, failed, or still running / killed) */
  | 'interrupted';

/** Where a chosen campaign came from. */
export type CampaignOrigin =
  /** named by the caller (a notebook parameter, $GUESTBENCH_CAMPAIGN, `guestbench report -p campaign=`) */
  | 'named'
  /** the best campaign of its experiment in the results directory */
  | 'best'
  /** a committed example campaign, measured on another host */
  | 'example';

/** Row counts and coverage of a campaign. */
export interface CampaignCoverage {
  ok: number;
  errored: number;
  unsupported: number;
  /** backends with at least one measured row */
  backends: number;
  /** distinct (backend, guests) pairs with at least one measured row */
  cells: number;
}

/** A campaign chosen for a notebook, with why and what to warn about. */
export interface CampaignChoice {
  campaign: LoadedCampaign;
  origin: CampaignOrigin;
  flags: CampaignFlag[];
  coverage: CampaignCoverage;
}

/** The chosen campaign per experiment, and one line per experiment without one (with what to run). */
export interface CampaignChoices {
  byExperiment: Partial<Record<string, CampaignChoice>>;
  notes: string[];
}

/** The committed example campaigns: real quick campaigns from another host. */
export function examplesDir(): string {
  return path.join(packageRoot(), 'test', 'fixtures', 'campaigns');
}

/** Counts and coverage of a loaded campaign. */
export function campaignCoverage(campaign: LoadedCampaign): CampaignCoverage {
  const counts = { ok: 0, errored: 0, unsupported: 0 };
  const backends = new Set<string>();
  const cells = new Set<string>();
  for (const sample of campaign.samples) {
    counts[sample.state] += 1;
    if (sample.state !== 'ok') continue;
    backends.add(sample.backend);
    cells.add(`${sample.backend}/${sample.guests}`);
  }
  return { ...counts, backends: backends.size, cells: cells.size };
}

/** The warnings a campaign deserves, in a fixed order. */
export function campaignFlags(campaign: LoadedCampaign, coverage = campaignCoverage(campaign)): CampaignFlag[] {
  const flags: CampaignFlag[] = [];
  if (coverage.ok === 0) flags.push('empty');
  const answered = new Set(
    campaign.samples.filter((sample) => sample.state !== 'errored').map((sample) => sample.backend),
  );
  const silent = campaign.meta.backends.filter((backend) => !answered.has(backend));
  if (coverage.ok > 0 && (coverage.errored > 0 || silent.length > 0)) flags.push('partial');
  if (campaign.meta.state !== 'complete') flags.push('interrupted');
  return flags;
}

function choice(campaign: LoadedCampaign, origin: CampaignOrigin): CampaignChoice {
  const coverage = campaignCoverage(campaign);
  const fromExamples = path.resolve(campaign.dir).startsWith(examplesDir() + path.sep);
  return { campaign, origin: fromExamples ? 'example' : origin, flags: campaignFlags(campaign, coverage), coverage };
}

// complete first, then coverage, then the newest (campaign ids start with their UTC start time)
function better(a: CampaignChoice, b: CampaignChoice): number {
  const complete = Number(b.campaign.meta.state === 'complete') - Number(a.campaign.meta.state === 'complete');
  if (complete !== 0) return complete;
  if (b.coverage.cells !== a.coverage.cells) return b.coverage.cells - a.coverage.cells;
  if (b.coverage.backends !== a.coverage.backends) return b.coverage.backends - a.coverage.backends;
  return b.campaign.meta.id.localeCompare(a.campaign.meta.id);
}

/** The best campaign of `experiment` under `resultsDir` with at least one measured row, if any. */
export function bestCampaign(experiment: string, resultsDir: string): CampaignChoice | undefined {
  const candidates = listCampaigns(resultsDir)
    .map((id) => path.join(resultsDir, id))
    .filter((dir) => readCampaignMeta(dir).experiment === experiment)
    .map((dir) => choice(loadCampaign(dir), 'best'))
    .filter((candidate) => candidate.coverage.ok > 0);
  return candidates.sort(better)[0];
}

/**
 * The best committed example campaign of `experiment`, if there is one: the same rule as
 * {@link bestCampaign} (complete first, then the most backend x guest-count cells, then the newest).
 */
export function exampleCampaign(experiment: string): CampaignChoice | undefined {
  const dir = examplesDir();
  if (!fs.existsSync(dir)) return undefined;
  return bestCampaign(experiment, dir);
}

/** Splits a comma-separated list of campaign ids or directories (empty entries dropped). */
export function campaignList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

/**
 * The campaign of each of `experiments`: each one `named` (ids or directories; an unknown one throws
 * a UsageError) is used for the experiment it ran, the first named winning; every other experiment
 * gets its best campaign under `resultsDir`; with nothing named and no campaign at all in
 * `resultsDir`, the example campaigns. Named campaigns of other experiments are not used (and noted
 * when none named is used).
 */
export function chooseCampaigns(
  experiments: readonly string[],
  options: { named?: readonly string[]; resultsDir: string },
): CampaignChoices {
  const byExperiment: Partial<Record<string, CampaignChoice>> = {};
  const notes: string[] = [];
  const named = options.named ?? [];
  // a report names every campaign it shows, so one of another experiment is only worth a note
  // when none of those named is for this notebook
  const unused: string[] = [];
  for (const which of named) {
    const campaign = loadCampaign(which, { resultsDir: options.resultsDir });
    const experiment = campaign.meta.experiment;
    if (!experiments.includes(experiment))
      unused.push(
        `\`campaign\` names a ${experiment} campaign (${campaign.meta.id}), not ${experiments.join(' or ')}: not used here`,
      );
    else if (byExperiment[experiment])
      notes.push(`campaign ${campaign.meta.id} is a second ${experiment} campaign: the first one named is used`);
    else byExperiment[experiment] = choice(campaign, 'named');
  }
  // a notebook of no experiment (07-compare picks its own pair) takes none of them by experiment: nothing to note
  if (experiments.length > 0 && Object.keys(byExperiment).length === 0) notes.push(...unused);
  const examples = named.length === 0 && listCampaigns(options.resultsDir).length === 0;
  for (const experiment of experiments) {
    if (byExperiment[experiment]) continue;
    const found = examples ? exampleCampaign(experiment) : bestCampaign(experiment, options.resultsDir);
    if (found) byExperiment[experiment] = found;
    else
      notes.push(
        `no ${experiment} campaign found (none with measured rows in ${options.resultsDir}): run \`guestbench run ${experiment}\``,
      );
  }
  return { byExperiment, notes };
}
