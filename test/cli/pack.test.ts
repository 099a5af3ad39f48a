/**
 * `guestbench pack`: a committed campaign packed, unpacked into a temporary folder and its analysis
 * re-run there the way the pack's README tells a reviewer to (`bash reproduce.sh`); the regenerated
 * tables must equal the packed report's, cell by cell. To stay off the network, the unpacked
 * folder gets a symlink `node_modules` -> this checkout's node_modules (inside the temporary folder
 * only), so reproduce.sh skips its `npm ci --omit=dev`; and the re-run's PATH holds node alone, so
 * nothing on the reviewer's path can reach Docker or QEMU. Also: bad usage in one line, and an
 * interrupted pack leaves no partial archive.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSamples } from '../../lib/results/store.js';
import { reportTables } from '../../runners/report/report-tables.js';
import { compileIfStale } from '../helpers/compiled-library.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/guestbench.js');
const FIXTURES = path.join(ROOT, 'test/fixtures/campaigns');
// density-cpu on native, docker and kvm (TCG), quick profile: notebook 01's tables and figures
const CAMPAIGN = '2026-11-21T23-53-45Z-04de';
const pack = (args: string[], options: { cwd?: string } = {}) =>
  execa('node', [BIN, 'pack', ...args], { reject: false, env: { GUESTBENCH_RESULTS: FIXTURES }, ...options });

describe('guestbench pack', () => {
  let work: string;
  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-pack-test-'));
    // the pack carries dist/: compile it when a source is newer (a build takes most of a minute here)
    await compileIfStale();
  }, 120_000);
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('packs a campaign that re-runs, unpacked elsewhere, to the same tables', async () => {
    const out = path.join(work, 'out', 'review.tar.gz');
    const packed = await pack(['--campaign', CAMPAIGN, '--notebooks', '01-density-cpu', '--out', out]);
    expect(packed.exitCode, packed.stderr).toBe(0);
    expect(packed.stdout).toContain('bash reproduce.sh');
    // only the archive: no partial file beside it
    expect(fs.readdirSync(path.dirname(out))).toEqual(['review.tar.gz']);

    const unpacked = path.join(work, 'reviewer');
    fs.mkdirSync(unpacked);
    await execa('tar', ['-xzf', out, '-C', unpacked]);
    const top = path.join(unpacked, 'review');
    for (const file of [
      'README.md',
      'reproduce.sh',
      'compare-tables.mjs',
      'rows.csv',
      'package.json',
      'package-lock.json',
      'bin/guestbench.js',
      'dist/runners/guestbench.js',
      'data/thesis/values.jsonl',
      'notebooks/01-density-cpu.ipynb',
      `campaigns/${CAMPAIGN}/campaign.json`,
      `campaigns/${CAMPAIGN}/samples.jsonl`,
      `campaigns/${CAMPAIGN}/raw`,
      'report/index.html',
      'report/01-density-cpu.html',
      'report/01-density-cpu.ipynb',
    ])
      expect(fs.existsSync(path.join(top, file)), file).toBe(true);
    expect(fs.readdirSync(path.join(top, 'campaigns'))).toEqual([CAMPAIGN]);
    const samples = readSamples(path.join(FIXTURES, CAMPAIGN)).samples;
    expect(fs.readFileSync(path.join(top, 'rows.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(samples.length + 1);
    expect(fs.readFileSync(path.join(top, 'README.md'), 'utf8')).toContain('bash reproduce.sh');

    // the reviewer's one command, offline: node_modules from this checkout, node alone on PATH
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(top, 'node_modules'));
    const bin = path.join(work, 'bin');
    fs.mkdirSync(bin);
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    const rerun = await execa('/bin/bash', ['reproduce.sh'], {
      cwd: top,
      reject: false,
      env: { PATH: bin, HOME: os.homedir() },
      extendEnv: false,
    });
    expect(rerun.exitCode, rerun.stderr + rerun.stdout).toBe(0);
    expect(rerun.stdout).toMatch(/the same \d+ tables in report and report-rerun/);

    const original = reportTables(path.join(top, 'report'));
    const regenerated = reportTables(path.join(top, 'report-rerun'));
    const tables = original['01-density-cpu.ipynb'] ?? [];
    // Table 4.1 and 4.2 at least, with measured numbers in them
    expect(tables.length).toBeGreaterThanOrEqual(2);
    expect(tables.flat(2).some((cell) => /^\d[\d ]*(\.\d+)?( s)?$/.test(cell))).toBe(true);
    expect(regenerated).toEqual(original);
  }, 180_000);

  it('refuses bad usage in one line and a fix, exit 2', async () => {
    const cases = [
      [],
      ['--campaign', 'no-such-campaign'],
      ['--campaign', CAMPAIGN, 'extra'],
      ['--campaign', CAMPAIGN, '--out', 'review.zip'],
      ['--campaign', CAMPAIGN, '--notebooks', '99-nothing'],
    ];
    // at once: each is a Node start-up and nothing more
    const results = await Promise.all(cases.map((args) => pack(args)));
    results.forEach((result, index) => {
      const args = (cases[index] as string[]).join(' ');
      expect(result.exitCode, args).toBe(2);
      expect(result.stderr.trimEnd().split('\n'), args).toHaveLength(2);
      expect(result.stderr, args).toContain('fix:');
    });
  }, 60_000);

  it('leaves neither an archive nor a partial one when interrupted', async () => {
    const dir = path.join(work, 'interrupted');
    fs.mkdirSync(dir);
    const child = pack(['--campaign', CAMPAIGN, '--notebooks', '01-density-cpu', '--out', path.join(dir, 'p.tar.gz')]);
    // once it is executing the notebook
    await new Promise<void>((resolve) => {
      child.stderr?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('executing')) resolve();
      });
    });
    child.kill('SIGTERM');
    const result = await child;
    expect(result.exitCode, result.stderr).toBe(130);
    expect(fs.readdirSync(dir)).toEqual([]);
  }, 60_000);
});
