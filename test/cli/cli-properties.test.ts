/**
 * The command line, property-based (fast-check): generated option sets for every command. A valid
 * `run` set parses to the parameters it says; an invalid set of any command exits 2 with exactly one
 * error line and one fix line and no stack trace, before anything starts (in process: nothing is
 * spawned, no campaign is begun, because every generated invalid set is refused while parsing).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { experimentNamed, EXPERIMENT_NAMES } from '../../lib/experiments/registry.js';
import { BACKEND_NAMES } from '../../lib/model/backends.js';
import { OPTION_MAXIMUM } from '../../lib/util/cli-args.js';
import { parseCommandArgs } from '../../runners/cli.js';
import { parseRunArguments, runCommand } from '../../runners/commands/run.js';
import { main } from '../../runners/guestbench.js';

const results = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-cli-prop-'));
afterAll(() => fs.rmSync(results, { recursive: true, force: true }));

/** Runs the CLI in this process, capturing what it writes. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

/** One option as the user may type it: `--name value` or `--name=value`. */
const spelled = (name: string, value: string, joined: boolean): string[] =>
  joined ? [`--${name}=${value}`] : [`--${name}`, value];

interface ValidRun {
  experiment: string;
  backends: string[];
  guests: number[];
  repeats: number;
  profile: 'quick' | 'thesis';
  joined: boolean[];
  order: number[];
}

const validRun: fc.Arbitrary<ValidRun> = fc
  .record({
    experiment: fc.constantFrom(...EXPERIMENT_NAMES),
    backends: fc.array(fc.constantFrom(...BACKEND_NAMES), { minLength: 1, maxLength: 8 }),
    guests: fc.array(fc.integer({ min: 1, max: OPTION_MAXIMUM['--guests'] as number }), { minLength: 1, maxLength: 6 }),
    repeats: fc.integer({ min: 1, max: OPTION_MAXIMUM['--repeats'] as number }),
    profile: fc.constantFrom('quick' as const, 'thesis' as const),
    joined: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
    order: fc.shuffledSubarray([0, 1, 2, 3, 4], { minLength: 5, maxLength: 5 }),
  })
  .map((run) => run);

function argvOf(run: ValidRun): string[] {
  const options = [
    spelled('backends', run.backends.join(','), run.joined[0] as boolean),
    spelled('guests', run.guests.join(','), run.joined[1] as boolean),
    spelled('repeats', String(run.repeats), run.joined[2] as boolean),
    spelled('profile', run.profile, run.joined[3] as boolean),
    spelled('results', results, run.joined[4] as boolean),
  ];
  return [run.experiment, ...run.order.flatMap((index) => options[index] as string[])];
}

/** Ways to make a valid `run` set invalid, each refused while parsing. */
const corruption = fc.oneof(
  fc.record({
    kind: fc.constant('guests' as const),
    value: fc.constantFrom('-1', '0,-2', '257', '1,x', '', '1.5', ',', '99999999999999999999'),
  }),
  fc.record({
    kind: fc.constant('repeats' as const),
    value: fc.constantFrom('0', '-3', '1001', 'ten', '2,3', '1e3', ' '),
  }),
  fc.record({
    kind: fc.constant('backends' as const),
    value: fc.constantFrom('dockr', 'xen', 'kvm,,qemu', ',', 'osv', 'DOCKER'),
  }),
  fc.record({ kind: fc.constant('profile' as const), value: fc.constantFrom('fast', 'Quick', '', 'thesis,quick') }),
  fc.record({ kind: fc.constant('unknown' as const), value: fc.stringMatching(/^[a-z][a-z-]{1,12}$/) }),
  fc.record({ kind: fc.constant('twice' as const), value: fc.constantFrom('repeats', 'profile', 'backends') }),
  fc.record({ kind: fc.constant('experiment' as const), value: fc.constantFrom('density-gpu', 'latncy', '') }),
  fc.record({ kind: fc.constant('extra' as const), value: fc.stringMatching(/^[a-z0-9]{1,8}$/) }),
);

/** A second, valid value for an option already given. */
const TWICE: Record<string, string> = { repeats: '2', profile: 'quick', backends: 'docker' };

function corrupt(run: ValidRun, how: { kind: string; value: string }): string[] {
  const argv = argvOf(run);
  const replace = (name: string) => {
    const at = argv.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
    if (argv[at]?.includes('=')) argv[at] = `--${name}=${how.value}`;
    else argv[at + 1] = how.value;
  };
  switch (how.kind) {
    case 'guests':
    case 'repeats':
    case 'backends':
    case 'profile':
      replace(how.kind);
      return argv;
    case 'unknown':
      // prefixed so that it can never be one of the real options
      return [...argv, `--zz-${how.value}`, '1'];
    case 'twice':
      return [...argv, `--${how.value}`, TWICE[how.value] as string];
    case 'experiment':
      return [how.value, ...argv.slice(1)];
    default:
      return [...argv, how.value];
  }
}

/** The shape every refusal has: one error line, one fix line, no stack trace, exit 2. */
function expectRefusal(result: { code: number; stdout: string; stderr: string }, argv: string[]): void {
  const lines = result.stderr.split('\n').filter((line) => line !== '');
  const words = `${argv.join(' ')} ->\n${result.stderr}`;
  expect(result.code, words).toBe(2);
  expect(lines, words).toHaveLength(2);
  expect(lines[0], words).toMatch(/^guestbench: \S/);
  expect(lines[1], words).toMatch(/^ {2}fix: \S/);
  expect(result.stderr, words).not.toMatch(/\n\s+at \S+ \(|unexpected error/);
  expect(result.stdout, words).toBe('');
}

describe('guestbench run, generated option sets', () => {
  it('parses a valid set to the parameters it says, in any order and spelling', () => {
    fc.assert(
      fc.property(validRun, (run) => {
        const { values, positionals } = parseCommandArgs(runCommand, argvOf(run));
        const parsed = parseRunArguments(values, positionals);
        expect(parsed.experiment).toBe(run.experiment);
        expect(parsed.parameters).toMatchObject({
          profile: run.profile,
          // duplicates folded, first-seen order kept
          backends: [...new Set(run.backends)],
          guests: [...new Set(run.guests)],
          repeats: run.repeats,
          resultsDir: results,
        });
        expect(parsed.failFast || parsed.force).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('accepts N = 0 only where the experiment counts guests already running', () => {
    for (const experiment of EXPERIMENT_NAMES) {
      const { values, positionals } = parseCommandArgs(runCommand, [
        experiment,
        '--guests',
        '0,1',
        '--results',
        results,
      ]);
      if (experiment !== 'migration' && experimentNamed(experiment).minGuests === 0)
        expect(parseRunArguments(values, positionals).parameters.guests).toEqual([0, 1]);
      else expect(() => parseRunArguments(values, positionals)).toThrow(/--guests/);
    }
  });

  it('refuses an invalid set in one line and a fix, exit 2, before anything starts', async () => {
    await fc.assert(
      fc.asyncProperty(validRun, corruption, async (run, how) => {
        const argv = ['run', ...corrupt(run, how)];
        expectRefusal(await cli(argv), argv);
      }),
      { numRuns: 150 },
    );
    // nothing was started: the results directory holds no campaign
    expect(fs.readdirSync(results)).toEqual([]);
  });
});

describe('--repeats auto, by example', () => {
  it('refuses --repeats auto tuning that cannot work, or without auto', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--precision', '5%'], /Expected `--precision` only with `--repeats auto`/],
      [
        ['--repeats', 'auto', '--min-repeats', '2'],
        /`--min-repeats` to be at least 3 \(a 95% interval needs 3 values\)/,
      ],
      [
        ['--repeats', 'auto', '--min-repeats', '8', '--max-repeats', '4'],
        /`--max-repeats` \(4\) to be at least `--min-repeats` \(8\)/,
      ],
      [['--repeats', 'auto', '--precision', '0'], /`--precision` to be above 0, got `0`/],
      [
        ['--repeats', 'auto', '--precision', 'tight'],
        /`--precision` to be a percentage from 0% to 1000% or a fraction/,
      ],
      [['--repeats', 'often'], /`--repeats` to be a positive integer or auto, got `often`/],
    ];
    for (const [args, message] of cases) {
      const result = await cli(['run', 'density-cpu', ...args, '--results', results]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(2);
      expect(result.stderr).toMatch(message);
    }
  });
});

describe('every other command, generated option sets', () => {
  /** Per command: how a stray argument looks and a value it refuses. */
  const COMMANDS: Record<string, { before: string[]; badValues: string[][] }> = {
    doctor: { before: [], badValues: [['--cached', '--cached']] },
    images: { before: ['build'], badValues: [['--force', '--force']] },
    report: { before: [], badValues: [['--campaign', 'a', '--campaign', 'b']] },
    bench: {
      before: [],
      badValues: [
        ['--pairs', '0'],
        ['--pairs', '-1'],
        ['--pairs', 'x'],
        ['--pairs', '1', '--pairs', '2'],
      ],
    },
    cleanup: { before: [], badValues: [['--campaign', 'a', '--campaign', 'b']] },
    export: {
      before: [],
      badValues: [
        ['--campaign', 'a', '--campaign', 'b'],
        ['--format', 'xml', '--campaign', 'x'],
      ],
    },
    compare: {
      before: ['a', 'b'],
      badValues: [
        ['--alpha', '2'],
        ['--min-effect', '-5%'],
        ['--json', '--json'],
      ],
    },
  };
  const words = fc.oneof(
    fc.stringMatching(/^[a-z][a-z-]{1,10}$/).map((name) => ({ kind: 'unknown option', words: [`--zz-${name}`] })),
    fc.stringMatching(/^[a-z0-9]{1,8}$/).map((word) => ({ kind: 'stray argument', words: [word] })),
    fc.nat().map((index) => ({ kind: 'bad value', words: [] as string[], index })),
  );

  it('refuses an unknown option, a stray argument or a bad value in one line and a fix, exit 2', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...Object.keys(COMMANDS)), words, async (command, how) => {
        const spec = COMMANDS[command] as { before: string[]; badValues: string[][] };
        const extra = 'index' in how ? (spec.badValues[how.index % spec.badValues.length] as string[]) : how.words;
        const argv = [command, ...spec.before, ...extra];
        expectRefusal(await cli(argv), argv);
      }),
      { numRuns: 120 },
    );
  });
});
