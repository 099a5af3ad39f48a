/**
 * Every claim of the thesis against the campaigns a reader is shown: those named, else the best
 * campaign of each claim's experiment (else the committed examples), as `guestbench claims` prints
 * them and the report's index tabulates them.
 */
import { loadClaims } from '../../thesis/index.js';
import { chooseCampaigns, type CampaignChoices } from '../choose-campaign.js';
import { claimCampaigns, evaluateClaims, type ClaimResult } from './evaluate-claims.js';

/** The verdicts, and which campaign each experiment's claims were judged on. */
export interface ChosenClaims {
  results: ClaimResult[];
  /** the experiments of the claims, in the order of data/thesis/claims.jsonl */
  experiments: string[];
  chosen: CampaignChoices;
}

export function evaluateChosenClaims(options: { named?: readonly string[]; resultsDir: string }): ChosenClaims {
  const claims = loadClaims();
  const experiments = [...new Set(claims.map((claim) => claim.experiment))];
  const chosen = chooseCampaigns(experiments, { named: options.named ?? [], resultsDir: options.resultsDir });
  const results = evaluateClaims(
    claims,
    claimCampaigns(experiments.map((experiment) => chosen.byExperiment[experiment]?.campaign)),
  );
  return { results, experiments, chosen };
}
