/**
 * How a migration campaign was set up, in words, from what it recorded: campaign.json's parameters
 * and the per-migration raw records (the link's qdisc, the migration URI, QEMU's post-copy counter).
 * The notebook prints these instead of restating them, so the text cannot drift from the run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backendDescriptor, isBackendName } from '../model/backends.js';
import type { MigrationParams } from '../results/parameters.js';
import type { LoadedCampaign } from './load-campaign.js';

/** One recorded fact about the set-up. */
export interface MigrationSetupFact {
  term: string;
  value: string;
}

/** The parts of a raw migration record (raw/migration-*.txt) read here. */
interface RawMigrationRecord {
  hosts?: { qdisc?: string };
  uri?: string;
  qemu?: { info?: { ram?: { 'postcopy-bytes'?: number } } };
  /** a container's: whether CRIU could pre-dump (copy memory while it runs), and why not */
  preDump?: string;
}

function readRaw(dir: string, relative: string): RawMigrationRecord | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, relative), 'utf8')) as RawMigrationRecord;
  } catch {
    return null;
  }
}

function seconds(ms: number): string {
  return `${ms / 1000} s`;
}

/** The set-up of a migration campaign as recorded, one fact per line. */
export function migrationSetup(campaign: LoadedCampaign): MigrationSetupFact[] {
  const params = campaign.meta.parameters as unknown as MigrationParams;
  const rawFiles = [
    ...new Set(
      campaign.samples.flatMap((sample) => (sample.raw && sample.experiment === 'migration' ? [sample.raw] : [])),
    ),
  ];
  const records = rawFiles
    .map((file) => readRaw(campaign.dir, file))
    .filter((record): record is RawMigrationRecord => record !== null);
  const qdisc = records.find((record) => record.hosts?.qdisc)?.hosts?.qdisc;
  const uri = records.find((record) => record.uri)?.uri;
  const postcopy = records
    .map((record) => record.qemu?.info?.ram?.['postcopy-bytes'])
    .filter((bytes): bytes is number => typeof bytes === 'number');
  const mode =
    postcopy.length === 0
      ? 'no QEMU record to tell pre-copy from post-copy'
      : postcopy.every((bytes) => bytes === 0)
        ? `pre-copy only: post-copy bytes 0 in all ${postcopy.length} QEMU records`
        : `post-copy used in ${postcopy.filter((bytes) => bytes > 0).length} of ${postcopy.length} QEMU records`;
  const facts: MigrationSetupFact[] = [
    { term: 'source and target hosts', value: params.hosts.description },
    {
      term: 'link between them',
      value: `${params.link.rateMbit} Mbit/s, ${params.link.delayMs} ms added delay${qdisc ? `; shaped with tc: \`${qdisc}\`` : ''}`,
    },
    {
      term: 'VM migration',
      value: `QEMU live migration driven over QMP (\`migrate\`${uri ? ` to ${uri}` : ''}); ${mode}; max-bandwidth ${params.maxBandwidthBytes / 2 ** 30} GiB/s (the link is the limit), downtime-limit ${params.downtimeLimitMs} ms; a migration not converged after ${seconds(params.convergeTimeoutMs)} is cancelled and recorded as errored`,
    },
    { term: 'guest disk', value: `${params.disk.mode}: ${params.disk.description}` },
    {
      term: 'observer',
      value: `one probe every ${params.probeIntervalMs} ms (the thesis pinged once a second); ${params.observer}`,
    },
    {
      term: 'load (loaded guests)',
      value: `\`${params.load.command}\` ({vcpus} = the guest's vCPUs), started ${seconds(params.load.warmupMs)} before the migration: ${params.load.note}`,
    },
    {
      term: 'configurations, repeats',
      value: `${params.configs.map((config) => `${config.load} ${config.vcpus} vCPU ${config.memoryMiB} MiB`).join('; ')}; ${params.repeats} repeats each; backends: ${params.backends.join(', ')}`,
    },
  ];
  // how each backend moved its guest, in its own words (older campaigns: one line for containers)
  for (const [name, words] of Object.entries(campaign.meta.methods ?? {})) {
    if (words?.liveMigration)
      facts.push({
        term: `${isBackendName(name) ? backendDescriptor(name).title : name} migration method`,
        value: words.liveMigration,
      });
  }
  const preDump = records.find((record) => record.preDump)?.preDump;
  if (preDump) facts.push({ term: 'container pre-copy (CRIU pre-dump)', value: preDump });
  if (params.containerMethod && !campaign.meta.methods)
    facts.push({ term: 'container migration', value: params.containerMethod });
  return facts;
}
