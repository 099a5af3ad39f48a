/**
 * density-cpu (thesis section 4.5.1, Figure 4.1, Table 4.2, Figures 4.2-4.3): sysbench cpu in N
 * guests at once.
 */
import { guestsFor, peakLoads, type ExperimentDefinition } from './definition.js';
import { runDensity } from './density.js';
import { DENSITY_CPU_PROFILES, type DensityCpuParams } from './profiles.js';
import { sysbenchCpuWorkload } from './workload.js';

export const densityCpu: ExperimentDefinition<DensityCpuParams> = {
  name: 'density-cpu',
  summary: 'sysbench cpu in N guests at once (total time, per-request latency)',
  thesis: 'Figure 4.1, Table 4.2, Figures 4.2-4.3',
  minGuests: 1,
  uses: [],
  parameters(request) {
    const profile = DENSITY_CPU_PROFILES[request.profile];
    return { ...profile, guests: guestsFor(request, profile.guests), repeats: request.repeats ?? profile.repeats };
  },
  containerLimits: (params) => params.containerLimits,
  resources: (params) => ({ loads: peakLoads(params.guests, params.memoryMiB), disks: [] }),
  run: (context, params) =>
    runDensity(context, {
      experiment: 'density-cpu',
      workload: sysbenchCpuWorkload(params.cpu),
      guests: params.guests,
      repeats: params.repeats,
      vcpus: params.vcpus,
      memoryMiB: params.memoryMiB,
      runTimeoutMs: 60 * 60_000,
      readyTimeoutMs: 180_000,
    }),
};
