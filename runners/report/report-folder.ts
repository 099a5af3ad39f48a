/**
 * A report is written into a temporary sibling of its folder and swapped in only when complete,
 * so an interrupted or failed report leaves the previous one as it was.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The folder being written and how to finish it. */
export interface StagedFolder {
  /** the temporary folder to write into (same parent as the report, so a rename moves it) */
  dir: string;
  /** replaces the report folder with the staged one */
  commit(): void;
  /** removes the staged folder (idempotent) */
  discard(): void;
}

/** Stages a new report folder beside `outDir` (created empty). */
export function stageFolder(outDir: string): StagedFolder {
  const parent = path.dirname(outDir);
  fs.mkdirSync(parent, { recursive: true });
  const dir = fs.mkdtempSync(path.join(parent, `.${path.basename(outDir)}.partial-`));
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
