/**
 * What an experiment tells the campaign runner: how to derive its parameters from a profile and
 * the command line, how backends must be set up for it, and how to run it.
 */
import {
  BACKEND_NAMES,
  CAPABILITY_NAMES,
  hasCapability,
  lacksCapability,
  type BackendName,
  type CapabilityKey,
} from '../model/backends.js';
import { UsageError } from '../util/errors.js';
import type { ExperimentContext } from './context.js';
import type { DiskNeed, GuestLoad } from './preflight.js';
import type { ProfileName } from './profiles.js';

/** The command-line choices an experiment's parameters are derived from. */
export interface ParameterRequest {
  profile: ProfileName;
  backends: BackendName[];
  /** overrides the profile's guest counts for every backend */
  guests?: number[];
  /** overrides the profile's repeat count */
  repeats?: number;
  /** migration: the link's rate, Mbit/s (`--link-mbit`) */
  linkMbit?: number;
  /** migration: the guest's disk on storage both hosts see, or copied with the migration (`--disk`) */
  disk?: 'shared' | 'copy';
  /** migration: a second machine to migrate to (`--target-host`); designed, not built yet */
  targetHost?: string;
}

/** One experiment. `P` is its parameter record, stored verbatim in campaign.json. */
export interface ExperimentDefinition<P extends object = object> {
  name: string;
  /** one line for `guestbench run --help` */
  summary: string;
  /** the thesis's tables and figures this regenerates, e.g. "Figure 4.1, Tables 4.2" */
  thesis: string;
  /**
   * the smallest N `--guests` accepts: 1 for density (N guests run the workload), 0 where N counts guests already
   * running
   */
  minGuests: 0 | 1;
  /** the backend capabilities it measures with: campaign.json records how each backend provides them (`methods`) */
  uses: readonly CapabilityKey[];
  parameters(request: ParameterRequest): P;
  /** apply the guest size as container cgroup limits (the thesis did not) */
  containerLimits(params: P): boolean;
  /** the most guests it runs at once and what it writes outside the results: the resource preflight's input */
  resources(params: P): ExperimentResources;
  run(context: ExperimentContext, params: P): Promise<void>;
}

/** What an experiment holds at its peak (lib/experiments/preflight.ts checks it against the host). */
export interface ExperimentResources {
  loads: GuestLoad[];
  disks: DiskNeed[];
  /** guests at once beyond N, in words for the fix ("N + 1: the timed guest beside N running") */
  extraGuests?: string;
}

/** Each backend's largest N (plus `extra` guests beside them) at `memoryMiB` each. */
export function peakLoads(guests: Partial<Record<BackendName, number[]>>, memoryMiB: number, extra = 0): GuestLoad[] {
  return (Object.entries(guests) as Array<[BackendName, number[] | undefined]>).map(([backend, counts]) => ({
    backend,
    guests: Math.max(0, ...(counts ?? [])) + extra,
    memoryMiB,
  }));
}

/**
 * Guest counts per requested backend, in the order asked for: the request's override for every
 * backend, else the profile's.
 */
export function guestsFor(
  request: ParameterRequest,
  profile: Record<BackendName, number[]>,
): Partial<Record<BackendName, number[]>> {
  return Object.fromEntries(request.backends.map((backend) => [backend, request.guests ?? profile[backend]]));
}

/**
 * Refuses a campaign none of whose backends can run the experiment (each capability it uses needs
 * at least one backend that has it), before anything starts; backends that lack one still take part
 * and get `unsupported` rows saying so.
 */
export function checkBackendsFit(
  definition: Pick<ExperimentDefinition, 'name' | 'uses'>,
  backends: readonly BackendName[],
): void {
  for (const capability of definition.uses) {
    if (backends.some((backend) => hasCapability(backend, capability))) continue;
    const able = BACKEND_NAMES.filter((backend) => hasCapability(backend, capability));
    throw new UsageError(
      `Expected \`--backends\` to include a backend with ${CAPABILITY_NAMES[capability]} for ${definition.name}, got \`${backends.join(',')}\`: ${backends.map((backend) => lacksCapability(backend, capability)).join('; ')}`,
      { fix: `for example \`guestbench run ${definition.name} --backends ${able.join(',')}\`` },
    );
  }
}

/** The backends an experiment runs on when none are asked for: every one that has all the capabilities it uses. */
export function defaultBackends(definition: Pick<ExperimentDefinition, 'uses'>): BackendName[] {
  return BACKEND_NAMES.filter((backend) => definition.uses.every((capability) => hasCapability(backend, capability)));
}
