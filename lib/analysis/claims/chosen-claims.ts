/**
 * Every claim of the thesis against the campaigns a reader is shown: those named, else the best
 * campaign of each claim's experiment (else the committed examples), as `guestbench claims` prints
 * them and the report's index tabulates them; each undecided claim's plan carries its estimated
 * time, from every campaign recorded under the results directory and the committed examples.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listCampaigns } from '../../results/store.js';
import { loadClaims } from '../../thesis/index.js';
import { chooseCampaigns, examplesDir, type CampaignChoices } from '../choose-campaign.js';
import { loadCampaign, type LoadedCampaign } from '../load-campaign.js';
import { campaignTimings, type CampaignTimings } from './campaign-timings.js';
import { estimatePlans } from './claims-overview.js';
import { claimCampaigns, evaluateClaims, type ClaimResult } from './evaluate-claims.js';

/** The verdicts, and which campaign each experiment's claims were judged on. */
export interface ChosenClaims {
  /** the evaluations, plans timed (claimsOverview(results) summarises them) */
  results: ClaimResult[];
  /** the experiments of the claims, in the order of data/thesis/claims.jsonl */
  experiments: string[];
  chosen: CampaignChoices;
  /** the recorded timings the plans' estimates come from */
  timings: CampaignTimings;
}

/** Every campaign under `dir` that loads (a broken one is skipped: it only feeds time estimates). */
function loadAll(dir: string): LoadedCampaign[] {
  if (!fs.existsSync(dir)) return [];
  return listCampaigns(dir).flatMap((id) => {
    try {
      return [loadCampaign(path.join(dir, id))];
    } catch {
      return [];
    }
  });
}

/** Evaluates every claim on the chosen campaigns (see chooseCampaigns) and times what would decide the rest. */
export function evaluateChosenClaims(options: { named?: readonly string[]; resultsDir: string }): ChosenClaims {
  const claims = loadClaims();
  const experiments = [...new Set(claims.map((claim) => claim.experiment))];
  const chosen = chooseCampaigns(experiments, { named: options.named ?? [], resultsDir: options.resultsDir });
  const timings = campaignTimings([...loadAll(options.resultsDir), ...loadAll(examplesDir())]);
  const results = estimatePlans(
    evaluateClaims(claims, claimCampaigns(experiments.map((experiment) => chosen.byExperiment[experiment]?.campaign))),
    timings,
  );
  return { results, experiments, chosen, timings };
}
