/**
 * Every experiment the runner knows, by name. A new experiment is one file exporting an
 * ExperimentDefinition and one entry here.
 */
import { UsageError } from '../util/errors.js';
import { densityCpu } from './density-cpu.js';
import { densityFileio } from './density-fileio.js';
import { densityMysql } from './density-mysql.js';
import { footprint } from './footprint.js';
import { latency } from './latency.js';
import { latencyRestore } from './latency-restore.js';
import { migration } from './migration.js';
import type { ExperimentDefinition } from './definition.js';

// Each definition pairs its own parameter type with itself; the runner only passes what
// parameters() returned (or what campaign.json stored) back to run(), so `any` is safe here.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyExperiment = ExperimentDefinition<any>;

const DEFINITIONS: readonly AnyExperiment[] = [
  densityCpu,
  densityFileio,
  densityMysql,
  latency,
  latencyRestore,
  migration,
  footprint,
];

/** Experiment names, in the order `--help` lists them. */
export const EXPERIMENT_NAMES: readonly string[] = DEFINITIONS.map((definition) => definition.name);

/** All definitions, for help texts. */
export function experimentDefinitions(): readonly AnyExperiment[] {
  return DEFINITIONS;
}

/** The definition named `name`, or a UsageError listing the known ones. */
export function experimentNamed(name: string): AnyExperiment {
  const found = DEFINITIONS.find((definition) => definition.name === name);
  if (!found) {
    throw new UsageError(`Expected an experiment (${EXPERIMENT_NAMES.join(', ')}), got \`${name}\``, {
      fix: 'for example `guestbench run density-cpu --profile quick`',
    });
  }
  return found;
}
