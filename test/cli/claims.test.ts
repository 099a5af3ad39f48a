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
      "[not measured] 4.5.1 containers' CPU total time at N=8 within 10% of VMs' (not measured: docker measured up to N=4; the claim is about N=8; thesis 1.00x; cannot be decided on this host: VMs run under TCG here (no hardware virtualisation): a TCG VM's level against docker's is not the thesis's KVM comparison (needs a host with KVM))",
    );
    // a restatement and the claims of one quantity count once
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^${claims.length} claims, counted as \\d+ \\(a restatement with the claim it restates, claims of one quantity once\\): \\d+ holds, \\d+ fails, \\d+ inconclusive, \\d+ not measured$`,
      ),
    );
    expect(lines.at(-2)).toMatch(
      /^counted once per quantity: \d+ decided \(\d+ holds, \d+ fails\), \d+ inconclusive, \d+ cannot be decided on this host, \d+ need a longer campaign/,
    );
  });

  it('uses the campaigns named, and the best of the others', async () => {
    const result = await run('--campaign', '2026-11-22T00-53-00Z-abdb', '--results', FIXTURES);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('latency-restore: campaign 2026-11-22T00-53-00Z-abdb (example)');
    // a TCG VM's cold boot over its restore is an emulation artefact: not judged, with the accelerator named
    expect(result.stdout).toContain(
      "[not measured] 5.0.3 checkpoint/restore cuts a VM's start-up time by about a factor of 10 (not measured: kvm ran under TCG (software emulation): its cold_boot_time against restore_time at one N is an emulation artefact, not the thesis's KVM quantity; under TCG only a VM's shape across N is judged; ours for reference 12.0x",
    );
    expect(result.stdout).toMatch(/factor of 10 \(.*; accel kvm tcg; cannot be decided on this host: /);
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
    expect(parsed.find((item) => item.claim.id === '5.0.3-restore-vm-3x')).toMatchObject({
      verdict: 'not measured',
      campaign: '2026-11-22T00-53-00Z-abdb',
      accel: { kvm: 'tcg' },
      plan: { state: 'host' },
    });
  });

  it('prints with --plan the campaigns that would decide the rest, merged per experiment and timed, then what cannot be decided', async () => {
    const result = await run('--plan');
    expect(result.exitCode, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}guestbench run latency --backends docker --guests 1,16 --repeats 3 {3}# about \d+ (s|min); 5\.0\.2-boot-container-flat-n16, /,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^total: about \d+ min \(estimated from the per-cell times recorded/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^\d+ claims cannot be decided on this host:$/));
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}VMs run under TCG here \(no hardware virtualisation\): kvm's quantity at one N is an emulation artefact .*5\.0\.3-restore-vm-3x/,
      ),
    );
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
