/**
 * Where things live: the package root (found from this module, compiled or not) and the results.
 * (The image cache is lib/images' resolveCacheDir.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The guestbench checkout: the nearest folder above this module with guestbench's package.json. */
export function packageRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (
      fs.existsSync(manifest) &&
      (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'guestbench'
    ) {
      root = dir;
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('guestbench package root not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

/** Default results directory: $GUESTBENCH_RESULTS or <package root>/results. */
export function defaultResultsDir(): string {
  return process.env.GUESTBENCH_RESULTS ?? path.join(packageRoot(), 'results');
}
