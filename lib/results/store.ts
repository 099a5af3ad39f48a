/**
 * The append-only results store: DIR/<campaign>/samples.jsonl (one tidy row per line, fsync'd),
 * DIR/<campaign>/campaign.json (metadata, replaced atomically), DIR/<campaign>/raw/ (tool output).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../util/errors.js';
import type { CampaignMeta } from './campaign-meta.js';
import { isCampaignId } from './campaign-id.js';
import type { Sample } from './schema.js';

/** File names inside a campaign directory. */
export const SAMPLES_FILE = 'samples.jsonl';
export const META_FILE = 'campaign.json';
export const RAW_DIR = 'raw';

/** An open campaign: where it lives and how to add to it. */
export interface CampaignStore {
  readonly id: string;
  readonly dir: string;
}

/** Creates DIR/<id>/ with its raw/ folder and writes the first campaign.json. */
export function createCampaignStore(resultsDir: string, meta: CampaignMeta): CampaignStore {
  const dir = path.join(resultsDir, meta.id);
  fs.mkdirSync(path.join(dir, RAW_DIR), { recursive: true });
  const store = { id: meta.id, dir };
  writeCampaignMeta(store, meta);
  fs.closeSync(fs.openSync(path.join(dir, SAMPLES_FILE), 'a'));
  return store;
}

/** Opens an existing campaign for --resume; the error names the directory it looked in. */
export function openCampaignStore(resultsDir: string, id: string): CampaignStore {
  const dir = path.join(resultsDir, id);
  if (!fs.existsSync(path.join(dir, META_FILE))) {
    const known = listCampaigns(resultsDir);
    const hint = known.length > 0 ? `known campaigns: ${known.slice(-5).join(', ')}` : `no campaigns in ${resultsDir}`;
    throw new UsageError(`No campaign \`${id}\` in ${resultsDir} (${hint})`, {
      fix: 'pass `--resume` one of the ids above, and the same `--results` directory the campaign was written to',
    });
  }
  return { id, dir };
}

/**
 * Appends rows to samples.jsonl in one write and fsyncs before returning, so a row the caller
 * was told about survives a crash or Ctrl-C.
 */
export function appendSamples(store: CampaignStore, samples: readonly Sample[]): void {
  if (samples.length === 0) return;
  const text = samples.map((sample) => JSON.stringify(sample)).join('\n') + '\n';
  const fd = fs.openSync(path.join(store.dir, SAMPLES_FILE), 'a');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Keeps a tool's raw output beside the samples; returns its path relative to the campaign directory. */
export function writeRaw(store: CampaignStore, name: string, text: string): string {
  const relative = path.posix.join(RAW_DIR, `${name}.txt`);
  fs.writeFileSync(path.join(store.dir, relative), text);
  return relative;
}

/** Replaces campaign.json atomically (write to a temp file, then rename). */
export function writeCampaignMeta(store: CampaignStore, meta: CampaignMeta): void {
  const target = path.join(store.dir, META_FILE);
  const temp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(meta, null, 2) + '\n');
  fs.renameSync(temp, target);
}

/** Reads campaign.json. */
export function readCampaignMeta(dir: string): CampaignMeta {
  return JSON.parse(fs.readFileSync(path.join(dir, META_FILE), 'utf8')) as CampaignMeta;
}

/** What reading a samples file found. */
export interface ReadSamplesResult {
  samples: Sample[];
  /** a last line cut short by a crash mid-write, skipped */
  tornTail: boolean;
}

/** Reads samples.jsonl; a torn last line (crash mid-write) is skipped and reported, any other bad line throws. */
export function readSamples(dir: string): ReadSamplesResult {
  const file = path.join(dir, SAMPLES_FILE);
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const lines = text.split('\n');
  const last = lines.pop();
  const tornTail = last !== undefined && last.trim() !== '';
  const samples = lines
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as Sample;
      } catch (cause) {
        throw new UsageError(`Line ${index + 1} of ${file} is not JSON`, { cause, fix: 'restore the file from a backup; samples.jsonl is append-only and should never be edited' });
      }
    });
  return { samples, tornTail };
}

/** Campaign ids under a results directory, oldest first. */
export function listCampaigns(resultsDir: string): string[] {
  if (!fs.existsSync(resultsDir)) return [];
  return fs
    .readdirSync(resultsDir, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() && isCampaignId(entry.name) && fs.existsSync(path.join(resultsDir, entry.name, META_FILE)),
    )
    .map((entry) => entry.name)
    .sort();
}

/** The newest campaign directory under resultsDir, or a UsageError naming the fix. */
export function newestCampaign(resultsDir: string): string {
  const newest = listCampaigns(resultsDir).at(-1);
  if (newest === undefined) {
    throw new UsageError(`No campaign found in ${resultsDir}`, { fix: 'run `guestbench run density-cpu` first, or pass the directory that holds your campaigns' });
  }
  return path.join(resultsDir, newest);
}
