/**
 * density-mysql's parameters (no credentials), its claims computed from summaries, and which
 * campaign the density notebooks pick. No guests run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { SummaryRow } from '../../lib/analysis/summarize.js';
import {
  DENSITY_MYSQL_PROFILES,
  densityMysqlParameters,
  sysbenchOltpWorkload,
} from '../../lib/experiments/density-mysql.js';
import { experimentNamed } from '../../lib/experiments/registry.js';
import { claimsText, mysqlClaims } from '../../lib/figures/density-io-claims.js';
import { notebookCampaign } from '../../lib/notebook/density-io-campaign.js';
import { repoRoot } from '../helpers/notebooks.js';

describe('density-mysql parameters', () => {
  it("are the thesis's in the thesis profile: 1,000,000 rows, 6 threads, 60 s, N up to 8 VMs and 12 containers, 10 repeats", () => {
    const params = densityMysqlParameters({ profile: 'thesis', backends: ['native', 'docker', 'kvm'] });
    expect(params.oltp).toEqual({
      test: 'oltp_read_write',
      tables: 1,
      tableSize: 1_000_000,
      threads: 6,
      timeSeconds: 60,
    });
    expect(params.guests).toEqual({ native: [1], docker: [1, 2, 4, 8, 12], kvm: [1, 2, 4, 8] });
    expect(params.repeats).toBe(10);
  });

  it('scale down in the quick profile and hold no credentials', () => {
    const params = densityMysqlParameters({ profile: 'quick', backends: ['docker', 'kvm'], repeats: 2 });
    expect(params.oltp.tableSize).toBe(DENSITY_MYSQL_PROFILES.quick.oltp.tableSize);
    expect(params.repeats).toBe(2);
    expect(params.server.options).toContain('--skip-networking');
    expect(params.scratch).toEqual({ sizeMiB: 512, cache: 'writeback' });
    expect(params.server.password).toMatch(/never stored/);
    expect(experimentNamed('density-mysql').thesis).toBe('Figures 4.14-4.19, Tables 4.4-4.5');
  });

  it('give sysbench its connection through an option file, not the command line', () => {
    const params = densityMysqlParameters({ profile: 'quick', backends: ['docker'] });
    const workload = sysbenchOltpWorkload(params, { user: 'sbtest', password: 'not-on-any-command-line' });
    expect(workload.command.join(' ')).not.toContain('not-on-any-command-line');
    expect(workload.command[1]).toMatch(/^--config-file=/);
  });
});

describe('mysql claims', () => {
  const row = (
    backend: SummaryRow['backend'],
    guests: number,
    metric: SummaryRow['metric'],
    mean: number,
  ): SummaryRow =>
    ({
      experiment: 'density-mysql',
      backend,
      accel: backend === 'kvm' ? 'kvm' : 'none',
      guests,
      metric,
      unit: 'count',
      errored: 0,
      n: 10,
      mean,
      sd: 1,
      ciLow: mean - 1,
      ciHigh: mean + 1,
      median: mean,
      p95: mean,
      min: mean,
      max: mean,
    }) as SummaryRow;

  it("reproduce the thesis's verdicts on the thesis's own numbers, and mark what is missing", () => {
    const summary = [
      row('docker', 8, 'transactions_per_s', 30.5),
      row('kvm', 8, 'transactions_per_s', 2.5),
      row('docker', 8, 'reads', 27 * 100),
      row('kvm', 8, 'reads', 100),
      row('docker', 8, 'events', 1979),
      row('docker', 12, 'events', 1859),
      row('kvm', 1, 'events', 1400),
      row('kvm', 2, 'events', 700),
      row('kvm', 4, 'events', 352),
      row('kvm', 8, 'events', 176),
    ];
    const checks = mysqlClaims(summary);
    expect(Object.fromEntries(checks.map((check) => [check.id, check.verdict]))).toEqual({
      'mysql-tps-containers-far-above-vms': 'true',
      'mysql-reads-27x': 'true',
      'mysql-writes-14x': 'not measured',
      'mysql-vm-halving': 'true',
      'mysql-containers-8-to-12': 'true',
      'mysql-vm-latency-shoots-away': 'not measured',
    });
    expect(checks.find((check) => check.id === 'mysql-tps-containers-far-above-vms')?.thesis).toMatch(
      /30\.5 .*2 and a half.*12\.2x/,
    );
    expect(claimsText(checks)).toContain(
      '[true] At 8 guests, containers execute far more MySQL transactions per second than VMs (N=8): transactions_per_s per guest at N=8: Docker containers 30.5 / VMs (kvm) 2.50 = 12.2x',
    );
  });

  it('are false when the data disagree', () => {
    const checks = mysqlClaims([row('docker', 2, 'transactions_per_s', 20), row('kvm', 2, 'transactions_per_s', 19)]);
    expect(checks[0]).toMatchObject({ verdict: 'false', atGuests: 2, thesisGuests: 8 });
  });
});

describe('notebookCampaign', () => {
  const results = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-nbcampaign-'));
  afterAll(() => fs.rmSync(results, { recursive: true, force: true }));
  const cpuFixture = path.join(repoRoot, 'test/fixtures/campaigns/2026-11-21T23-53-45Z-04de');

  it('ignores a $GUESTBENCH_CAMPAIGN of another experiment and says so', () => {
    const found = notebookCampaign('density-mysql', { campaign: cpuFixture, results });
    expect(found.campaign).toBeUndefined();
    expect(found.html).toContain('names a density-cpu campaign');
    expect(found.html).toContain('No density-mysql campaign to show');
    expect(found.html).toContain('guestbench run density-mysql');
  });

  it('uses the best campaign of its experiment', () => {
    fs.cpSync(cpuFixture, path.join(results, path.basename(cpuFixture)), { recursive: true });
    const found = notebookCampaign('density-cpu', { results });
    expect(found.campaign?.meta.id).toBe('2026-11-21T23-53-45Z-04de');
  });
});
