/**
 * Notebooks import the compiled library (dist/): compile it before executing one.
 */
import * as path from 'node:path';
import { execa } from 'execa';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs the project's build (tsc), so dist/ matches the sources under test. */
export async function buildDist(): Promise<void> {
  await execa('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT });
}

/** The repository root. */
export const repoRoot = ROOT;
