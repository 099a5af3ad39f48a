/**
 * The report's cache (jupyter-cache's idea): a notebook is re-executed only when what it reads
 * changed. Its key is a sha256 over the notebook's source, the parameters and plotly mode it runs
 * with, the samples and campaign.json of every campaign it shows, and the compiled library and
 * thesis data it imports. Keys live with the report, in `.cache.json`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { META_FILE, SAMPLES_FILE } from '../../lib/results/store.js';
import type { FigureLink } from './figure-gallery.js';
import type { ReportedCampaign } from './report-plan.js';

/** The cache file's name inside a report folder. */
export const CACHE_FILE = '.cache.json';
// 2: campaigns carry their host and accelerators; entries their figures
const CACHE_VERSION = 2;

/** What the report keeps of one executed notebook. */
export interface CacheEntry {
  key: string;
  /** failing cells (entries with errors are kept for the index but never reused) */
  errors: string[];
  campaigns: ReportedCampaign[];
  notes: string[];
  /** seconds the execution took */
  seconds: number;
  /** the page's figures (title and anchor), for the index's gallery */
  figures: FigureLink[];
}

/** The contents of `.cache.json`. */
export interface ReportCache {
  version: number;
  notebooks: Record<string, CacheEntry>;
}

/** The cache of the report in `outDir`; empty when there is none or it is from another version. */
export function readCache(outDir: string): ReportCache {
  try {
    const cache = JSON.parse(fs.readFileSync(path.join(outDir, CACHE_FILE), 'utf8')) as ReportCache;
    if (cache.version === CACHE_VERSION) return cache;
  } catch {
    // no report yet, or a cache from an unreadable run: execute everything
  }
  return { version: CACHE_VERSION, notebooks: {} };
}

/** Writes the cache into a (staged) report folder. */
export function writeCache(dir: string, notebooks: Record<string, CacheEntry>): void {
  const cache: ReportCache = { version: CACHE_VERSION, notebooks };
  fs.writeFileSync(path.join(dir, CACHE_FILE), JSON.stringify(cache, null, 2) + '\n');
}

function hashFile(hash: ReturnType<typeof createHash>, file: string, name = file): void {
  hash.update(`${name}\0`);
  hash.update(fs.existsSync(file) ? fs.readFileSync(file) : 'missing');
  hash.update('\0');
}

function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  if (fs.statSync(dir).isFile()) return [dir];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}

/** A digest of every file under `dirs` (files or folders; paths and contents): what notebooks import. */
export function treeDigest(dirs: readonly string[]): string {
  const hash = createHash('sha256');
  for (const dir of dirs) {
    for (const file of filesUnder(dir)) hashFile(hash, file, path.relative(path.dirname(dir), file));
  }
  return hash.digest('hex');
}

/** The key of one notebook's execution. */
export function cacheKey(input: {
  source: string;
  parameters: Record<string, string>;
  plotly: string;
  campaignDirs: readonly string[];
  libraryDigest: string;
}): string {
  const hash = createHash('sha256');
  hash.update(`v${CACHE_VERSION}\0${input.plotly}\0${JSON.stringify(input.parameters)}\0${input.libraryDigest}\0`);
  hashFile(hash, input.source);
  for (const dir of input.campaignDirs) {
    hashFile(hash, path.join(dir, SAMPLES_FILE));
    hashFile(hash, path.join(dir, META_FILE));
  }
  return hash.digest('hex');
}
