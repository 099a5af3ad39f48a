/**
 * Loads a campaign from the store for analysis: metadata, rows, and a danfojs DataFrame.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DataFrame } from 'danfojs';
import type { CampaignMeta } from '../results/campaign-meta.js';
import type { Sample } from '../results/schema.js';
import { newestCampaign, readCampaignMeta, readSamples } from '../results/store.js';
import { UsageError } from '../util/errors.js';
import { danfojs } from '../util/danfojs.js';
import { defaultResultsDir } from '../util/paths.js';

/** A loaded campaign. */
export interface LoadedCampaign {
  dir: string;
  meta: CampaignMeta;
  /** every row, including errored and unsupported ones */
  samples: Sample[];
}

/**
 * Loads a campaign: `which` is a campaign directory, a campaign id under `resultsDir`, or
 * undefined for the newest campaign there (optionally of one experiment).
 */
export function loadCampaign(
  which?: string,
  options: { resultsDir?: string; experiment?: string } = {},
): LoadedCampaign {
  const resultsDir = options.resultsDir ?? defaultResultsDir();
  let dir: string;
  if (which === undefined) dir = newestOf(resultsDir, options.experiment);
  else if (fs.existsSync(path.join(which, 'campaign.json'))) dir = which;
  else if (fs.existsSync(path.join(resultsDir, which, 'campaign.json'))) dir = path.join(resultsDir, which);
  else
    throw new UsageError(
      `No campaign \`${which}\` (looked for campaign.json in ${which} and in ${path.join(resultsDir, which)})`,
      { fix: 'pass a campaign directory or an id listed in your results directory' },
    );
  return { dir, meta: readCampaignMeta(dir), samples: readSamples(dir).samples };
}

function newestOf(resultsDir: string, experiment: string | undefined): string {
  if (experiment === undefined) return newestCampaign(resultsDir);
  const ids = fs.existsSync(resultsDir) ? fs.readdirSync(resultsDir).sort().reverse() : [];
  for (const id of ids) {
    const dir = path.join(resultsDir, id);
    if (fs.existsSync(path.join(dir, 'campaign.json')) && readCampaignMeta(dir).experiment === experiment) return dir;
  }
  throw new UsageError(`No ${experiment} campaign in ${resultsDir}`, {
    fix: `run \`guestbench run ${experiment}\` first`,
  });
}

/**
 * The rows as a danfojs DataFrame (one row per value; `reason` and `raw` empty where absent). Rows
 * of an experiment with configurations (migration) add config, load, vcpus, memory_mib and
 * measured_by: without them QEMU's and the observer's values of one run could not be told apart.
 */
export function samplesFrame(samples: readonly Sample[]): DataFrame {
  const configured = samples.some((sample) => sample.config !== undefined);
  // a container's OCI runtime, in campaigns that recorded it
  const withRuntime = samples.some((sample) => sample.runtime !== undefined);
  const rows = samples.map((sample) => ({
    campaign: sample.campaign,
    experiment: sample.experiment,
    backend: sample.backend,
    accel: sample.accel,
    ...(withRuntime ? { runtime: sample.runtime ?? '' } : {}),
    guests: sample.guests,
    guest: sample.guest,
    repeat: sample.repeat,
    metric: sample.metric,
    value: sample.value ?? NaN,
    unit: sample.unit,
    state: sample.state,
    at: sample.at,
    reason: sample.reason ?? '',
    raw: sample.raw ?? '',
    ...(configured
      ? {
          config: sample.config ?? '',
          load: sample.load ?? '',
          vcpus: sample.vcpus ?? NaN,
          memory_mib: sample.memory_mib ?? NaN,
          measured_by: sample.measured_by ?? '',
        }
      : {}),
  }));
  return new (danfojs().DataFrame)(rows);
}
