/**
 * The two campaigns chapter 5's notebook shows: a `latency` campaign (Tables 5.1-5.2, Figure 5.1)
 * and a `latency-restore` campaign (Figure 5.2). Either may be missing; the notebook then says so.
 */
import { defaultResultsDir } from '../util/paths.js';
import { campaignList, chooseCampaigns, type CampaignChoice } from './choose-campaign.js';
import type { LoadedCampaign } from './load-campaign.js';

/** What was found, and what could not be. */
export interface LatencyCampaigns {
  latency: LoadedCampaign | null;
  restore: LoadedCampaign | null;
  /** why each was chosen and what to warn about (absent: not found) */
  choices: { latency?: CampaignChoice; restore?: CampaignChoice };
  /** one line per campaign not found or not used, with what to run */
  notes: string[];
}

/**
 * Loads the campaigns: `campaign` (comma-separated ids or directories, e.g. the notebook's
 * `campaign` parameter or $GUESTBENCH_CAMPAIGN; each used for whichever of the two experiments it
 * ran) and `restoreCampaign` (e.g. $GUESTBENCH_RESTORE_CAMPAIGN); whatever is not named is the best
 * campaign of its experiment under `resultsDir` (lib/analysis/choose-campaign.ts).
 */
export function loadLatencyCampaigns(
  options: { campaign?: string; restoreCampaign?: string; resultsDir?: string } = {},
): LatencyCampaigns {
  const { byExperiment, notes } = chooseCampaigns(['latency', 'latency-restore'], {
    named: [...campaignList(options.campaign), ...campaignList(options.restoreCampaign)],
    resultsDir: options.resultsDir || defaultResultsDir(),
  });
  const latency = byExperiment.latency;
  const restore = byExperiment['latency-restore'];
  return {
    latency: latency?.campaign ?? null,
    restore: restore?.campaign ?? null,
    choices: { ...(latency ? { latency } : {}), ...(restore ? { restore } : {}) },
    notes,
  };
}
