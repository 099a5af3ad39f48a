/**
 * density-mysql's parameters (no credentials), and which
 * campaign the density notebooks pick. No guests run.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DENSITY_MYSQL_PROFILES,
  densityMysqlParameters,
  sysbenchOltpWorkload,
} from '../../lib/experiments/density-mysql.js';
import { experimentNamed } from '../../lib/experiments/registry.js';
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
