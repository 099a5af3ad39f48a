/**
 * The two campaigns notebooks/07-compare.ipynb compares, on the reader's own data first:
 * 1. its `campaign` parameter when it names two ("A,B"), else `$GUESTBENCH_COMPARE_A` and
 *    `$GUESTBENCH_COMPARE_B` (ids under the results directory, or directories);
 * 2. otherwise two campaigns of one experiment: among the campaigns the parameter names (a report names
 *    every campaign it shows), else in the results directory (two hosts' campaigns copied side by side, or
 *    one host before and after a change): the two newest of the experiment whose newest pair is newest;
 * 3. with campaigns but no two of one experiment, no pair: what to run for one;
 * 4. only with no campaign at all, two committed example campaigns of density-cpu, labelled as examples.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { campaignCoverage, campaignFlags, type CampaignChoice } from '../analysis/choose-campaign.js';
import { loadCampaign, type LoadedCampaign } from '../analysis/load-campaign.js';
import { listCampaigns } from '../results/store.js';
import { UsageError } from '../util/errors.js';
import { defaultResultsDir, packageRoot } from '../util/paths.js';
import { escapeHtml } from '../figures/html-table.js';
import { campaignsContextHtml } from './campaign-html.js';

/** The committed example pair: density-cpu quick campaigns on two hosts (Intel Xeon, AMD EPYC). */
export const EXAMPLE_COMPARISON = ['2026-11-21T23-53-45Z-04de', '2026-12-02T01-20-32Z-d09e'] as const;

/** Where the pair came from. */
export type PairOrigin = 'parameter' | 'environment' | 'named' | 'results' | 'example';

/** The pair to compare, or why there is none and what to run for one. */
export type ComparisonCampaigns =
  | {
      state: 'pair';
      a: LoadedCampaign;
      b: LoadedCampaign;
      origin: PairOrigin;
      /** true: the committed example campaigns, not the reader's */
      example: boolean;
      /** one sentence saying where the two campaigns came from */
      note: string;
    }
  | {
      state: 'none';
      example: false;
      /** why there is nothing to compare, and the command that would give a pair */
      note: string;
    };

/** The notebook's parameters: `campaign` "A,B" (two ids or directories); `results`, where ids are looked up. */
export interface ComparisonParameters {
  campaign?: string;
  results?: string;
}

// "on another host (Intel Xeon)" or "on the same host": what a reader needs to read the pair's differences
function hostWords(a: LoadedCampaign, b: LoadedCampaign): string {
  const same = a.meta.host.hostname === b.meta.host.hostname && a.meta.host.cpuModel === b.meta.host.cpuModel;
  return same
    ? `both on ${a.meta.host.cpuModel} (the same host: before and after)`
    : `on two hosts: ${a.meta.host.cpuModel} (A) and ${b.meta.host.cpuModel} (B)`;
}

/**
 * Two campaigns of one experiment among `campaigns` (those with a measured row): the two newest of the experiment
 * whose newest is newest, A the older; undefined when no experiment has two.
 */
export function newestPair(campaigns: readonly LoadedCampaign[]): [LoadedCampaign, LoadedCampaign] | undefined {
  const byExperiment = new Map<string, LoadedCampaign[]>();
  for (const campaign of campaigns) {
    if (campaignCoverage(campaign).ok === 0) continue;
    const list = byExperiment.get(campaign.meta.experiment) ?? [];
    if (!list.some((other) => other.meta.id === campaign.meta.id)) list.push(campaign);
    byExperiment.set(campaign.meta.experiment, list);
  }
  // campaign ids start with their UTC start time: sorting them sorts by age
  const pairs = [...byExperiment.values()]
    .filter((list) => list.length >= 2)
    .map(
      (list) =>
        [...list].sort((x, y) => x.meta.id.localeCompare(y.meta.id)).slice(-2) as [LoadedCampaign, LoadedCampaign],
    )
    .sort((x, y) => y[1].meta.id.localeCompare(x[1].meta.id));
  return pairs[0];
}

function resultsCampaigns(resultsDir: string): LoadedCampaign[] {
  if (!fs.existsSync(resultsDir)) return [];
  return listCampaigns(resultsDir).map((id) => loadCampaign(path.join(resultsDir, id)));
}

/**
 * The pair to compare (see the module's comment for the order), or, where the reader's results hold no two
 * campaigns of one experiment, `state: 'none'` with what to run; a UsageError when only one variable is set.
 */
export function comparisonCampaigns(
  parameters: ComparisonParameters = {},
  env: Record<string, string | undefined> = process.env,
): ComparisonCampaigns {
  const named = (parameters.campaign ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const resultsDir = parameters.results || env.GUESTBENCH_RESULTS || defaultResultsDir();
  const options = { resultsDir };
  if (named.length === 2) {
    const [a, b] = named as [string, string];
    return {
      state: 'pair',
      a: loadCampaign(a, options),
      b: loadCampaign(b, options),
      origin: 'parameter',
      example: false,
      note: `A = ${a} and B = ${b} (the campaign parameter)`,
    };
  }
  const [envA, envB] = [env.GUESTBENCH_COMPARE_A, env.GUESTBENCH_COMPARE_B];
  if ((envA === undefined) !== (envB === undefined))
    throw new UsageError(`Only ${envA === undefined ? 'GUESTBENCH_COMPARE_B' : 'GUESTBENCH_COMPARE_A'} is set`, {
      fix: 'set both GUESTBENCH_COMPARE_A and GUESTBENCH_COMPARE_B (campaign ids or directories), or neither',
    });
  if (envA !== undefined && envB !== undefined)
    return {
      state: 'pair',
      a: loadCampaign(envA, options),
      b: loadCampaign(envB, options),
      origin: 'environment',
      example: false,
      note: `A = ${envA} and B = ${envB} (GUESTBENCH_COMPARE_A and GUESTBENCH_COMPARE_B)`,
    };
  const namedCampaigns = named.map((which) => loadCampaign(which, options));
  const fromNamed = newestPair(namedCampaigns);
  if (fromNamed) {
    const [a, b] = fromNamed;
    return {
      state: 'pair',
      a,
      b,
      origin: 'named',
      example: false,
      note: `A = ${a.meta.id} and B = ${b.meta.id}: the two newest ${a.meta.experiment} campaigns of those named, ${hostWords(a, b)}`,
    };
  }
  const inResults = resultsCampaigns(resultsDir);
  const fromResults = newestPair(inResults);
  if (fromResults) {
    const [a, b] = fromResults;
    return {
      state: 'pair',
      a,
      b,
      origin: 'results',
      example: false,
      note: `A = ${a.meta.id} and B = ${b.meta.id}: the two newest ${a.meta.experiment} campaigns in ${resultsDir}, ${hostWords(a, b)}`,
    };
  }
  const yours = [...namedCampaigns, ...inResults].filter((campaign) => campaignCoverage(campaign).ok > 0);
  const newest = [...yours].sort((x, y) => y.meta.id.localeCompare(x.meta.id))[0];
  if (newest) {
    const experiments = [...new Set(yours.map((campaign) => campaign.meta.experiment))];
    const experiment = newest.meta.experiment;
    return {
      state: 'none',
      example: false,
      note:
        `Nothing to compare yet: ${resultsDir} holds one campaign of each experiment (${experiments.join(', ')}), and a comparison needs two of one. ` +
        `Run one again, after a change on this host (\`guestbench run ${experiment} --profile ${newest.meta.profile}\`: this page then compares ${newest.meta.id} with the new one), ` +
        `or on another host, and copy that campaign's directory into ${resultsDir}; or name any two: \`guestbench report -p campaign=A,B\`, \`guestbench compare A B\`.`,
    };
  }
  const fixtures = path.join(packageRoot(), 'test', 'fixtures', 'campaigns');
  return {
    state: 'pair',
    a: loadCampaign(path.join(fixtures, EXAMPLE_COMPARISON[0])),
    b: loadCampaign(path.join(fixtures, EXAMPLE_COMPARISON[1])),
    origin: 'example',
    example: true,
    note: `EXAMPLE: there is no campaign in ${resultsDir} and none is named, so this page shows two committed example campaigns from other hosts (${EXAMPLE_COMPARISON.join(' and ')}), not yours: run an experiment twice (or on two hosts) to compare your own`,
  };
}

/**
 * The top of notebook 07: where the pair comes from (a blue banner for the committed examples, a yellow one when there
 * is nothing to compare, with what to run), then, for a pair, its context once: the two campaigns, the TCG caveat and
 * what their hosts could not do (hosts and versions are set side by side further down the page).
 */
export function comparisonPairHtml(found: ComparisonCampaigns): string {
  const banner = (color: string, html: string) =>
    `<p class="guestbench-choice" style="background:${color};padding:6px;border-left:4px solid #888">${html}</p>`;
  if (found.state === 'none') return banner('#fff3cd', `<b>No comparison on this page</b>: ${escapeHtml(found.note)}`);
  const head = found.example
    ? banner('#d1ecf1', `<b>Examples from other hosts</b>: ${escapeHtml(found.note.replace(/^EXAMPLE: /, ''))}`)
    : banner('#f1f3f5', escapeHtml(found.note));
  const choices: CampaignChoice[] = [found.a, found.b].map((campaign) => ({
    campaign,
    origin: found.example ? 'example' : found.origin === 'results' ? 'best' : 'named',
    flags: campaignFlags(campaign),
    coverage: campaignCoverage(campaign),
  }));
  return `${head}${campaignsContextHtml(choices, { hostsAndVersions: false, examplesBanner: false })}`;
}
