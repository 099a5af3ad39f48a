/**
 * The verdict in brief on the report index's first screen: the counts once per quantity, why this
 * host cannot decide some claims, and the campaigns (with their times) that would decide the rest.
 */
import { describe, expect, it } from 'vitest';
import type { ClaimsOverview } from '../../lib/analysis/claims/claims-overview.js';
import { claimsVerdictHtml } from '../../lib/figures/claims-table.js';

const overview = (overrides: Partial<ClaimsOverview> = {}): ClaimsOverview => ({
  counted: 46,
  holds: 2,
  fails: 1,
  decided: 3,
  inconclusive: 4,
  cannotDecide: {
    count: 27,
    reasons: [
      {
        why: "VMs run under TCG here: a TCG VM's level against docker's is not the thesis's KVM comparison",
        claims: Array.from({ length: 20 }, (_, i) => `c${i}`),
      },
      {
        why: "VMs run under TCG here: kvm's quantity at one N is an emulation artefact",
        claims: Array.from({ length: 7 }, (_, i) => `d${i}`),
      },
    ],
  },
  needLonger: {
    count: 12,
    seconds: 1260,
    commands: [
      {
        experiment: 'latency',
        command: 'guestbench run latency --backends docker --guests 1,16 --repeats 3',
        backends: ['docker'],
        guests: [1, 16],
        repeats: 3,
        seconds: 30,
        claims: ['a', 'b', 'c', 'd'],
      },
      {
        experiment: 'latency',
        command: 'guestbench run latency --backends kvm --guests 1,8,12 --repeats 3',
        backends: ['kvm'],
        guests: [1, 8, 12],
        repeats: 3,
        seconds: 420,
        claims: ['e'],
      },
    ],
  },
  ...overrides,
});

describe('claimsVerdictHtml', () => {
  it('counts each verdict once per quantity, out of the claim records', () => {
    const text = claimsVerdictHtml(overview(), 77).replace(/<[^>]+>/g, '');
    expect(text).toContain("on the thesis's 77 quantitative claims (46 distinct results");
    expect(text).toMatch(/2 hold,\s+1 fail,\s+4 inconclusive .*,\s+39 not decided here/s);
  });

  it('says why this host cannot decide some, and which campaigns would decide the others, with their times', () => {
    const html = claimsVerdictHtml(overview(), 77);
    expect(html).toContain('<b>27 cannot be decided on this host</b>');
    // the shared opening of two reasons once, each rest under it with its count
    expect(html).toContain(
      '<li>VMs run under TCG here: 27 claim(s)<ul><li>a TCG VM&#39;s level against docker&#39;s is not the thesis&#39;s KVM comparison: 20</li><li>kvm&#39;s quantity at one N is an emulation artefact: 7</li></ul></li>',
    );
    expect(html).toContain('<b>12 need a longer campaign</b> here, about 21 min in all');
    expect(html).toContain(
      '<code>guestbench run latency --backends docker --guests 1,16 --repeats 3</code> <span style="color:#555">(about 30 s; decides 4 claim(s))',
    );
    expect(html).toContain('(about 7 min; decides 1 claim(s))');
    expect(html).toContain('href="#claims"');
  });

  it('leaves out the lists that are empty, and says when a time is unknown', () => {
    const none = claimsVerdictHtml(
      overview({ cannotDecide: { count: 0, reasons: [] }, needLonger: { count: 0, seconds: null, commands: [] } }),
      77,
    );
    expect(none).not.toContain('<ul');
    const unknown = claimsVerdictHtml(overview({ needLonger: { ...overview().needLonger, seconds: null } }), 77);
    expect(unknown).toContain(
      '<b>12 need a longer campaign</b> here, time unknown (no recorded campaign times these cells) (',
    );
  });
});
