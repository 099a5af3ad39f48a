/**
 * The two campaigns chapter 5's notebook shows: a `latency` campaign (Tables 5.1-5.2, Figure 5.1)
 * and a `latency-restore` campaign (Figure 5.2). Either may be missing; the notebook then says so.
 */
import { readCampaignMeta } from '../results/store.js';
import { loadCampaign, type LoadedCampaign } from './load-campaign.js';

/** What was found, and what could not be. */
export interface LatencyCampaigns {
  latency: LoadedCampaign | null;
  restore: LoadedCampaign | null;
  /** one line per campaign not found or not used, with what to run */
  notes: string[];
}

/**
 * Loads the campaigns: `campaign` (e.g. $GUESTBENCH_CAMPAIGN; used for whichever of the two
 * experiments it ran) and `restoreCampaign` (e.g. $GUESTBENCH_RESTORE_CAMPAIGN), each an id or a
 * directory; whatever is not given is the newest campaign of its experiment under `resultsDir`.
 */
export function loadLatencyCampaigns(
  options: { campaign?: string; restoreCampaign?: string; resultsDir?: string } = {},
): LatencyCampaigns {
  const notes: string[] = [];
  const found: { latency: LoadedCampaign | null; restore: LoadedCampaign | null } = { latency: null, restore: null };
  const explicit = [options.campaign, options.restoreCampaign].filter(
    (value): value is string => value !== undefined && value !== '',
  );
  for (const which of explicit) {
    const campaign = loadCampaign(which, { resultsDir: options.resultsDir });
    const experiment = readCampaignMeta(campaign.dir).experiment;
    if (experiment === 'latency') found.latency = campaign;
    else if (experiment === 'latency-restore') found.restore = campaign;
    else notes.push(`campaign ${campaign.meta.id} ran ${experiment}, not latency or latency-restore: not used here`);
  }
  for (const [key, experiment] of [
    ['latency', 'latency'],
    ['restore', 'latency-restore'],
  ] as const) {
    if (found[key]) continue;
    try {
      found[key] = loadCampaign(undefined, { resultsDir: options.resultsDir, experiment });
    } catch {
      notes.push(`no ${experiment} campaign found: run \`guestbench run ${experiment}\``);
    }
  }
  return { ...found, notes };
}
