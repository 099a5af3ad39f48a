/**
 * The one evaluator of the thesis's claims (data/thesis/claims.jsonl): each claim against the
 * campaign of its experiment, giving `holds`, `fails`, `inconclusive` or `not measured` with the
 * numbers behind the verdict, ours and the thesis's.
 *
 * Every claim is a quantity between like quantities (a ratio between backends of one campaign, a
 * ratio to the bare host, a rate, a per-request or per-boot time), never raw totals of workloads
 * of different sizes; the claims file is written so, the evaluator only reads it.
 */
import { backendDescriptor } from '../../model/backends.js';
import type { Sample } from '../../results/schema.js';
import type { ClaimRecord } from '../../thesis/index.js';
import type { LoadedCampaign } from '../load-campaign.js';
import { findClaimCells, type ClaimCell } from './claim-cells.js';
import { claimEstimate } from './claim-estimate.js';
import { claimBand, estimateVerdict, type ClaimBand, type ClaimEstimate, type ClaimVerdict } from './claim-verdict.js';

/** The rows a claim is evaluated on: one campaign. */
export interface ClaimCampaign {
  /** the campaign's id */
  id: string;
  samples: readonly Sample[];
}

/** The campaign of each experiment (a claim's experiment without one is `not measured`). */
export type ClaimCampaigns = Partial<Record<string, ClaimCampaign>>;

/** One claim's evaluation. */
export type ClaimResult =
  | {
      verdict: 'not measured';
      claim: ClaimRecord;
      /** the campaign asked, null where its experiment had none */
      campaign: string | null;
      band: ClaimBand;
      /** why not: no campaign, backend not run or unsupported, guest count not reached, VMs emulated... */
      reason: string;
      /** where the cells were found but are not the thesis's quantity (VMs under TCG): ours, for reference */
      ours: ClaimEstimate | null;
      /** the cells `ours` came from (empty where it is null) */
      cells: ClaimCell[];
    }
  | {
      verdict: Exclude<ClaimVerdict, 'not measured'>;
      claim: ClaimRecord;
      campaign: string;
      band: ClaimBand;
      /** our value of the quantity and its 95% interval */
      ours: ClaimEstimate;
      /** the cells it was computed from, in the order the quantity names them */
      cells: ClaimCell[];
      /** why inconclusive (the interval crosses the band, too few repeats); null otherwise */
      reason: string | null;
    };

/**
 * Why a claim's cells are not the thesis's quantity, or null: a VM under software emulation (TCG)
 * set against a container or the bare host compares levels the thesis measured under KVM; a VM's
 * shape across N (the same VM backend at two N) is still the thesis's quantity.
 */
function emulationReason(cells: readonly ClaimCell[]): string | null {
  const emulated = cells.find((cell) => backendDescriptor(cell.backend).kind === 'vm' && cell.accel === 'tcg');
  const other = cells.find((cell) => backendDescriptor(cell.backend).kind !== 'vm');
  if (emulated === undefined || other === undefined) return null;
  return `${emulated.backend} ran under TCG (software emulation), so its level against ${other.backend}'s is not the thesis's KVM comparison`;
}

/** Evaluates one claim against `campaign` (undefined: its experiment has no campaign). */
export function evaluateClaim(claim: ClaimRecord, campaign: ClaimCampaign | undefined): ClaimResult {
  const band = claimBand(claim.tolerance, claim.thesis.value);
  if (campaign === undefined)
    return {
      verdict: 'not measured',
      claim,
      campaign: null,
      band,
      reason: `no ${claim.experiment} campaign: run \`guestbench run ${claim.experiment}\``,
      ours: null,
      cells: [],
    };
  const found = findClaimCells(claim.quantity, campaign.samples);
  if (found.state === 'not measured')
    return { verdict: 'not measured', claim, campaign: campaign.id, band, reason: found.reason, ours: null, cells: [] };
  const ours = claimEstimate(claim.quantity, found.cells);
  const emulated = emulationReason(found.cells);
  if (emulated !== null)
    return { verdict: 'not measured', claim, campaign: campaign.id, band, reason: emulated, ours, cells: found.cells };
  const { verdict, reason } = estimateVerdict(ours, band);
  return { verdict, claim, campaign: campaign.id, band, ours, cells: found.cells, reason };
}

/** Evaluates every claim against its experiment's campaign in `campaigns`, in the claims' order. */
export function evaluateClaims(claims: readonly ClaimRecord[], campaigns: ClaimCampaigns): ClaimResult[] {
  return claims.map((claim) => evaluateClaim(claim, campaigns[claim.experiment]));
}

/** The campaigns by experiment, the first of each experiment winning (loaded campaigns, e.g. chosen ones). */
export function claimCampaigns(loaded: ReadonlyArray<LoadedCampaign | undefined>): ClaimCampaigns {
  const byExperiment: ClaimCampaigns = {};
  for (const campaign of loaded) {
    if (campaign === undefined || byExperiment[campaign.meta.experiment]) continue;
    byExperiment[campaign.meta.experiment] = { id: campaign.meta.id, samples: campaign.samples };
  }
  return byExperiment;
}

/** How many claims got each verdict. */
export function countVerdicts(results: readonly ClaimResult[]): Record<ClaimVerdict, number> {
  const counts: Record<ClaimVerdict, number> = { holds: 0, fails: 0, inconclusive: 0, 'not measured': 0 };
  for (const result of results) counts[result.verdict] += 1;
  return counts;
}
