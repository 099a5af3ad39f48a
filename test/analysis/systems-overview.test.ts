import { describe, expect, it } from 'vitest';
import { hostMemoryDrop } from '../../lib/analysis/host-memory-drop.js';
import { describe as stats } from '../../lib/analysis/statistics.js';
import { densitySlopes } from '../../lib/analysis/systems-overview.js';
import type { BackendName } from '../../lib/model/backends.js';
import type { Sample } from '../../lib/results/schema.js';
import { parseBackends } from '../../lib/util/cli-args.js';
import { unrunnableSystem } from '../../lib/model/unrunnable-systems.js';
import { rowMaker } from '../helpers/samples.js';

const density = rowMaker({ experiment: 'density-cpu', metric: 'total_time' });

/** One row per repeat with these per-guest values at N (each repeat's value is already its guests' mean). */
function runs(backend: BackendName, guests: number, values: readonly number[]): Sample[] {
  return values.map((value, index) =>
    density({ backend, accel: backend === 'kvm' ? 'tcg' : 'none', guests, repeat: index + 1, value }),
  );
}

/** Two repeats at exactly `mean`: a line through them is exact. */
const exact = (backend: BackendName, guests: number, mean: number) => runs(backend, guests, [mean, mean]);

describe('density slopes', () => {
  it("fit the change per added guest as a multiple of the bare host's N = 1, and divide by the bare host's own", () => {
    // the bare host: 10 s at N = 1, +1 s per copy; containers +2 s per guest; VMs +10 s per guest
    const samples = [1, 2, 4].flatMap((n) => [
      ...exact('native', n, 10 + (n - 1)),
      ...exact('docker', n, 10 + 2 * (n - 1)),
      ...exact('kvm', n, 30 + 10 * (n - 1)),
    ]);
    const { slopes, gaps, commonGuests } = densitySlopes(samples, 'density-cpu', 'total_time');
    expect(slopes.map((slope) => slope.backend)).toEqual(['native', 'docker', 'kvm']);
    expect(gaps).toEqual([]);
    expect(commonGuests).toEqual([1, 2, 4]);
    const of = (backend: BackendName) => slopes.find((slope) => slope.backend === backend)!;
    expect(of('native').slope).toBeCloseTo(0.1, 10);
    expect(of('native').vsNative).toBeCloseTo(1, 10);
    expect(of('docker').slope).toBeCloseTo(0.2, 10);
    expect(of('docker').vsNative).toBeCloseTo(2, 10);
    expect(of('kvm')).toMatchObject({ accel: 'tcg', guests: [1, 2, 4], leftOut: [], n: 6 });
    expect(of('kvm').vsNative).toBeCloseTo(10, 10);
    // points on the line: an interval of zero width
    expect(of('kvm').ciLow).toBeCloseTo(1, 10);
    expect(of('kvm').ciHigh).toBeCloseTo(1, 10);
  });

  it("give the slope's 95% interval over every repeat (t with points − 2 df), as computed by hand", () => {
    const samples = [
      ...exact('native', 1, 10),
      ...runs('docker', 1, [11.8, 12.0, 12.2]),
      ...runs('docker', 2, [13.9, 14.0, 14.3]),
      ...runs('docker', 4, [17.6, 18.0, 18.1]),
    ];
    const docker = densitySlopes(samples, 'density-cpu', 'total_time').slopes.find(
      (slope) => slope.backend === 'docker',
    )!;
    // ordinary least squares over the 9 points (x = N, y = value / 10), t(0.975, 7) = 2.364624
    expect(docker.slope).toBeCloseTo(0.19595238095238096, 10);
    expect(docker.ciLow).toBeCloseTo(0.18231515047439006, 4);
    expect(docker.ciHigh).toBeCloseTo(0.20958961143037186, 4);
    expect(docker.n).toBe(9);
  });

  it('fit every system over the N they all ran, naming the N left out, and say why a system has no line', () => {
    // the thesis's file I/O shape: the bare host at N = 1 only, containers at 1, 2, 4, VMs at 1, 2
    const samples = [
      ...exact('native', 1, 10),
      ...[1, 2, 4].flatMap((n) => exact('docker', n, 10 + 2 * (n - 1))),
      ...[1, 2].flatMap((n) => exact('kvm', n, 30 + 10 * (n - 1))),
    ];
    const { slopes, gaps, commonGuests } = densitySlopes(samples, 'density-cpu', 'total_time');
    expect(commonGuests).toEqual([1, 2]);
    expect(slopes.find((slope) => slope.backend === 'docker')).toMatchObject({ guests: [1, 2], leftOut: [4] });
    expect(slopes.find((slope) => slope.backend === 'kvm')).toMatchObject({ guests: [1, 2], leftOut: [] });
    // the yardstick: the bare host has no line, and every system says so instead of an empty cell
    expect(gaps).toEqual([expect.objectContaining({ backend: 'native' })]);
    expect(gaps[0]!.reason).toContain('the bare host ran N=1 only');
    for (const slope of slopes) {
      expect(slope.vsNative).toBeNull();
      expect(slope.vsNativeMissing).toContain('the bare host ran N=1 only');
    }
  });

  it('have no yardstick where the bare host is flat, and no line through one point', () => {
    const samples = [
      ...exact('native', 1, 10),
      ...exact('native', 2, 10),
      ...exact('docker', 1, 12),
      ...exact('docker', 2, 14),
      ...exact('kvm', 1, 30),
    ];
    const { slopes, gaps } = densitySlopes(samples, 'density-cpu', 'total_time');
    expect(slopes.find((slope) => slope.backend === 'docker')).toMatchObject({ vsNative: null });
    expect(slopes.find((slope) => slope.backend === 'docker')!.vsNativeMissing).toContain('flat');
    expect(slopes.find((slope) => slope.backend === 'docker')!.slope).toBeCloseTo(0.2, 10);
    expect(slopes.find((slope) => slope.backend === 'kvm')).toBeUndefined();
    expect(gaps.find((gap) => gap.backend === 'kvm')!.reason).toContain('ran N=1 only');
    // without the bare host's N = 1 nothing is relative to anything
    expect(densitySlopes(samples.slice(4), 'density-cpu', 'total_time').slopes).toEqual([]);
  });
});

describe("the host's MemAvailable drop per guest", () => {
  const MIB = 2 ** 20;
  it('is shown where its 95% interval over the repeats lies above 0', () => {
    const drop = hostMemoryDrop(stats([280, 282, 279, 281].map((value) => value * MIB)));
    expect(drop.state).toBe('resolved');
    expect(drop.mean / MIB).toBeCloseTo(280.5, 10);
    // mean ± t(0.975, 3) · sd / √4, sd = 1.2910: 280.5 ± 2.054 (tQuantile975 approximates t to about 1e-4)
    expect(drop.ciLow! / MIB).toBeCloseTo(280.5 - 3.182446305284263 * (1.2909944487358056 / 2), 3);
  });
  it('is "below what this host can resolve" where the interval reaches 0, or there are too few repeats', () => {
    // the README's main job: -26.9 MiB per Docker container, the host's noise larger than the guest
    const noisy = hostMemoryDrop(stats([-16.2, 13.0, -4.2].map((value) => value * MIB)));
    expect(noisy.state).toBe('unresolved');
    expect(noisy.state === 'unresolved' && noisy.why).toContain('reaches 0');
    const two = hostMemoryDrop(stats([279.9, 281.8].map((value) => value * MIB)));
    expect(two.state === 'unresolved' && two.why).toContain('2 repeats: too few');
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
