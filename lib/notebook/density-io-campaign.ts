/**
 * Which campaign a file I/O or MySQL notebook shows. `guestbench report` runs every notebook with one
 * $GUESTBENCH_CAMPAIGN (often a density-cpu campaign) and `scripts/main.sh` runs only density-cpu, so
 * these notebooks must neither show another experiment's rows nor fail when their experiment has
 * not been run: they then show the thesis's values alone, and say how to measure ours.
 */
import type { LoadedCampaign } from '../analysis/load-campaign.js';
import { loadCampaign } from '../analysis/load-campaign.js';
import { escapeHtml } from '../figures/html-table.js';
import { campaignHtml } from './campaign-html.js';

/** The campaign to show, or why there is none; `html` is the panel to display either way. */
export interface NotebookCampaign {
  campaign: LoadedCampaign | undefined;
  html: string;
}

/**
 * $GUESTBENCH_CAMPAIGN when it is a campaign of `experiment`, else the newest campaign of
 * `experiment` under $GUESTBENCH_RESULTS (default results/), else none.
 */
export function notebookCampaign(experiment: string, env: NodeJS.ProcessEnv = process.env): NotebookCampaign {
  const notes: string[] = [];
  const asked = env.GUESTBENCH_CAMPAIGN;
  const resultsDir = env.GUESTBENCH_RESULTS;
  if (asked) {
    try {
      const campaign = loadCampaign(asked, resultsDir ? { resultsDir } : {});
      if (campaign.meta.experiment === experiment) return { campaign, html: campaignHtml(campaign) };
      notes.push(
        `$GUESTBENCH_CAMPAIGN names a ${campaign.meta.experiment} campaign (${campaign.meta.id}), not ${experiment}: using the newest ${experiment} campaign instead.`,
      );
    } catch (error) {
      notes.push(
        `$GUESTBENCH_CAMPAIGN (${asked}) could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  const note = notes.map((text) => `<p>${escapeHtml(text)}</p>`).join('');
  try {
    const campaign = loadCampaign(undefined, { experiment, ...(resultsDir ? { resultsDir } : {}) });
    return { campaign, html: note + campaignHtml(campaign) };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      campaign: undefined,
      html: `${note}<p style="background:#e2e3e5;padding:6px;border-left:4px solid #6c757d"><b>No ${escapeHtml(experiment)} campaign to show</b> (${escapeHtml(why)}). Below: the thesis's values alone, and every claim <i>not measured</i>. Measure this host with <code>guestbench run ${escapeHtml(experiment)}</code> (quick profile: a few minutes), then re-run this notebook.</p>`,
    };
  }
}
