/**
 * A notebook's claims section: the thesis's claims that notebook shows (data/thesis/claims.jsonl,
 * by its `notebook` field, optionally narrowed to some experiments), evaluated against the
 * campaigns it shows, as the claims table and one text line per claim.
 */
import { campaignTimings } from '../analysis/claims/campaign-timings.js';
import { estimatePlans } from '../analysis/claims/claims-overview.js';
import { claimLine } from '../analysis/claims/claim-text.js';
import { claimCampaigns, evaluateClaims, type ClaimResult } from '../analysis/claims/evaluate-claims.js';
import type { LoadedCampaign } from '../analysis/load-campaign.js';
import { claimVerdictsHtml } from '../figures/claims-table.js';
import { loadClaims, type ClaimFilter } from '../thesis/index.js';

/** What a notebook displays of its claims. */
export interface NotebookClaims {
  results: ClaimResult[];
  /** the claims table (claimVerdictsHtml) */
  html: string;
  /** one line per claim, for the notebook's text output and tests */
  text: string;
}

/**
 * The claims of `filter` (e.g. `{notebook: '02-density-fileio'}`) evaluated against `campaigns`
 * (the notebook's campaigns; undefined entries are skipped, so a claim without one is `not measured`).
 * What would decide an undecided claim is timed from those campaigns' own recorded cells.
 */
export function notebookClaims(
  filter: ClaimFilter,
  campaigns: ReadonlyArray<LoadedCampaign | undefined>,
  caption: string,
): NotebookClaims {
  const loaded = campaigns.filter((campaign): campaign is LoadedCampaign => campaign !== undefined);
  const results = estimatePlans(evaluateClaims(loadClaims(filter), claimCampaigns(campaigns)), campaignTimings(loaded));
  return { results, html: claimVerdictsHtml(results, caption), text: results.map(claimLine).join('\n') };
}
