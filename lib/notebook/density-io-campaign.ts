/**
 * Which campaign a one-experiment notebook (01, 02, 03, 05) shows, from its parameters cell. A
 * campaign named for another experiment is not shown; without a campaign the notebook shows the
 * thesis's values alone and says how to measure ours.
 */
import { campaignList, chooseCampaigns, type CampaignChoice } from '../analysis/choose-campaign.js';
import type { LoadedCampaign } from '../analysis/load-campaign.js';
import { escapeHtml } from '../figures/html-table.js';
import { defaultResultsDir } from '../util/paths.js';
import { chosenCampaignHtml } from './campaign-html.js';

/** A notebook's parameters (its cell tagged `parameters`; `guestbench report -p NAME=VALUE` overrides them). */
export interface NotebookParameters {
  /** campaign ids or directories, comma-separated; empty: the best campaign of each experiment */
  campaign?: string;
  /** results directory; empty: $GUESTBENCH_RESULTS, else <checkout>/results */
  results?: string;
}

/** The campaign to show, or why there is none; `html` is the panel to display either way. */
export interface NotebookCampaign {
  campaign: LoadedCampaign | undefined;
  /** why it was chosen and what to warn about */
  choice: CampaignChoice | undefined;
  html: string;
}

/** The parameters' defaults: $GUESTBENCH_CAMPAIGN and $GUESTBENCH_RESULTS. */
export function parametersFromEnv(env: NodeJS.ProcessEnv = process.env): NotebookParameters {
  return { campaign: env.GUESTBENCH_CAMPAIGN ?? '', results: env.GUESTBENCH_RESULTS ?? '' };
}

/** The campaign of `experiment` the parameters name, else the best one (lib/analysis/choose-campaign.ts). */
export function notebookCampaign(
  experiment: string,
  parameters: NotebookParameters = parametersFromEnv(),
): NotebookCampaign {
  const resultsDir = parameters.results || defaultResultsDir();
  let notes: string[];
  let choice: CampaignChoice | undefined;
  try {
    const found = chooseCampaigns([experiment], { named: campaignList(parameters.campaign), resultsDir });
    choice = found.byExperiment[experiment];
    notes = found.notes;
  } catch (error) {
    notes = [
      `The campaign named (${parameters.campaign ?? ''}) could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
    ];
  }
  const note = notes.map((text) => `<p>${escapeHtml(text)}</p>`).join('');
  if (choice) return { campaign: choice.campaign, choice, html: note + chosenCampaignHtml(choice) };
  return {
    campaign: undefined,
    choice: undefined,
    html: `${note}<p style="background:#e2e3e5;padding:6px;border-left:4px solid #6c757d"><b>No ${escapeHtml(experiment)} campaign to show</b>. Below: the thesis's values alone, and every claim <i>not measured</i>. Measure this host with <code>guestbench run ${escapeHtml(experiment)}</code> (quick profile: a few minutes), then re-run this notebook.</p>`,
  };
}
