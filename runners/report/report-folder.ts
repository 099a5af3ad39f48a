/**
 * A report is written into a temporary sibling of its folder and swapped in only when complete,
 * so an interrupted or failed report leaves the previous one as it was.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isProcessAlive } from '../../lib/util/signals.js';

/** The folder being written and how to finish it. */
export interface StagedFolder {
  /** the temporary folder to write into (same parent as the report, so a rename moves it) */
  dir: string;
  /** replaces the report folder with the staged one */
  commit(): void;
  /** removes the staged folder (idempotent) */
  discard(): void;
}

/**
 * Removes staged folders of `outDir` left by a report that was killed outright (SIGKILL, a power
 * cut): those whose process is gone. A report still running elsewhere keeps its own.
 */
export function removeStaleStages(outDir: string): string[] {
  const parent = path.dirname(outDir);
  const prefix = `.${path.basename(outDir)}.partial-`;
  if (!fs.existsSync(parent)) return [];
  const stale = fs
    .readdirSync(parent)
    .filter((name) => name.startsWith(prefix))
    .filter((name) => {
      const pid = Number(name.slice(prefix.length).split('-')[0]);
      return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isProcessAlive(pid);
    });
  for (const name of stale) fs.rmSync(path.join(parent, name), { recursive: true, force: true });
  return stale;
}

/** Stages a new report folder beside `outDir` (created empty), named after this process. */
export function stageFolder(outDir: string): StagedFolder {
  const parent = path.dirname(outDir);
  fs.mkdirSync(parent, { recursive: true });
  removeStaleStages(outDir);
  const dir = fs.mkdtempSync(path.join(parent, `.${path.basename(outDir)}.partial-${process.pid}-`));
  // mkdtemp makes it private (0700); a report is for reading
  fs.chmodSync(dir, 0o755);
  let settled = false;
  return {
    dir,
    commit() {
      // rename() cannot replace a non-empty folder: move the old one aside first, then remove it
      const old = `${dir}.old`;
      const hadOld = fs.existsSync(outDir);
      if (hadOld) fs.renameSync(outDir, old);
      fs.renameSync(dir, outDir);
      settled = true;
      if (hadOld) fs.rmSync(old, { recursive: true, force: true });
    },
    discard() {
      if (!settled) fs.rmSync(dir, { recursive: true, force: true });
      settled = true;
    },
  };
}
