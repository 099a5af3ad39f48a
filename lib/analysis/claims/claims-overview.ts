/**
 * The claims at a glance, for `guestbench claims --plan` and the report's index: how many were
 * decided (holds + fails), how many are inconclusive, how many this host cannot decide (and why),
 * and how many need a longer campaign, with the commands that would run it (merged per experiment)
 * and their estimated time on this host. Counted once per quantity (countedResults).
 */
import type { BackendName } from '../../model/backends.js';
import { campaignOverheadSeconds, estimateCellSeconds, type CampaignTimings } from './campaign-timings.js';
import type { PlanCell } from './claim-plan.js';
import { countedResults, type ClaimResult } from './evaluate-claims.js';

/** One campaign that would decide some claims. */
export interface PlanCommand {
  experiment: string;
  /** the command line, e.g. `guestbench run latency --backends docker,podman --guests 1,16 --repeats 3` */
  command: string;
  backends: BackendName[];
  /** null for migration (its profile's configurations) */
  guests: number[] | null;
  repeats: number;
  /** estimated seconds on this host; null where no recorded campaign gives a timing for some cell */
  seconds: number | null;
  /** the ids of the claims it would decide */
  claims: string[];
}

/** Why some claims cannot be decided on this host. */
export interface HostLimit {
  why: string;
  claims: string[];
}

/** What {@link claimsOverview} returns. */
export interface ClaimsOverview {
  /** claims counted once per quantity (restatements and groups once) */
  counted: number;
  holds: number;
  fails: number;
  /** holds + fails */
  decided: number;
  /** the 95% interval crosses the band's edge (or no interval can be had: values of 0) */
  inconclusive: number;
  /** this host cannot decide them whatever it runs, by reason */
  cannotDecide: { count: number; reasons: HostLimit[] };
  /** a longer campaign on this host would decide them: the commands, and their estimated total seconds */
  needLonger: { count: number; commands: PlanCommand[]; seconds: number | null };
}

/**
 * Fills the estimated seconds of every planned campaign's cells from recorded timings
 * (campaign-timings.ts); returns new results, the given ones untouched.
 */
export function estimatePlans(results: readonly ClaimResult[], timings: CampaignTimings): ClaimResult[] {
  return results.map((result) => {
    const plan = result.plan;
    if (plan === null || plan.state !== 'campaign') return result;
    return {
      ...result,
      plan: {
        ...plan,
        cells: plan.cells.map((cell) => ({
          ...cell,
          seconds: estimateCellSeconds(timings, plan.experiment, cell.backend, cell.guests, plan.repeats),
        })),
        overheadSeconds: campaignOverheadSeconds(timings, plan.experiment),
      },
    };
  });
}

function commandLine(
  experiment: string,
  backends: readonly BackendName[],
  guests: number[] | null,
  repeats: number,
  profile: string,
) {
  return [
    `guestbench run ${experiment}`,
    `--backends ${backends.join(',')}`,
    guests === null ? null : `--guests ${guests.join(',')}`,
    `--repeats ${repeats}`,
    profile === 'quick' ? null : `--profile ${profile}`,
  ]
    .filter((part): part is string => part !== null)
    .join(' ');
}

/**
 * The campaigns the plans ask for, merged: per experiment (and profile), the backends that need the
 * same guest counts share one command; a cell two claims need is run (and timed) once.
 */
export function planCommands(results: readonly ClaimResult[]): PlanCommand[] {
  interface Wanted {
    experiment: string;
    profile: string;
    repeats: number;
    overhead: number | null;
    backends: Map<BackendName, { guests: Set<number> | null; cells: Map<string, PlanCell>; claims: Set<string> }>;
  }
  const byExperiment = new Map<string, Wanted>();
  for (const result of results) {
    const plan = result.plan;
    if (plan === null || plan.state !== 'campaign') continue;
    const key = `${plan.experiment}/${plan.profile}`;
    const wanted: Wanted = byExperiment.get(key) ?? {
      experiment: plan.experiment,
      profile: plan.profile,
      repeats: plan.repeats,
      overhead: plan.overheadSeconds,
      backends: new Map(),
    };
    byExperiment.set(key, wanted);
    wanted.repeats = Math.max(wanted.repeats, plan.repeats);
    for (const cell of plan.cells) {
      const entry = wanted.backends.get(cell.backend) ?? {
        guests: cell.guests === null ? null : new Set<number>(),
        cells: new Map(),
        claims: new Set<string>(),
      };
      wanted.backends.set(cell.backend, entry);
      if (cell.guests !== null) entry.guests?.add(cell.guests);
      entry.cells.set(String(cell.guests), cell);
      entry.claims.add(result.claim.id);
    }
  }
  const commands: PlanCommand[] = [];
  for (const wanted of byExperiment.values()) {
    // backends with the same guest counts share a command
    const shared = new Map<string, BackendName[]>();
    for (const [backend, entry] of wanted.backends) {
      const guests = entry.guests === null ? 'none' : [...entry.guests].sort((a, b) => a - b).join(',');
      shared.set(guests, [...(shared.get(guests) ?? []), backend]);
    }
    for (const [guestsKey, backends] of shared) {
      const guests = guestsKey === 'none' ? null : guestsKey.split(',').map(Number);
      const cells = backends.flatMap((backend) => [...(wanted.backends.get(backend)?.cells.values() ?? [])]);
      const unknown = cells.some((cell) => cell.seconds === null) || wanted.overhead === null;
      const seconds = unknown
        ? null
        : cells.reduce((sum, cell) => sum + (cell.seconds as number), 0) + (wanted.overhead as number);
      commands.push({
        experiment: wanted.experiment,
        command: commandLine(wanted.experiment, backends, guests, wanted.repeats, wanted.profile),
        backends,
        guests,
        repeats: wanted.repeats,
        seconds,
        claims: [...new Set(backends.flatMap((backend) => [...(wanted.backends.get(backend)?.claims ?? [])]))],
      });
    }
  }
  return commands;
}

/**
 * The claims at a glance (counted once per quantity): decided (holds + fails), inconclusive, cannot
 * be decided on this host (grouped by why), need a longer campaign (the merged commands and their
 * estimated total time). Give it results whose plans carry times (`estimatePlans`, as
 * `evaluateChosenClaims` returns them) for the seconds; without, they are null.
 */
export function claimsOverview(results: readonly ClaimResult[]): ClaimsOverview {
  const counted = countedResults(results);
  const holds = counted.filter((result) => result.verdict === 'holds').length;
  const fails = counted.filter((result) => result.verdict === 'fails').length;
  const reasons = new Map<string, string[]>();
  let longer = 0;
  for (const result of counted) {
    if (result.plan?.state === 'host')
      reasons.set(result.plan.why, [...(reasons.get(result.plan.why) ?? []), result.claim.id]);
    if (result.plan?.state === 'campaign') longer += 1;
  }
  // every claim that needs one shapes the commands (a restatement's N may differ from its original's)
  const commands = planCommands(results);
  const total = commands.some((command) => command.seconds === null)
    ? null
    : commands.reduce((sum, command) => sum + (command.seconds as number), 0);
  const cannot = [...reasons.values()].reduce((sum, ids) => sum + ids.length, 0);
  return {
    counted: counted.length,
    holds,
    fails,
    decided: holds + fails,
    inconclusive: counted.filter((result) => result.verdict === 'inconclusive' && result.plan === null).length,
    cannotDecide: { count: cannot, reasons: [...reasons].map(([why, claims]) => ({ why, claims })) },
    needLonger: { count: longer, commands, seconds: total },
  };
}
