/**
 * One way in for exploring results from a notebook: a campaign, the best campaign of an
 * experiment, or every campaign of the results directory, as tidy rows and one danfojs DataFrame
 * that says on every row what produced it (campaign, host, profile, backend, accelerator).
 *
 * Relative paths are resolved against the results directory and then the checkout, never against
 * the process's working directory: a tslab kernel runs in notebooks/, a shell in the checkout, and
 * the same call must find the same campaign in both.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataFrame } from 'danfojs';
import {
  campaignFlags,
  campaignList,
  chooseCampaigns,
  examplesDir,
  type CampaignChoice,
  type CampaignFlag,
  type CampaignOrigin,
} from '../analysis/choose-campaign.js';
import { loadCampaign as loadCampaignDir, type LoadedCampaign } from '../analysis/load-campaign.js';
import { listCampaigns } from '../results/store.js';
import type { Sample } from '../results/schema.js';
import { UsageError } from '../util/errors.js';
import { defaultResultsDir, packageRoot } from '../util/paths.js';

/** Where to look, and for what. */
export interface CampaignQuery {
  /** the experiment whose best campaign is meant when no campaign is named (lib/analysis/choose-campaign.ts) */
  experiment?: string;
  /**
   * the results directory (default $GUESTBENCH_RESULTS, else results/ of the checkout); a relative
   * one is taken relative to the checkout
   */
  results?: string;
}

/** The results directory a query means, as an absolute path. */
export function resultsDirOf(query: CampaignQuery = {}): string {
  const dir = query.results || defaultResultsDir();
  return path.resolve(packageRoot(), dir);
}

/**
 * `which` (a campaign id or directory) as an absolute directory: absolute as given; relative, the
 * first of `<results>/<which>` and `<checkout>/<which>` that holds a campaign.json (else the first,
 * for loadCampaign's error to name).
 */
export function campaignDir(which: string, resultsDir: string): string {
  if (path.isAbsolute(which)) return which;
  const candidates = [path.join(resultsDir, which), path.join(packageRoot(), which)];
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'campaign.json'))) ?? (candidates[0] as string);
}

/**
 * Loads a campaign for a notebook: `which` is a campaign id or directory (resolved as
 * {@link campaignDir} does); without one, the best campaign of `experiment` in the results
 * directory (complete first, then the most backends and guest counts, then the newest; with no
 * campaign at all there, the committed example campaign of that experiment). Without either, a
 * UsageError: "the newest campaign" of any experiment is rarely the one a reader wants.
 */
export function loadCampaign(which?: string | CampaignQuery, query: CampaignQuery = {}): LoadedCampaign {
  const options = typeof which === 'object' ? which : query;
  const named = typeof which === 'string' ? which : undefined;
  const resultsDir = resultsDirOf(options);
  if (named !== undefined) return loadCampaignDir(campaignDir(named, resultsDir), { resultsDir });
  const experiment = options.experiment;
  if (experiment === undefined)
    throw new UsageError('loadCampaign() needs a campaign (an id or a directory) or an experiment', {
      fix: "name one: loadCampaign('ID') or loadCampaign({ experiment: 'density-cpu' }) for the best density-cpu campaign",
    });
  const found = chooseCampaigns([experiment], { resultsDir }).byExperiment[experiment];
  if (!found)
    throw new UsageError(`No ${experiment} campaign with a measured row in ${resultsDir}`, {
      fix: `run \`guestbench run ${experiment}\`, or pass \`results\` pointing at a results directory`,
    });
  return found.campaign;
}

/** One measured (or not measured) value with what produced it: a row of the exploration frame. */
export interface TidyRow {
  campaign: string;
  experiment: string;
  /** the host the campaign ran on (campaign.json's hostname) */
  host: string;
  /** quick or thesis */
  profile: string;
  backend: string;
  /** kvm, tcg (software emulation) or none (containers, the bare host) */
  accel: string;
  /** guests running at once (latency: already running) */
  guests: number;
  guest: number;
  repeat: number;
  metric: string;
  /** NaN where the run errored or the backend could not do it (`state`, `reason`) */
  value: number;
  unit: string;
  state: string;
  /** why there is no value ('' when there is one) */
  reason: string;
  /** migration rows: the configuration (e.g. loaded-2cpu-512m); '' elsewhere */
  config: string;
  /** migration rows: who measured (qemu, observer, criu, runner, link); '' elsewhere */
  measured_by: string;
}

/** The tidy rows of `campaigns`, each with its campaign's host and profile. */
export function tidyRows(campaigns: readonly LoadedCampaign[]): TidyRow[] {
  return campaigns.flatMap(({ meta, samples }) =>
    samples.map((sample: Sample) => ({
      campaign: sample.campaign,
      experiment: sample.experiment,
      host: meta.host.hostname,
      profile: meta.profile,
      backend: sample.backend,
      accel: sample.accel,
      guests: sample.guests,
      guest: sample.guest,
      repeat: sample.repeat,
      metric: sample.metric,
      value: sample.value ?? NaN,
      unit: sample.unit,
      state: sample.state,
      reason: sample.reason ?? '',
      config: sample.config ?? '',
      measured_by: sample.measured_by ?? '',
    })),
  );
}

/** A campaign in an exploration, and why it is there. */
export interface ExploredCampaign {
  campaign: LoadedCampaign;
  /** named; the best of its experiment; a committed example (another host); or every campaign listed */
  origin: CampaignOrigin | 'listed';
  /** what a reader must be warned about (empty, partial, interrupted) */
  flags: CampaignFlag[];
}

/** What {@link explore} loaded. */
export interface Exploration {
  /** every row of the campaigns, with provenance: see {@link TidyRow} */
  frame: DataFrame;
  rows: TidyRow[];
  campaigns: ExploredCampaign[];
  /** what could not be found, and what to run */
  notes: string[];
}

/** What {@link explore} reads: a query, plus campaigns named. */
export interface ExploreOptions extends CampaignQuery {
  /** campaign ids or directories (comma-separated or a list); resolved as {@link campaignDir} does */
  campaign?: string | readonly string[];
}

const explored = (choice: CampaignChoice): ExploredCampaign => ({
  campaign: choice.campaign,
  origin: choice.origin,
  flags: choice.flags,
});

/**
 * The tidy frame to explore. With `experiment`: the first campaign named for it, else its best
 * campaign (named campaigns of other experiments are noted, not loaded). Without: the campaigns
 * named, all of them; else every campaign of the results directory, or with none there the committed
 * example campaigns (origin `example`). The frame's columns are {@link TidyRow}'s.
 */
export function explore(options: ExploreOptions = {}): Exploration {
  const resultsDir = resultsDirOf(options);
  const named = (typeof options.campaign === 'string' ? campaignList(options.campaign) : (options.campaign ?? [])).map(
    (which) => campaignDir(which, resultsDir),
  );
  let campaigns: ExploredCampaign[];
  let notes: string[] = [];
  if (options.experiment !== undefined) {
    // the first campaign named for the experiment, else its best (named ones of other experiments: a note)
    const found = chooseCampaigns([options.experiment], { named, resultsDir });
    const choice = found.byExperiment[options.experiment];
    campaigns = choice ? [explored(choice)] : [];
    notes = found.notes;
  } else if (named.length > 0) {
    campaigns = named.map((dir) => {
      const campaign = loadCampaignDir(dir, { resultsDir });
      return { campaign, origin: 'named', flags: campaignFlags(campaign) };
    });
  } else {
    ({ campaigns, notes } = everyCampaign(resultsDir));
  }
  const rows = tidyRows(campaigns.map((entry) => entry.campaign));
  return { frame: tidyFrame(rows), rows, campaigns, notes };
}

/** Every campaign of `resultsDir`; with none there, the example campaign of each experiment. */
function everyCampaign(resultsDir: string): { campaigns: ExploredCampaign[]; notes: string[] } {
  const ids = listCampaigns(resultsDir);
  if (ids.length > 0)
    return {
      campaigns: ids.map((id) => {
        const campaign = loadCampaignDir(path.join(resultsDir, id));
        return { campaign, origin: 'listed', flags: campaignFlags(campaign) };
      }),
      notes: [],
    };
  const examples = examplesDir();
  const experiments = [
    ...new Set(listCampaigns(examples).map((id) => loadCampaignDir(path.join(examples, id)).meta.experiment)),
  ].sort();
  const found = chooseCampaigns(experiments, { resultsDir });
  return {
    campaigns: experiments.flatMap((experiment) => {
      const choice = found.byExperiment[experiment];
      return choice ? [explored(choice)] : [];
    }),
    notes: [`no campaign in ${resultsDir}: the committed example campaigns (from another host), one per experiment`],
  };
}

/** Tidy rows as a danfojs DataFrame, one column per {@link TidyRow} field (an empty frame keeps them). */
export function tidyFrame(rows: readonly TidyRow[]): DataFrame {
  if (rows.length > 0) return new DataFrame(rows as TidyRow[]);
  const columns: Array<keyof TidyRow> = [
    'campaign',
    'experiment',
    'host',
    'profile',
    'backend',
    'accel',
    'guests',
    'guest',
    'repeat',
    'metric',
    'value',
    'unit',
    'state',
    'reason',
    'config',
    'measured_by',
  ];
  return new DataFrame([], { columns });
}
