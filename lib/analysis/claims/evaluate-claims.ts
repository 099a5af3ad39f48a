/**
 * The one evaluator of the thesis's claims (data/thesis/claims.jsonl): each claim against the
 * campaign of its experiment, giving `holds`, `fails`, `inconclusive` or `not measured` with the
 * numbers behind the verdict, ours and the thesis's.
 *
 * Every claim is a quantity between like quantities (a ratio between backends of one campaign, a
 * ratio to the bare host, a rate, a per-request or per-boot time), never raw totals of workloads
 * of different sizes; the claims file is written so, the evaluator only reads it.
 */
import { backendDescriptor, type BackendName } from '../../model/backends.js';
import type { Accel, Sample } from '../../results/schema.js';
import { countingUnit, type ClaimRecord } from '../../thesis/index.js';
import type { LoadedCampaign } from '../load-campaign.js';
import { findClaimCells, type ClaimCell } from './claim-cells.js';
import { claimPlan, type ClaimPlan, type PlanHost } from './claim-plan.js';
import { claimEstimate } from './claim-estimate.js';
import { claimBand, estimateVerdict, type ClaimBand, type ClaimEstimate, type ClaimVerdict } from './claim-verdict.js';

/** The rows a claim is evaluated on: one campaign. */
export interface ClaimCampaign {
  /** the campaign's id */
  id: string;
  samples: readonly Sample[];
  /** what is known of the host it ran on (accelerators, memory), for what would decide a claim */
  host?: PlanHost;
}

/** The campaign of each experiment (a claim's experiment without one is `not measured`). */
export type ClaimCampaigns = Partial<Record<string, ClaimCampaign>>;

/** The accelerator each backend of a claim's numbers ran under, e.g. `{kvm: 'tcg', docker: 'none'}`. */
export type ClaimAccels = Partial<Record<BackendName, Accel>>;

/** One claim's evaluation. */
export type ClaimResult = (
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
    }
) & {
  /** the accelerator of each backend whose cells gave the numbers (empty where no cell was found) */
  accel: ClaimAccels;
  /**
   * what would decide it, where the campaign did not (not measured, or no interval for too few
   * repeats): a campaign to run here or why this host cannot; null where decided or inconclusive
   * on an interval
   */
  plan: ClaimPlan | null;
};

/**
 * Whether the cells are a shape across N: one backend, at two guest counts or more, every metric
 * read at two guest counts or more (N=8 over N=1, or reads/writes at N=8 over at N=1).
 */
export function isShapeAcrossN(cells: readonly ClaimCell[]): boolean {
  const first = cells[0];
  if (first === undefined || cells.some((cell) => cell.backend !== first.backend)) return false;
  const guestsOf = (metric: string) =>
    new Set(cells.filter((cell) => cell.metric === metric).map((cell) => cell.guests));
  return cells.every((cell) => guestsOf(cell.metric).size >= 2);
}

/**
 * Why a claim's cells are not the thesis's quantity, or null. Under software emulation (TCG) a VM's
 * levels are the emulator's: set against a container or the bare host they are not the thesis's KVM
 * comparison, and a VM's own quantities at one N (cold boot over restore, migration time by memory
 * size) are emulation artefacts. Only a VM's shape across N (one backend, each metric at two N or
 * more) is judged under TCG.
 */
export function emulationReason(cells: readonly ClaimCell[]): string | null {
  const emulated = cells.find((cell) => backendDescriptor(cell.backend).kind === 'vm' && cell.accel === 'tcg');
  if (emulated === undefined || isShapeAcrossN(cells)) return null;
  const other = cells.find((cell) => backendDescriptor(cell.backend).kind !== 'vm');
  if (other !== undefined)
    return `${emulated.backend} ran under TCG (software emulation), so its level against ${other.backend}'s is not the thesis's KVM comparison`;
  const metrics = [...new Set(cells.map((cell) => cell.metric))].join(' against ');
  return `${emulated.backend} ran under TCG (software emulation): its ${metrics} at one N is an emulation artefact, not the thesis's KVM quantity; under TCG only a VM's shape across N is judged`;
}

/** The accelerator of each backend among `cells`. */
function accelsOf(cells: readonly ClaimCell[]): ClaimAccels {
  const accels: ClaimAccels = {};
  for (const cell of cells) accels[cell.backend] ??= cell.accel;
  return accels;
}

/** Evaluates one claim against `campaign` (undefined: its experiment has no campaign). */
export function evaluateClaim(claim: ClaimRecord, campaign: ClaimCampaign | undefined): ClaimResult {
  const band = claimBand(claim.tolerance, claim.thesis.value);
  const samples = campaign?.samples ?? [];
  const plan = (why: string) => claimPlan(claim, samples, campaign?.host ?? { accel: {} }, why);
  if (campaign === undefined) {
    const reason = `no ${claim.experiment} campaign: run \`guestbench run ${claim.experiment}\``;
    return {
      verdict: 'not measured',
      claim,
      campaign: null,
      band,
      reason,
      ours: null,
      cells: [],
      accel: {},
      plan: plan(reason),
    };
  }
  const found = findClaimCells(claim.quantity, campaign.samples);
  if (found.state === 'not measured')
    return {
      verdict: 'not measured',
      claim,
      campaign: campaign.id,
      band,
      reason: found.reason,
      ours: null,
      cells: [],
      accel: {},
      plan: plan(found.reason),
    };
  const ours = claimEstimate(claim.quantity, found.cells);
  const accel = accelsOf(found.cells);
  const emulated = emulationReason(found.cells);
  if (emulated !== null)
    return {
      verdict: 'not measured',
      claim,
      campaign: campaign.id,
      band,
      reason: emulated,
      ours,
      cells: found.cells,
      accel,
      plan: plan(emulated),
    };
  const { verdict, reason } = estimateVerdict(ours, band);
  const longer = verdict === 'inconclusive' && ours.interval === 'none' ? plan(ours.reason) : null;
  return { verdict, claim, campaign: campaign.id, band, ours, cells: found.cells, reason, accel, plan: longer };
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
    const guestMemory = campaign.meta.parameters.memoryMiB;
    byExperiment[campaign.meta.experiment] = {
      id: campaign.meta.id,
      samples: campaign.samples,
      host: {
        accel: campaign.meta.accel,
        memoryMiB: campaign.meta.host.memoryMiB,
        ...(typeof guestMemory === 'number' ? { guestMemoryMiB: guestMemory } : {}),
      },
    };
  }
  return byExperiment;
}

/**
 * The results counted once per quantity: a restatement with the claim it restates, the claims of a
 * group (one quantity, several statements) together, per campaign. Each counted unit is represented
 * by its first member in file order that was measured (else its first member): a thesis claim and
 * its restatements, or "about 3x" and "about 10x" of one ratio, are one result, not several.
 */
export function countedResults(results: readonly ClaimResult[]): ClaimResult[] {
  const units = new Map<string, ClaimResult>();
  for (const result of results) {
    const key = `${result.campaign ?? ''}\u0000${countingUnit(result.claim)}`;
    const lead = units.get(key);
    if (lead === undefined || (lead.verdict === 'not measured' && result.verdict !== 'not measured'))
      units.set(key, result);
  }
  return [...units.values()];
}

/** How many counted results (countedResults: restatements and groups once) got each verdict. */
export function countVerdicts(results: readonly ClaimResult[]): Record<ClaimVerdict, number> {
  const counts: Record<ClaimVerdict, number> = { holds: 0, fails: 0, inconclusive: 0, 'not measured': 0 };
  for (const result of countedResults(results)) counts[result.verdict] += 1;
  return counts;
}

/** The count line under a list of claims: `77 claims, counted as 52 ...: 3 holds, ...`. */
export function countsLine(results: readonly ClaimResult[]): string {
  const counts = countVerdicts(results);
  const units = countedResults(results).length;
  const verdicts = (Object.keys(counts) as ClaimVerdict[]).map((verdict) => `${counts[verdict]} ${verdict}`).join(', ');
  return units === results.length
    ? `${results.length} claims: ${verdicts}`
    : `${results.length} claims, counted as ${units} (a restatement with the claim it restates, claims of one quantity once): ${verdicts}`;
}
