/**
 * The campaigns notebook 06 reads: one per experiment of the systems overview. Those named (a
 * comma-separated list of ids or directories, e.g. $GUESTBENCH_SYSTEMS_CAMPAIGNS, each used for the
 * experiment it ran) come first; every other experiment's is the newest under the results directory.
 */
import { readCampaignMeta } from '../results/store.js';
import { loadCampaign, type LoadedCampaign } from './load-campaign.js';
import { SYSTEMS_EXPERIMENTS, type SystemsExperiment } from './systems-overview.js';

/** What was found, and one line per experiment without a campaign (with what to run). */
export interface SystemsCampaigns {
  byExperiment: Partial<Record<SystemsExperiment, LoadedCampaign>>;
  notes: string[];
}

function isSystemsExperiment(name: string): name is SystemsExperiment {
  return (SYSTEMS_EXPERIMENTS as readonly string[]).includes(name);
}

/** Loads the named campaigns, then the newest campaign of every experiment still missing. */
export function loadSystemsCampaigns(options: { campaigns?: string; resultsDir?: string } = {}): SystemsCampaigns {
  const byExperiment: Partial<Record<SystemsExperiment, LoadedCampaign>> = {};
  const notes: string[] = [];
  const named = (options.campaigns ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const which of named) {
    const campaign = loadCampaign(which, { resultsDir: options.resultsDir });
    const experiment = readCampaignMeta(campaign.dir).experiment;
    if (!isSystemsExperiment(experiment)) notes.push(`campaign ${campaign.meta.id} ran ${experiment}: not used here`);
    else if (byExperiment[experiment])
      notes.push(`campaign ${campaign.meta.id} is a second ${experiment} campaign: the first one named is used`);
    else byExperiment[experiment] = campaign;
  }
  for (const experiment of SYSTEMS_EXPERIMENTS) {
    if (byExperiment[experiment]) continue;
    try {
      byExperiment[experiment] = loadCampaign(undefined, { resultsDir: options.resultsDir, experiment });
    } catch {
      notes.push(`no ${experiment} campaign found: its columns are empty (run \`guestbench run ${experiment}\`)`);
    }
  }
  return { byExperiment, notes };
}
