/**
 * What each notebook of a report will show, decided before anything runs: the campaigns named are
 * checked (an unknown one is a usage error), and each notebook's campaigns are chosen as the
 * notebook itself will choose them (lib/analysis/choose-campaign.ts, from the experiments its
 * metadata lists), so the index can name them and the cache can key on them.
 */
import * as path from 'node:path';
import { chooseCampaigns, type CampaignChoice, type CampaignFlag, type CampaignOrigin } from '../../lib/analysis/choose-campaign.js';
import { loadCampaign } from '../../lib/analysis/load-campaign.js';
import { readNotebook } from '../../lib/notebook/notebook-file.js';
import { parametersCellIndex, type ParameterValues } from '../../lib/notebook/parameters.js';
import type { BackendName } from '../../lib/model/backends.js';
import { tcgReason, type HostFingerprint } from '../../lib/results/campaign-meta.js';
import type { Accel } from '../../lib/results/schema.js';

/** A campaign as the report's index shows it. */
export interface ReportedCampaign {
  id: string;
  experiment: string;
  profile: string;
  startedAt: string;
  /** campaign.json's state */
  state: string;
  origin: CampaignOrigin;
  flags: CampaignFlag[];
  ok: number;
  errored: number;
  unsupported: number;
  /** the campaign's directory */
  dir: string;
  /** the machine it ran on (campaign.json's fingerprint, the part the index shows) */
  host: ReportedHost;
  /** accelerator per backend, as used */
  accel: Partial<Record<BackendName, Accel>>;
  /** why VMs ran under TCG (campaign.json's missing kvm-acceleration), when they did */
  tcgReason?: string;
}

/** The part of a campaign's host fingerprint the index shows. */
export type ReportedHost = Pick<HostFingerprint, 'hostname' | 'cpuModel' | 'cpus' | 'memoryMiB' | 'os' | 'kernel' | 'kvmModule'>;

/** One notebook of the report. */
export interface NotebookPlan {
  /** file name, e.g. 01-density-cpu.ipynb */
  name: string;
  source: string;
  /** the values its injected-parameters cell gets (none for a notebook without a parameters cell) */
  parameters: ParameterValues;
  campaigns: ReportedCampaign[];
  /** experiments without a campaign, named campaigns not used */
  notes: string[];
}

function reported(choice: CampaignChoice): ReportedCampaign {
  const { meta, dir } = choice.campaign;
  const { hostname, cpuModel, cpus, memoryMiB, os, kernel, kvmModule } = meta.host;
  const tcg = Object.values(meta.accel).includes('tcg');
  const whyTcg = tcgReason(meta);
  return {
    id: meta.id,
    experiment: meta.experiment,
    profile: meta.profile,
    startedAt: meta.startedAt,
    state: meta.state,
    origin: choice.origin,
    flags: choice.flags,
    ok: choice.coverage.ok,
    errored: choice.coverage.errored,
    unsupported: choice.coverage.unsupported,
    dir,
    host: { hostname, cpuModel, cpus, memoryMiB, os, kernel, kvmModule },
    accel: meta.accel,
    ...(tcg ? { tcgReason: whyTcg ?? 'see `guestbench doctor`' } : {}),
  };
}

/** Loads every named campaign (ids or directories), so that an unknown one fails before anything runs. */
export function checkNamedCampaigns(named: readonly string[], resultsDir: string): void {
  for (const which of named) loadCampaign(which, { resultsDir });
}

/** The plan of one notebook: its parameters and the campaigns it will show. */
export function planNotebook(source: string, options: { named: readonly string[]; resultsDir: string }): NotebookPlan {
  const notebook = readNotebook(source);
  const experiments = notebook.metadata?.guestbench?.experiments ?? [];
  const name = path.basename(source);
  if (parametersCellIndex(notebook) < 0) return { name, source, parameters: {}, campaigns: [], notes: [] };
  // always both: the kernel inherits the environment, and a $GUESTBENCH_CAMPAIGN the plan did not
  // choose from must not change what the notebook shows
  const parameters: ParameterValues = { campaign: options.named.join(','), results: options.resultsDir };
  const found = chooseCampaigns(experiments, { named: options.named, resultsDir: options.resultsDir });
  const campaigns = experiments.flatMap((experiment) => {
    const choice = found.byExperiment[experiment];
    return choice ? [reported(choice)] : [];
  });
  const about = notebook.metadata?.guestbench?.withoutCampaign;
  return { name, source, parameters, campaigns, notes: [...(about ? [about] : []), ...found.notes] };
}
