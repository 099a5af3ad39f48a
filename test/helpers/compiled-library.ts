/**
 * dist/, the compiled library the notebooks, the report and the pack use, brought up to date for a
 * test: compiled when a source under lib/ or runners/ is newer than its compiled file (or has
 * none), as after an edit; set-up has compiled it otherwise, and then this costs a few stat calls.
 * Type errors are the type check's business: tsc emits anyway.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';

const repoRoot = path.resolve(import.meta.dirname, '../..');

/** TypeScript files under `dir`, recursively. */
function typescriptFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/** Whether a source under lib/ or runners/ is newer than its compiled file, or has none. */
export function libraryIsStale(): boolean {
  return ['lib', 'runners'].some((top) =>
    typescriptFiles(path.join(repoRoot, top)).some((source) => {
      const compiled = path.join(repoRoot, 'dist', path.relative(repoRoot, source)).replace(/\.ts$/, '.js');
      return !fs.existsSync(compiled) || fs.statSync(compiled).mtimeMs < fs.statSync(source).mtimeMs;
    }),
  );
}

/** Compiles dist/ when {@link libraryIsStale}. */
export async function compileIfStale(): Promise<void> {
  if (libraryIsStale()) await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot, reject: false });
}
