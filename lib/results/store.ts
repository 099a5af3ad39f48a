/**
 * The append-only results store: DIR/<campaign>/samples.jsonl (one tidy row per line, fsync'd),
 * DIR/<campaign>/campaign.json (metadata, replaced atomically), DIR/<campaign>/raw/ (tool output).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ResultsWriteError, UsageError } from '../util/errors.js';
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

/** A write the filesystem refused, as one line naming the file and the reason (ENOSPC: the disk is full). */
function writeRefused(file: string, error: unknown): ResultsWriteError {
  const code = (error as NodeJS.ErrnoException).code;
  const why = code === 'ENOSPC' ? 'no space left on the device' : code === 'EDQUOT' ? 'disk quota exceeded' : firstWords(error);
  return new ResultsWriteError(`Could not write ${file}: ${why}${code ? ` (${code})` : ''}`, { cause: error, code });
}

function firstWords(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
}

/**
 * Appends rows to samples.jsonl in one write and fsyncs before returning, so a row the caller
 * was told about survives a crash or Ctrl-C. A write the disk refuses (full) is undone to the last
 * whole line and thrown as a ResultsWriteError: the file never keeps half a row.
 */
export function appendSamples(store: CampaignStore, samples: readonly Sample[]): void {
  if (samples.length === 0) return;
  const text = Buffer.from(samples.map((sample) => JSON.stringify(sample)).join('\n') + '\n');
  const file = path.join(store.dir, SAMPLES_FILE);
  let fd: number;
  try {
    fd = fs.openSync(file, 'a');
  } catch (error) {
    throw writeRefused(file, error);
  }
  const size = fs.fstatSync(fd).size;
  try {
    let written = 0;
    while (written < text.length) written += fs.writeSync(fd, text, written);
    fs.fsyncSync(fd);
  } catch (error) {
    try {
      fs.ftruncateSync(fd, size);
    } catch {
      // the rows are not reported as written either way; a torn tail is cut on the next open
    }
    throw writeRefused(file, error);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Cuts a torn last line (a crash mid-write) off samples.jsonl so that the next append starts on a
 * line of its own; returns the bytes cut (0 when the file ends in a whole line).
 */
export function cutTornTail(store: CampaignStore): number {
  const file = path.join(store.dir, SAMPLES_FILE);
  if (!fs.existsSync(file)) return 0;
  const text = fs.readFileSync(file);
  const end = text.lastIndexOf(0x0a) + 1;
  if (end === text.length) return 0;
  try {
    fs.truncateSync(file, end);
  } catch (error) {
    throw writeRefused(file, error);
  }
  return text.length - end;
}

/** Keeps a tool's raw output beside the samples; returns its path relative to the campaign directory. */
export function writeRaw(store: CampaignStore, name: string, text: string): string {
  const relative = path.posix.join(RAW_DIR, `${name}.txt`);
  const file = path.join(store.dir, relative);
  try {
    fs.writeFileSync(file, text);
  } catch (error) {
    fs.rmSync(file, { force: true });
    throw writeRefused(file, error);
  }
  return relative;
}

/** Replaces campaign.json atomically (write to a temp file, then rename); a refused write leaves the old one. */
export function writeCampaignMeta(store: CampaignStore, meta: CampaignMeta): void {
  const target = path.join(store.dir, META_FILE);
  const temp = `${target}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, JSON.stringify(meta, null, 2) + '\n');
    fs.renameSync(temp, target);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw writeRefused(target, error);
  }
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
