/**
 * Accelerator honesty and what would decide a claim, on hand-made rows: a TCG VM judged only in a
 * shape across N; the plan of an undecided claim (a campaign here, or why this host cannot); times
 * estimated from rows' `at` stamps; restatements and groups counted once; the overview's counts.
 */
import { describe, expect, it } from 'vitest';
import { campaignTimings, estimateCellSeconds } from '../../../lib/analysis/claims/campaign-timings.js';
import { claimsOverview, estimatePlans, planCommands } from '../../../lib/analysis/claims/claims-overview.js';
import { claimLine } from '../../../lib/analysis/claims/claim-text.js';
import { countVerdicts, evaluateClaim, evaluateClaims } from '../../../lib/analysis/claims/evaluate-claims.js';
import type { LoadedCampaign } from '../../../lib/analysis/load-campaign.js';
import { claimVerdictsHtml } from '../../../lib/figures/claims-table.js';
import type { CampaignMeta } from '../../../lib/results/campaign-meta.js';
import type { Sample } from '../../../lib/results/schema.js';
import type { ClaimRecord, ClaimTerm } from '../../../lib/thesis/index.js';
import { LATENCY_PROFILES } from '../../../lib/experiments/latency.js';
import { backendDescriptor } from '../../../lib/model/backends.js';
import { claimTerms, loadClaims } from '../../../lib/thesis/index.js';
import { rowMaker } from '../../helpers/samples.js';

const row = rowMaker({ campaign: 'hand-made', experiment: 'latency', metric: 'boot_time' });

/** One row per repeat of a backend at N guests, written `start + offset` seconds into the campaign. */
function cell(
  backend: Sample['backend'],
  guests: number,
  values: number[],
  extra: Partial<Sample> = {},
  at?: (repeat: number) => number,
): Sample[] {
  return values.map((value, index) =>
    row({
      backend,
      guests,
      value,
      repeat: index + 1,
      accel: backend === 'kvm' || backend === 'microvm' ? 'tcg' : 'none',
      ...(at ? { at: new Date(Date.UTC(2026, 0, 1, 0, 0, at(index + 1))).toISOString() } : {}),
      ...extra,
    }),
  );
}

const term = (backend: ClaimTerm['backend'], guests: number, metric: ClaimTerm['metric'] = 'boot_time'): ClaimTerm => ({
  backend,
  guests,
  metric,
});

function claim(overrides: Partial<ClaimRecord> = {}): ClaimRecord {
  return {
    id: '5.0.2-hand-made',
    section: '5.0.2',
    line: 1263,
    claim: "VMs' boot time rises from 1 to 8 guests",
    experiment: 'latency',
    kind: 'trend',
    quantity: { ratio: [term('kvm', 8), term('kvm', 1)] },
    unit: 'x',
    thesis: { value: null, rows: [], printed: 'rises', figure: null, inconsistencies: [] },
    tolerance: { above: 1.2 },
    notebook: '04-latency',
    note: null,
    restates: null,
    group: null,
    ...overrides,
  };
}

const campaign = (samples: Sample[]) => ({ id: 'hand-made', samples });

describe('a VM under TCG', () => {
  it('is judged in a shape across N, and names its accelerator', () => {
    const rows = [...cell('kvm', 1, [2, 2.1, 1.9]), ...cell('kvm', 8, [4, 4.1, 3.9])];
    const result = evaluateClaim(claim(), campaign(rows));
    expect(result.verdict).toBe('holds');
    expect(result.accel).toEqual({ kvm: 'tcg' });
    expect(claimLine(result)).toMatch(/; accel kvm tcg\)$/);
    expect(claimVerdictsHtml([result], '')).toMatch(/<td[^>]*>kvm tcg<\/td>/);
    // reads over writes at N=8 against at N=1: each metric at two N, still a shape
    const mixed = claim({
      quantity: {
        ratio: [
          { ratio: [term('kvm', 8, 'reads'), term('kvm', 8, 'writes')] },
          { ratio: [term('kvm', 1, 'reads'), term('kvm', 1, 'writes')] },
        ],
      },
      tolerance: { within: 0.1 },
      thesis: { value: 1, rows: [], printed: null, figure: null, inconsistencies: [] },
    });
    const io = [
      ...cell('kvm', 1, [30, 30, 30], { metric: 'reads' }),
      ...cell('kvm', 1, [20, 20.2, 19.8], { metric: 'writes' }),
      ...cell('kvm', 8, [6, 6, 6], { metric: 'reads' }),
      ...cell('kvm', 8, [4, 4.04, 3.96], { metric: 'writes' }),
    ];
    expect(evaluateClaim(mixed, campaign(io)).verdict).toBe('holds');
  });

  it('is not measured in its own quantity at one N (an emulation artefact), and this host cannot decide it', () => {
    const restore = claim({
      experiment: 'latency-restore',
      quantity: { ratio: [term('kvm', 0, 'cold_boot_time'), term('kvm', 0, 'restore_time')] },
    });
    const rows = [
      ...cell('kvm', 0, [20, 21, 19], { metric: 'cold_boot_time', experiment: 'latency-restore' }),
      ...cell('kvm', 0, [1, 1.1, 0.9], { metric: 'restore_time', experiment: 'latency-restore' }),
    ];
    const result = evaluateClaim(restore, campaign(rows));
    expect(result).toMatchObject({
      verdict: 'not measured',
      reason: expect.stringMatching(
        /^kvm ran under TCG .* cold_boot_time against restore_time at one N is an emulation artefact/,
      ),
      accel: { kvm: 'tcg' },
      plan: { state: 'host', why: expect.stringMatching(/^VMs run under TCG here/) },
    });
    // the same cells under KVM are judged
    const kvm = rows.map((sample) => ({ ...sample, accel: 'kvm' as const }));
    expect(evaluateClaim(restore, campaign(kvm)).verdict).toBe('holds');
  });
});

describe('what would decide a claim', () => {
  it('is a campaign of the missing N here, or why the host cannot', () => {
    const rows = [...cell('kvm', 1, [2, 2.1, 1.9]), ...cell('docker', 1, [0.3, 0.31, 0.29])];
    // a VM shape at an N not reached: a campaign here
    expect(evaluateClaim(claim(), campaign(rows)).plan).toEqual({
      state: 'campaign',
      experiment: 'latency',
      backends: ['kvm'],
      guests: [1, 8],
      repeats: 3,
      profile: 'quick',
      cells: [
        { backend: 'kvm', guests: 1, seconds: null },
        { backend: 'kvm', guests: 8, seconds: null },
      ],
      overheadSeconds: null,
    });
    // a TCG VM against a container: never on this host
    const against = claim({ quantity: { ratio: [term('kvm', 8), term('docker', 8)] } });
    expect(evaluateClaim(against, campaign(rows)).plan).toMatchObject({
      state: 'host',
      why: expect.stringMatching(/level against docker's is not the thesis's KVM comparison/),
    });
    // too little memory for the guests
    const small = {
      ...campaign(rows),
      host: { accel: { kvm: 'kvm' as const }, memoryMiB: 4096, guestMemoryMiB: 1024 },
    };
    expect(evaluateClaim(claim(), small).plan).toMatchObject({
      state: 'host',
      why: '9 VMs of 1024 MiB need about 12 GiB; this host has 4 GiB',
    });
    // a backend the host cannot run
    const unsupported = row({ backend: 'kvm', guests: 8, state: 'unsupported', value: null, reason: 'no /dev/kvm' });
    expect(evaluateClaim(claim(), campaign([unsupported])).plan).toMatchObject({
      state: 'host',
      why: 'kvm unsupported: no /dev/kvm',
    });
  });

  it('is timed from the rows written: per repeat, interpolated, and scaled in proportion beyond the largest N', () => {
    // kvm N=1: first repeat 10 s (guests starting), then 2 s each; N=2: 14 s, then 4 s
    const recorded = [
      ...cell('kvm', 1, [2, 2, 2], {}, (repeat) => [10, 12, 14][repeat - 1] as number),
      ...cell('kvm', 2, [2, 2, 2], {}, (repeat) => [28, 32, 36][repeat - 1] as number),
    ];
    const meta = {
      id: 'timed',
      experiment: 'latency',
      startedAt: '2026-01-01T00:00:00.000Z',
      sessions: [{ startedAt: '2026-01-01T00:00:00.000Z', state: 'complete', endedAt: '2026-01-01T00:00:41.000Z' }],
      endedAt: '2026-01-01T00:00:41.000Z',
    } as unknown as CampaignMeta;
    const timings = campaignTimings([{ dir: '/nowhere', meta, samples: recorded } as LoadedCampaign]);
    expect(estimateCellSeconds(timings, 'latency', 'kvm', 1, 3)).toBe(10 + 2 * 2);
    expect(estimateCellSeconds(timings, 'latency', 'kvm', 2, 3)).toBe(14 + 2 * 4);
    // beyond N=2, in proportion to N: 4x at N=8
    expect(estimateCellSeconds(timings, 'latency', 'kvm', 8, 3)).toBe(4 * (14 + 2 * 4));
    // a VM backend never recorded takes the slowest recorded of its kind; none of another kind
    expect(estimateCellSeconds(timings, 'latency', 'microvm', 1, 2)).toBe(10 + 2);
    expect(estimateCellSeconds(timings, 'latency', 'docker', 1, 2)).toBeNull();
    // the plans carry the times, merged per experiment with the overhead after the last row (5 s)
    const results = estimatePlans(evaluateClaims([claim()], { latency: campaign(recorded) }), timings);
    expect(planCommands(results)).toEqual([
      {
        experiment: 'latency',
        command: 'guestbench run latency --backends kvm --guests 1,8 --repeats 3',
        backends: ['kvm'],
        guests: [1, 8],
        repeats: 3,
        seconds: 14 + 88 + 5,
        claims: ['5.0.2-hand-made'],
      },
    ]);
    expect(claimLine(results[0] as (typeof results)[0])).toMatch(
      /to decide it: `guestbench run latency --backends kvm --guests 1,8 --repeats 3` \(about 2 min\)\)$/,
    );
  });
});

describe('counting', () => {
  it('counts a restatement and the claims of a group once, and sorts them for the overview', () => {
    const rows = [
      ...cell('kvm', 1, [2, 2.1, 1.9]),
      ...cell('kvm', 8, [4, 4.1, 3.9]),
      ...cell('docker', 1, [0.3, 0.3, 0.3]),
    ];
    const lead = claim({ id: '5.0.2-lead', group: 'kvm-boot' });
    const other = claim({ id: '5.0.2-other', group: 'kvm-boot', tolerance: { above: 3 } });
    const again = claim({ id: '7.1-again', section: '7.1', restates: '5.0.2-lead', group: 'kvm-boot' });
    const alone = claim({ id: '5.0.2-alone', quantity: { ratio: [term('kvm', 8), term('docker', 8)] } });
    const results = evaluateClaims([lead, other, again, alone], { latency: campaign(rows) });
    expect(results.map((result) => result.verdict)).toEqual(['holds', 'fails', 'holds', 'not measured']);
    // the group counts as its first member: one holds, and the claim against containers
    expect(countVerdicts(results)).toEqual({ holds: 1, fails: 0, inconclusive: 0, 'not measured': 1 });
    expect(claimsOverview(results)).toMatchObject({
      counted: 2,
      decided: 1,
      holds: 1,
      fails: 0,
      inconclusive: 0,
      cannotDecide: { count: 1, reasons: [{ claims: ['5.0.2-alone'] }] },
      needLonger: { count: 0, commands: [], seconds: 0 },
    });
  });
});

describe('the quick profile', () => {
  it('reaches every N of the latency claims that involve no VM, so the main job can decide them on any host', () => {
    const containerOnly = loadClaims({ experiments: ['latency'] }).filter((record) =>
      claimTerms(record.quantity).every((one) => backendDescriptor(one.backend).kind !== 'vm'),
    );
    expect(containerOnly.length).toBeGreaterThanOrEqual(5);
    for (const record of containerOnly)
      for (const one of claimTerms(record.quantity))
        expect(LATENCY_PROFILES.quick.guests[one.backend], record.id).toContain(one.guests);
  });
});
