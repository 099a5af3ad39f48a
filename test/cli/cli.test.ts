import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../runners/guestbench.js';

// the compiled CLI, as a user runs it (scripts/test.sh builds dist/ first)
const BIN = path.resolve(import.meta.dirname, '../../bin/guestbench.js');
const run = (...args: string[]) =>
  execa('node', [BIN, ...args], { reject: false, env: { GUESTBENCH_RESULTS: os.tmpdir() } });

describe('guestbench CLI', () => {
  it('lists each command with the summary its own module gives (the overview does not load the modules)', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect(command.name, entry.name).toBe(entry.name);
      expect(command.summary, entry.name).toBe(entry.summary);
    }
    const overview = await run('--help');
    for (const entry of COMMANDS) expect(overview.stdout).toContain(`${entry.name.padEnd(7)}  ${entry.summary}`);
  });

  it('prints help for every command and exits 0', async () => {
    // the processes are independent: started together, they overlap their start-up
    const names = COMMANDS.map((entry) => entry.name);
    const results = await Promise.all(names.map((command) => run(command, '--help')));
    for (const [index, command] of names.entries()) {
      const result = results[index] as Awaited<ReturnType<typeof run>>;
      expect(result.exitCode, command).toBe(0);
      expect(result.stdout, command).toMatch(new RegExp(`^Usage: guestbench ${command}`));
    }
  });

  it('rejects bad input with one line naming the option and the fix, exit 2, no stack trace', async () => {
    const result = await run('run', 'density-cpu', '--guests', '0,2');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'guestbench: Expected `--guests` to be a list of positive integers, got `0,2`\n  fix: for example `--guests 1,2,4,8`',
    );
  });

  it('names the unknown option and points at --help', async () => {
    const result = await run('run', 'density-cpu', '--gusts', '2');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^guestbench: Unknown option '--gusts'.*\n {2}fix: see `guestbench run --help`$/);
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('rejects an unknown experiment, profile and command', async () => {
    expect((await run('run', 'density-gpu')).stderr).toMatch(
      /Expected an experiment \(density-cpu, [a-z, -]+\), got `density-gpu`/,
    );
    expect((await run('run', 'density-cpu', '--profile', 'fast')).stderr).toMatch(
      /Expected `--profile` to be one of quick, thesis, got `fast`/,
    );
    const unknown = await run('frobnicate');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command `frobnicate`/);
  });

  it('refuses to resume a campaign that does not exist, naming the results directory', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-cli-'));
    try {
      const result = await run('run', 'density-cpu', '--resume', '2026-01-01T00-00-00Z-abcd', '--results', empty);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(`No campaign \`2026-01-01T00-00-00Z-abcd\` in ${empty}`);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('refuses a campaign whose guests at once do not fit in memory, before anything starts, with the numbers', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-cli-'));
    try {
      const result = await run('run', 'density-cpu', '--backends', 'kvm', '--guests', '1,200', '--results', empty);
      expect(result.exitCode).toBe(2);
      const lines = result.stderr.split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(
        /^guestbench: The campaign needs 212\.5 GiB of memory \(200 kvm guest\(s\) at once x \(1024 MiB \+ 64 MiB QEMU\)\), the host has [\d.]+ GiB available$/,
      );
      expect(lines[1]).toMatch(
        /^ {2}fix: fewer guests at once with `--guests` \(\d+ kvm guest\(s\) fit\), .*`--force`/,
      );
      expect(fs.readdirSync(empty)).toEqual([]);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('--repeats auto: a real bare-host campaign stops each cell when stable or at the cap, and campaign.json says why', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-cli-'));
    try {
      const result = await run(
        'run',
        'density-cpu',
        '--backends',
        'native',
        '--guests',
        '1',
        '--repeats',
        'auto',
        '--min-repeats',
        '3',
        '--max-repeats',
        '4',
        '--precision',
        '20%',
        '--results',
        dir,
      );
      expect(result.exitCode, result.stderr).toBe(0);
      const id = fs.readdirSync(dir)[0] as string;
      const meta = JSON.parse(fs.readFileSync(path.join(dir, id, 'campaign.json'), 'utf8'));
      expect(meta.repeatRule).toEqual({ minRepeats: 3, maxRepeats: 4, precision: 0.2 });
      expect(meta.parameters.repeats).toBe(4);
      expect(meta.stops.map((stop: { guests: number }) => stop.guests)).toEqual([1]);
      for (const stop of meta.stops) {
        expect(stop.repeats).toBeGreaterThanOrEqual(3);
        expect(stop.words).toMatch(
          /^(precise: 95% interval ±[\d.]+% <= ±20\.0% after [34] repeats|cap of 4 repeats reached .*)$/,
        );
      }
      expect(result.stderr).toMatch(/native N=1: (precise|cap)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints its version and commit', async () => {
    for (const flag of ['--version', '-V']) {
      const result = await run(flag);
      expect(result.exitCode, flag).toBe(0);
      expect(result.stdout, flag).toMatch(/^guestbench \d+\.\d+\.\d+ \(commit ([0-9a-f]{7,}|not a git checkout)\)$/);
    }
  });

  it('refuses a results directory it cannot write, in one line before anything starts', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-cli-')), 'a-file');
    fs.writeFileSync(file, 'x');
    try {
      for (const [dir, why] of [
        ['/proc/x', '/proc is on procfs, a kernel filesystem that stores no files'],
        ['/sys/kernel/x', 'is on sysfs'],
        [path.join(file, 'sub'), `${file} is a file, not a directory`],
      ] as const) {
        const result = await run('run', 'density-cpu', '--backends', 'native', '--results', dir);
        expect(result.exitCode, dir).toBe(2);
        expect(result.stderr.split('\n'), dir).toHaveLength(2);
        expect(result.stderr, dir).toContain(why);
        expect(result.stderr, dir).toContain('fix: choose a directory on a disk');
      }
      expect(fs.existsSync('/proc/x')).toBe(false);
    } finally {
      fs.rmSync(path.dirname(file), { recursive: true, force: true });
    }
  });

  it('answers every number outside its range, negative or absurd, with the same message shape', async () => {
    for (const [option, value, expected] of [
      ['--guests', '-1', 'Expected `--guests` to be a list of integers from 1 to 256, got `-1`'],
      ['--guests', '1,-2', 'Expected `--guests` to be a list of integers from 1 to 256, got `1,-2`'],
      ['--guests', '100000000', 'Expected `--guests` to be a list of integers from 1 to 256, got `100000000`'],
      ['--repeats', '-3', 'Expected `--repeats` to be an integer from 1 to 1000, got `-3`'],
      ['--repeats', '5000', 'Expected `--repeats` to be an integer from 1 to 1000, got `5000`'],
    ] as const) {
      const result = await run('run', 'density-cpu', option, value);
      expect(result.exitCode, `${option} ${value}`).toBe(2);
      expect(result.stderr, `${option} ${value}`).toMatch(
        new RegExp(`^guestbench: ${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n  fix: `),
      );
    }
    const latency = await run('run', 'latency', '--guests', '-1');
    expect(latency.stderr).toContain('Expected `--guests` to be a list of integers from 0 to 256, got `-1`');
  });
});
