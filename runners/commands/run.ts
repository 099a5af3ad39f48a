/**
 * `guestbench run EXPERIMENT`: runs or resumes a campaign; Ctrl-C stops it cleanly.
 */
import { summarize } from '../../lib/analysis/summarize.js';
import { intervalText } from '../../lib/figures/interval-text.js';
import { BACKEND_NAMES } from '../../lib/model/backends.js';
import { runCampaign } from '../../lib/experiments/campaign.js';
import { defaultBackends, type ParameterRequest } from '../../lib/experiments/definition.js';
import { experimentDefinitions, experimentNamed } from '../../lib/experiments/registry.js';
import { parseProfile } from '../../lib/experiments/profiles.js';
import { checkResultsDir } from '../../lib/results/results-dir.js';
import { readSamples } from '../../lib/results/store.js';
import {
  parseBackends,
  parsePercentOrFraction,
  parsePositiveInt,
  parsePositiveIntList,
} from '../../lib/util/cli-args.js';
import { DEFAULT_REPEAT_RULE, MIN_INTERVAL_N, type RepeatRule } from '../../lib/experiments/repeat-rule.js';
import { UsageError } from '../../lib/util/errors.js';
import { defaultResultsDir } from '../../lib/util/paths.js';
import { logLine, type Command } from '../cli.js';
import { interruptOnStop } from '../interruption.js';
import { progressDisplay } from '../progress-display.js';
import { runOnHost } from './run-on-host.js';

/** The widest backend name, so the headline's columns line up. */
const NAME_WIDTH = Math.max(...BACKEND_NAMES.map((name) => name.length));

/**
 * One line per backend, accelerator and N: the mean of the backend's first metric in the campaign (and its vantage
 * point) with its CI.
 */
function headlineSummary(dir: string): string {
  const samples = readSamples(dir).samples;
  const headline = new Map<string, string>();
  for (const sample of samples) {
    if (sample.state === 'ok' && !headline.has(sample.backend))
      headline.set(sample.backend, `${sample.metric}/${sample.measured_by ?? ''}`);
  }
  // bytes read as MiB; every other unit as recorded
  const scaled = (unit: string) => (unit === 'bytes' ? { by: 1024 * 1024, unit: 'MiB' } : { by: 1, unit });
  return summarize(samples)
    .filter((row) => headline.get(row.backend) === `${row.metric}/${row.measured_by ?? ''}`)
    .map((row) => {
      const { by, unit } = scaled(row.unit);
      const ci =
        row.ciLow === null ? ` (${row.intervalNote ?? 'no interval'})` : ` ${intervalText(row, 3, by)} n=${row.n}`;
      return `  ${row.backend.padEnd(NAME_WIDTH)} ${row.accel.padEnd(7)} N=${String(row.guests).padEnd(3)}${row.config ? ` ${row.config}` : ''}${row.measured_by ? ` (${row.measured_by})` : ''} ${row.metric} ${(row.mean / by).toFixed(3)} ${unit}${ci}${row.errored ? ` (${row.errored} errored)` : ''}\n`;
    })
    .join('');
}

function parseDiskMode(value: string): 'copy' | 'shared' {
  if (value === 'copy' || value === 'shared') return value;
  throw new UsageError(`Expected \`--disk\` to be copy or shared, got \`${value}\``, {
    fix: 'for example `guestbench run migration --disk shared`',
  });
}

/** What `guestbench run` was asked for, every value checked (the results directory created and probed). */
export interface RunArguments {
  experiment: string;
  parameters: ParameterRequest & { resultsDir: string };
  resume?: string;
  failFast: boolean;
  force: boolean;
  /** `--repeats auto` */
  repeatRule?: RepeatRule;
}

/** `--repeats 10`; a word other than `auto` is refused naming both forms. */
function parseRepeats(value: string): number {
  if (!/^\s*-?[0-9]+\s*$/.test(value))
    throw new UsageError(`Expected \`--repeats\` to be a positive integer or auto, got \`${value}\``, {
      fix: 'for example `--repeats 10` or `--repeats auto`',
    });
  return parsePositiveInt(value, '--repeats');
}

/** `--repeats auto [--min-repeats N] [--max-repeats N] [--precision PCT]`, or undefined for a fixed count. */
function parseRepeatRule(values: Record<string, string | boolean | undefined>): RepeatRule | undefined {
  const tuning = (['min-repeats', 'max-repeats', 'precision'] as const).filter((name) => values[name] !== undefined);
  if (values.repeats !== 'auto') {
    if (tuning.length > 0)
      throw new UsageError(`Expected \`--${tuning[0]}\` only with \`--repeats auto\``, {
        fix: `add \`--repeats auto\`, or drop --${tuning[0]}`,
      });
    return undefined;
  }
  const rule: RepeatRule = {
    minRepeats:
      typeof values['min-repeats'] === 'string'
        ? parsePositiveInt(values['min-repeats'], '--min-repeats')
        : DEFAULT_REPEAT_RULE.minRepeats,
    maxRepeats:
      typeof values['max-repeats'] === 'string'
        ? parsePositiveInt(values['max-repeats'], '--max-repeats')
        : DEFAULT_REPEAT_RULE.maxRepeats,
    precision: typeof values.precision === 'string' ? parsePrecision(values.precision) : DEFAULT_PRECISION,
  };
  if (rule.minRepeats < MIN_INTERVAL_N)
    throw new UsageError(
      `Expected \`--min-repeats\` to be at least ${MIN_INTERVAL_N} (a 95% interval needs ${MIN_INTERVAL_N} values), got \`${rule.minRepeats}\``,
      { fix: `for example \`--min-repeats ${DEFAULT_REPEAT_RULE.minRepeats}\`` },
    );
  if (rule.maxRepeats < rule.minRepeats)
    throw new UsageError(
      `Expected \`--max-repeats\` (${rule.maxRepeats}) to be at least \`--min-repeats\` (${rule.minRepeats})`,
      {
        fix: `for example \`--min-repeats ${rule.minRepeats} --max-repeats ${Math.max(rule.minRepeats, DEFAULT_REPEAT_RULE.maxRepeats)}\``,
      },
    );
  return rule;
}

const DEFAULT_PRECISION = 'precision' in DEFAULT_REPEAT_RULE ? DEFAULT_REPEAT_RULE.precision : 0.05;

/** `--precision 5%` (or 0.05) -> 0.05: above 0. */
function parsePrecision(value: string): number {
  const precision = parsePercentOrFraction(value, '--precision');
  if (!(precision > 0))
    throw new UsageError(`Expected \`--precision\` to be above 0, got \`${value}\``, {
      fix: 'for example `--precision 5%` (the 95% interval within ±5% of the mean)',
    });
  return precision;
}

/** Checks `guestbench run`'s arguments before anything starts; a UsageError names the option and the fix. */
export function parseRunArguments(
  values: Record<string, string | boolean | undefined>,
  positionals: readonly string[],
): RunArguments {
  if (positionals.length !== 1) {
    throw new UsageError(`Expected one experiment, got \`${positionals.join(' ') || 'nothing'}\``, {
      fix: 'for example `guestbench run density-cpu --profile quick` (see `guestbench run --help`)',
    });
  }
  const definition = experimentNamed(positionals[0] as string);
  const experiment = definition.name;
  for (const option of ['link-mbit', 'target-host', 'disk'] as const) {
    if (values[option] !== undefined && experiment !== 'migration') {
      throw new UsageError(`Expected \`--${option}\` only with the migration experiment, got it with ${experiment}`, {
        fix: `drop --${option}`,
      });
    }
  }
  // every value checked, then the results directory (created and probed), before anything starts
  const repeatRule = parseRepeatRule(values);
  const parameters = {
    profile: parseProfile(typeof values.profile === 'string' ? values.profile : 'quick'),
    backends: typeof values.backends === 'string' ? parseBackends(values.backends) : defaultBackends(definition),
    ...(typeof values.guests === 'string'
      ? { guests: parsePositiveIntList(values.guests, '--guests', definition.minGuests) }
      : {}),
    ...(repeatRule
      ? { repeats: repeatRule.maxRepeats }
      : typeof values.repeats === 'string'
        ? { repeats: parseRepeats(values.repeats) }
        : {}),
    ...(typeof values['link-mbit'] === 'string'
      ? { linkMbit: parsePositiveInt(values['link-mbit'], '--link-mbit') }
      : {}),
    ...(typeof values['target-host'] === 'string' ? { targetHost: values['target-host'] } : {}),
    ...(typeof values.disk === 'string' ? { disk: parseDiskMode(values.disk) } : {}),
    resultsDir: checkResultsDir(typeof values.results === 'string' ? values.results : defaultResultsDir()),
  };
  return {
    experiment,
    parameters,
    ...(typeof values.resume === 'string' ? { resume: values.resume } : {}),
    failFast: values['fail-fast'] === true,
    force: values.force === true,
    ...(repeatRule ? { repeatRule } : {}),
  };
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run (or resume) a campaign of one experiment',
  usage: `Usage: guestbench run EXPERIMENT [options]

Experiments:
${experimentDefinitions()
  .map((definition) => `  ${definition.name.padEnd(16)} ${definition.summary} (thesis ${definition.thesis})`)
  .join('\n')}

Options:
  --backends LIST   comma-separated, of ${BACKEND_NAMES.join(',')} (duplicates folded; default: every
                    backend that can run the experiment; one asked for that cannot gets unsupported
                    rows saying why)
  --guests LIST     guest counts N, e.g. 1,2,4,8, each 1 to 256 (latency: 0 to 256; duplicates
                    folded; default: the profile's, per backend)
  --repeats N|auto  repeats per N, 1 to 1000 (default: the profile's: quick 3, thesis 10); auto:
                    after --min-repeats (default 5, at least 3), add repeats to a cell until the 95%
                    interval of the mean of each primary metric's per-repeat values (guests of a
                    repeat averaged) lies within --precision of the mean (default 5%, e.g.
                    \`--precision 2%\` or 0.02), up to --max-repeats (default 20); why each cell
                    stopped is recorded in campaign.json (\`stops\`); a resumed campaign keeps its
                    own rule
  --profile NAME    quick (minutes on a 2-core host) or thesis (the thesis's parameters); default quick
  --results DIR     results directory, created and probed for writing before anything starts
                    (default: $GUESTBENCH_RESULTS or ./results)
  --resume ID       complete an interrupted campaign: cells already recorded are skipped and
                    the campaign's own parameters are used
  --fail-fast       stop at the first failed guest instead of recording it and carrying on
  --force           run even when the preflight finds too little memory for the most guests at
                    once or too little disk (recorded in campaign.json with the numbers)
  --link-mbit N     migration: rate of the link between the two hosts, 1 to 100000 Mbit/s (default 1000)
  --disk MODE       migration: copy (the disk goes with the migration, as in the thesis;
                    default) or shared (both hosts open the same disk)
  --target-host H   migration: a second machine to migrate to (not built yet: docs/migration.md)
  --host LIST       run the campaign on those hosts (ssh aliases or user@address set up with
                    \`guestbench hosts setup\`; several: one campaign each, at once), driven from here:
                    progress relayed, rows, campaign.json and raw/ copied into --results as they come
                    (docs/hosts.md)
  --host-commit any with --host: run whatever guestbench commit is installed there (default: only
                    this checkout's)
  -h, --help        show this help

Each option is taken once: a repeated option is refused (a list is one comma-separated value).

Before anything starts, every value is checked, the results directory is probed, and the host's
memory (MemAvailable) is checked against the most guests the campaign runs at once (a VM: its
memory + 64 MiB; a container: its limit, else 64 MiB) and its disk against the file sets.

Writes DIR/<campaign>/samples.jsonl (one row per value, flushed as measured), campaign.json
(host, versions, parameters, missing capabilities) and raw/ (tool output). Ctrl-C or SIGTERM
stops the campaign: finished samples are kept, every guest is stopped; --resume completes it.
Exit status: 0 complete, 1 failed, 2 bad usage, 130 interrupted.`,
  maxPositionals: 1,
  options: {
    backends: { type: 'string' },
    guests: { type: 'string' },
    repeats: { type: 'string' },
    'min-repeats': { type: 'string' },
    'max-repeats': { type: 'string' },
    precision: { type: 'string' },
    profile: { type: 'string' },
    results: { type: 'string' },
    resume: { type: 'string' },
    'fail-fast': { type: 'boolean' },
    force: { type: 'boolean' },
    'link-mbit': { type: 'string' },
    'target-host': { type: 'string' },
    disk: { type: 'string' },
    host: { type: 'string' },
    'host-commit': { type: 'string' },
  },
  async run(values, positionals) {
    const parsed = parseRunArguments(values, positionals);
    const { experiment } = parsed;
    if (values.host !== undefined || values['host-commit'] !== undefined)
      return await runOnHost(experiment, values, parsed.parameters.resultsDir);
    const stop = interruptOnStop('campaign', {
      onStop: (cause) =>
        logLine(`${cause}: stopping the campaign, keeping finished samples and stopping every guest (again to force)`),
      onRepeat: (cause) => {
        logLine(`${cause} again: exiting now; run \`guestbench cleanup\` if anything was left running`);
        process.exit(130);
      },
    });
    const display = progressDisplay();
    try {
      const outcome = await runCampaign({
        experiment,
        ...parsed.parameters,
        ...(parsed.resume === undefined ? {} : { resume: parsed.resume }),
        failFast: parsed.failFast,
        force: parsed.force,
        ...(parsed.repeatRule ? { repeatRule: parsed.repeatRule } : {}),
        signal: stop.signal,
        log: display.log,
        progress: display.progress,
      });
      display.end();
      process.stdout.write(`campaign ${outcome.id} ${outcome.state}: ${outcome.rows} rows in ${outcome.dir}\n`);
      process.stdout.write(headlineSummary(outcome.dir));
      if (outcome.state === 'interrupted') {
        process.stdout.write(
          `resume with: guestbench run ${experiment} --resume ${outcome.id}${typeof values.results === 'string' ? ` --results ${values.results}` : ''}\n`,
        );
        return 130;
      }
      return 0;
    } finally {
      display.end();
      stop.dispose();
    }
  },
};
