/**
 * The campaigns notebook 06 reads: one per experiment of the systems overview. Those named (a
 * comma-separated list of ids or directories, e.g. the notebook's `campaign` parameter or
 * $GUESTBENCH_SYSTEMS_CAMPAIGNS, each used for the experiment it ran) come first; every other
 * experiment's is the best under the results directory (lib/analysis/choose-campaign.ts).
 */
import { defaultResultsDir } from '../util/paths.js';
import { campaignList, chooseCampaigns, type CampaignChoice } from './choose-campaign.js';
import type { LoadedCampaign } from './load-campaign.js';
import { SYSTEMS_EXPERIMENTS, type SystemsExperiment } from './systems-overview.js';

/** What was found, and one line per experiment without a campaign (with what to run). */
export interface SystemsCampaigns {
  byExperiment: Partial<Record<SystemsExperiment, LoadedCampaign>>;
  /** why each was chosen and what to warn about */
  choices: Partial<Record<SystemsExperiment, CampaignChoice>>;
  notes: string[];
}

/** Loads the named campaigns, then the best campaign of every experiment still missing. */
export function loadSystemsCampaigns(options: { campaigns?: string; resultsDir?: string } = {}): SystemsCampaigns {
  const found = chooseCampaigns(SYSTEMS_EXPERIMENTS, {
    named: campaignList(options.campaigns),
    resultsDir: options.resultsDir || defaultResultsDir(),
  });
  const byExperiment: Partial<Record<SystemsExperiment, LoadedCampaign>> = {};
  const choices: Partial<Record<SystemsExperiment, CampaignChoice>> = {};
  for (const experiment of SYSTEMS_EXPERIMENTS) {
    const choice = found.byExperiment[experiment];
    if (!choice) continue;
    byExperiment[experiment] = choice.campaign;
    choices[experiment] = choice;
  }
  return { byExperiment, choices, notes: found.notes };
}
