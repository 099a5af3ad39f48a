import { describe, expect, it } from 'vitest';
import { describe as stats } from '../../lib/analysis/statistics.js';
import type { SummaryRow } from '../../lib/analysis/summarize.js';
import { densitySlopes } from '../../lib/analysis/systems-overview.js';
import type { BackendName } from '../../lib/model/backends.js';
import { parseBackends } from '../../lib/util/cli-args.js';
import { unrunnableSystem } from '../../lib/model/unrunnable-systems.js';

function row(backend: BackendName, guests: number, mean: number): SummaryRow {
  return {
    ...stats([mean, mean]),
    experiment: 'density-cpu',
    backend,
    accel: backend === 'kvm' ? 'tcg' : 'none',
    guests,
    metric: 'total_time',
    unit: 's',
    errored: 0,
  };
}

describe('density slopes', () => {
  it("fit the change per added guest as a multiple of the bare host's N = 1, and divide by the bare host's own", () => {
    // the bare host: 10 s at N = 1, +1 s per copy; containers +2 s per guest; VMs +10 s per guest
    const summary = [1, 2, 4].flatMap((n) => [
      row('native', n, 10 + (n - 1)),
      row('docker', n, 10 + 2 * (n - 1)),
      row('kvm', n, 30 + 10 * (n - 1)),
    ]);
    const slopes = densitySlopes(summary, 'density-cpu', 'total_time');
    expect(slopes.map((slope) => slope.backend)).toEqual(['native', 'docker', 'kvm']);
    const of = (backend: BackendName) => slopes.find((slope) => slope.backend === backend)!;
    expect(of('native').slope).toBeCloseTo(0.1, 10);
    expect(of('native').vsNative).toBeCloseTo(1, 10);
    expect(of('docker').slope).toBeCloseTo(0.2, 10);
    expect(of('docker').vsNative).toBeCloseTo(2, 10);
    expect(of('kvm')).toMatchObject({ accel: 'tcg', guests: [1, 2, 4] });
    expect(of('kvm').vsNative).toBeCloseTo(10, 10);
  });

  it('have no yardstick where the bare host is flat, and no line through one point', () => {
    const summary = [
      row('native', 1, 10),
      row('native', 2, 10),
      row('docker', 1, 12),
      row('docker', 2, 14),
      row('kvm', 1, 30),
    ];
    const slopes = densitySlopes(summary, 'density-cpu', 'total_time');
    expect(slopes.find((slope) => slope.backend === 'docker')).toMatchObject({ vsNative: null });
    expect(slopes.find((slope) => slope.backend === 'docker')!.slope).toBeCloseTo(0.2, 10);
    expect(slopes.find((slope) => slope.backend === 'kvm')).toBeUndefined();
    // without the bare host's N = 1 nothing is relative to anything
    expect(densitySlopes(summary.slice(2), 'density-cpu', 'total_time')).toEqual([]);
  });
});

describe('systems the seeds name that guestbench cannot run', () => {
  it('are known by name and each says why', () => {
    expect(unrunnableSystem('XEN')?.why).toContain('type-1 hypervisor');
    expect(unrunnableSystem('osv')?.kind).toBe('unikernel');
    expect(unrunnableSystem('lxc')).toBeUndefined();
    expect(parseBackends('lxc,microvm')).toEqual(['lxc', 'microvm']);
  });
});
