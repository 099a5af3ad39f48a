/**
 * `guestbench claims` on the committed fixture campaigns: one line per claim with the campaigns it
 * used, named campaigns, JSON, and bad input refused in one line with a fix.
 */
import * as path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { loadClaims } from '../../lib/thesis/index.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/guestbench.js');
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/campaigns');
const run = (...args: string[]) =>
  execa('node', [BIN, 'claims', ...args], { reject: false, env: { GUESTBENCH_RESULTS: FIXTURES } });
const claims = loadClaims();

describe('guestbench claims', () => {
  it('prints the campaign of each experiment, one line per claim, and the counts', async () => {
    const result = await run();
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toContain('density-cpu: campaign 2026-12-02T01-20-32Z-d09e (example)');
    const claimLines = lines.filter((line) => /^\[(holds|fails|inconclusive|not measured)\] /.test(line));
    expect(claimLines).toHaveLength(claims.length);
    expect(claimLines[0]).toBe(
      "[not measured] 4.5.1 containers' CPU total time at N=8 within 10% of VMs' (not measured: docker measured up to N=4; the claim is about N=8; thesis 1.00x)",
    );
    expect(lines.at(-1)).toMatch(
      new RegExp(`^${claims.length} claims: \\d+ holds, \\d+ fails, \\d+ inconclusive, \\d+ not measured$`),
    );
  });

  it('uses the campaigns named, and the best of the others', async () => {
    const result = await run('--campaign', '2026-11-22T00-53-00Z-abdb', '--results', FIXTURES);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('latency-restore: campaign 2026-11-22T00-53-00Z-abdb (example)');
    expect(result.stdout).toContain(
      // three repeats of cold boot and restore, paired: t with 2 df, too wide to tell 10x from 3x
      "[inconclusive] 5.0.3 checkpoint/restore cuts a VM's start-up time by about a factor of 10 (ours 12.0x [3.34, 42.8], thesis 10.0x; the 95% interval [3.34, 42.8] crosses the band's edge 5.00)",
    );
  });

  it('writes the evaluations as JSON', async () => {
    const result = await run('--json', '--campaign', '2026-11-22T00-53-00Z-abdb');
    expect(result.exitCode, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as Array<{
      verdict: string;
      claim: { id: string };
      campaign: string | null;
    }>;
    expect(parsed).toHaveLength(claims.length);
    expect(parsed.find((item) => item.claim.id === '7.1-restore-helps-vms')).toMatchObject({
      verdict: 'holds',
      campaign: '2026-11-22T00-53-00Z-abdb',
    });
  });

  it('refuses a stray argument, an empty --campaign and an unknown campaign in one line with a fix', async () => {
    const stray = await run('now');
    expect(stray.exitCode).toBe(2);
    expect(stray.stderr).toBe(
      'guestbench: Unexpected argument `now` (guestbench claims)\n  fix: see `guestbench claims --help`',
    );
    const empty = await run('--campaign', ',');
    expect(empty.exitCode).toBe(2);
    expect(empty.stderr).toMatch(/^guestbench: Expected `--campaign` with one or more campaign ids\n {2}fix: /);
    const unknown = await run('--campaign', 'no-such-campaign');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/^guestbench: No campaign `no-such-campaign`/);
  });
});
