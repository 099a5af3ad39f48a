/**
 * A claim's evaluation in words: one line per claim for the terminal
 * (`[holds] 4.5.1 containers' CPU total time at N=8 within 10% of VMs' (ours 1.04x, thesis 1.00x)`),
 * and the pieces tables print (ours, the thesis's, the band, the cells).
 */
import { seriesLabel } from '../../model/backends.js';
import type { ClaimRecord } from '../../thesis/index.js';
import { POOLED_CONFIGURATIONS } from './claim-cells.js';
import type { ClaimBand, ClaimEstimate } from './claim-verdict.js';
import { formatClaimNumber } from './claim-verdict.js';
import type { ClaimPlan } from './claim-plan.js';
import type { ClaimResult } from './evaluate-claims.js';

/** An estimated duration in words: `about 40 s`, `about 4 min`, or `time unknown` (no recorded timing). */
export function durationText(seconds: number | null): string {
  if (seconds === null) return 'time unknown (no recorded campaign to estimate from)';
  return seconds < 90 ? `about ${Math.ceil(seconds / 10) * 10} s` : `about ${Math.ceil(seconds / 60)} min`;
}

/** What would decide a claim, in words: the campaign to run and its estimated time, or why this host cannot. */
export function planText(plan: ClaimPlan): string {
  if (plan.state === 'host') return `cannot be decided on this host: ${plan.why}`;
  const cells = plan.cells.map((cell) => cell.seconds);
  const seconds =
    cells.some((value) => value === null) || plan.overheadSeconds === null
      ? null
      : (cells as number[]).reduce((sum, value) => sum + value, 0) + plan.overheadSeconds;
  const command = [
    `guestbench run ${plan.experiment} --backends ${plan.backends.join(',')}`,
    plan.guests === null ? '' : ` --guests ${plan.guests.join(',')}`,
    ` --repeats ${plan.repeats}`,
    plan.profile === 'quick' ? '' : ` --profile ${plan.profile}`,
  ].join('');
  return `to decide it: \`${command}\` (${durationText(seconds)})`;
}

function withUnit(value: number, unit: ClaimRecord['unit']): string {
  return unit === 'x' ? `${formatClaimNumber(value)}x` : `${formatClaimNumber(value)} ${unit}`;
}

/** Our value with its interval, e.g. `1.04x [0.98, 1.10]`, or `1.04x (too few repeats (n=2) for an interval)`. */
export function oursText(estimate: ClaimEstimate, unit: ClaimRecord['unit']): string {
  const value = withUnit(estimate.value, unit);
  return estimate.interval === 'ok'
    ? `${value} [${formatClaimNumber(estimate.low)}, ${formatClaimNumber(estimate.high)}]`
    : `${value} (${estimate.reason})`;
}

/** The thesis's value (or its words where it states a direction only) and the line it is on. */
export function thesisText(claim: ClaimRecord): string {
  const value = claim.thesis.value === null ? null : withUnit(claim.thesis.value, claim.unit);
  const printed = claim.thesis.printed;
  return value === null ? (printed ?? '') : value;
}

/** The band the quantity must lie in, e.g. `0.90x to 1.10x`, `above 1.00x`. */
export function bandText(band: ClaimBand, unit: ClaimRecord['unit']): string {
  if (band.high === Infinity) return `above ${withUnit(band.low, unit)}`;
  if (band.low === -Infinity) return `below ${withUnit(band.high, unit)}`;
  return `${withUnit(band.low, unit)} to ${withUnit(band.high, unit)}`;
}

/** The cells behind a verdict, e.g. `docker N=8 total_time 42.1 s (n=3); KVM VMs (tcg) N=8 ...`. */
export function cellsText(result: ClaimResult): string {
  const cells = result.cells
    .map((cell) => {
      const stand = cell.backend === cell.thesisBackend ? '' : ` for the thesis's ${cell.thesisBackend}`;
      const by = cell.measuredBy ? ` (${cell.measuredBy})` : '';
      // a pooled cell's values are one mean per configuration: its n counts configurations, not repeats
      const pooled = cell.pairing === POOLED_CONFIGURATIONS;
      const count = pooled
        ? `n=${cell.values.length} configuration means`
        : `n=${cell.values.length}${cell.configs ? `, ${cell.configs.length} configuration(s)` : ''}`;
      const mean = cell.values.reduce((sum, value) => sum + value, 0) / cell.values.length;
      return `${seriesLabel(cell.backend, cell.accel)}${stand} N=${cell.guests} ${cell.metric}${by} ${formatClaimNumber(mean)} (${count})`;
    })
    .join('; ');
  return result.verdict === 'not measured' ? [cells, result.reason].filter(Boolean).join('; ') : cells;
}

/**
 * The accelerator(s) our numbers came from, per backend: `kvm tcg, docker none` (`none`: no
 * hypervisor; `tcg`: QEMU's software emulation; `kvm`: hardware virtualisation); empty without cells.
 */
export function accelText(result: ClaimResult): string {
  return Object.entries(result.accel)
    .map(([backend, accel]) => `${backend} ${accel}`)
    .join(', ');
}

/**
 * One line per claim: verdict, section, claim, then ours and the thesis's (or why not measured),
 * the accelerators ours came from, and where a claim restates another, which.
 */
export function claimLine(result: ClaimResult): string {
  const head = `[${result.verdict}] ${result.claim.section} ${result.claim.claim}`;
  const thesis = `thesis ${thesisText(result.claim)}`;
  const accel = accelText(result) === '' ? '' : `; accel ${accelText(result)}`;
  const restates = result.claim.restates === null ? '' : `; restates ${result.claim.restates}`;
  const plan = result.plan === null ? '' : `; ${planText(result.plan)}`;
  if (result.verdict === 'not measured') {
    const ours = result.ours === null ? '' : `; ours for reference ${oursText(result.ours, result.claim.unit)}`;
    return `${head} (not measured: ${result.reason}${ours}; ${thesis}${accel}${plan}${restates})`;
  }
  const ours = `ours ${oursText(result.ours, result.claim.unit)}`;
  const why = result.reason !== null && result.ours.interval === 'ok' ? `; ${result.reason}` : '';
  return `${head} (${ours}, ${thesis}${accel}${why}${plan}${restates})`;
}
