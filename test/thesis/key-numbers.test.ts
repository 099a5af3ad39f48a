/**
 * The numbers the issue names are transcribed where the thesis prints them.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { thesisNumber, thesisValue } from '../../lib/thesis/index.js';
import { thesisSeed } from '../helpers/thesis-seed.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = path.join(repoRoot, 'data', 'thesis');
const seedLine = (line: number) => thesisSeed().line(line);

describe('key numbers of the issue', () => {
  it('VM boot: 6.12 s with 1 VM and 30.77 s with 12 (Table 5.1)', () => {
    const one = thesisValue({ experiment: 'latency', backend: 'kvm', guests: 1, metric: 'boot_time' }, { dir });
    const twelve = thesisValue({ experiment: 'latency', backend: 'kvm', guests: 12, metric: 'boot_time' }, { dir });
    expect([one.value, one.unit, one.source.ref]).toEqual([6.12, 's', 'Table 5.1']);
    expect([twelve.value, twelve.unit, twelve.source.ref]).toEqual([30.77, 's', 'Table 5.1']);
  });

  it('container boot: about 0.44 s at every N (Table 5.2)', () => {
    expect(thesisNumber({ experiment: 'latency', backend: 'docker', guests: 1, metric: 'boot_time' }, { dir })).toBe(
      0.44,
    );
    for (const guests of [1, 2, 4, 8, 16]) {
      expect(
        thesisNumber({ experiment: 'latency', backend: 'docker', guests, metric: 'boot_time' }, { dir }),
      ).toBeCloseTo(0.44, 1);
    }
  });

  it('file I/O at 8 guests: VMs 77.42 Kbps, containers 512 Kbps (sysbench KiB/s, stored in MiB/s)', () => {
    const vm = thesisValue(
      { experiment: 'density-fileio', backend: 'kvm', guests: 8, metric: 'total_mib_per_s' },
      { dir },
    );
    const container = thesisValue(
      { experiment: 'density-fileio', backend: 'docker', guests: 8, metric: 'total_mib_per_s' },
      { dir },
    );
    expect(vm.printed).toEqual({ value: 77.42, unit: 'Kbps' });
    expect(container.printed).toEqual({ value: 512, unit: 'Kbps' });
    expect(vm.value).toBeCloseTo(77.42 / 1024, 12);
    expect(container.value).toBe(0.5);
    expect(vm.unit).toBe('MiB/s');
  });

  it('MySQL at 8 guests: VMs about 2.5 transactions/s, containers 30.5', () => {
    const vm = thesisValue(
      { experiment: 'density-mysql', backend: 'kvm', guests: 8, metric: 'transactions_per_s' },
      { dir },
    );
    expect(vm.value).toBe(2.5);
    expect(vm.approximate).toBe(true);
    expect(vm.printed?.value).toBe('2 and a half');
    expect(
      thesisNumber(
        { experiment: 'density-mysql', backend: 'docker', guests: 8, metric: 'transactions_per_s' },
        { dir },
      ),
    ).toBe(30.5);
  });

  it('are printed on the cited thesis lines', () => {
    const at = (query: Parameters<typeof thesisValue>[0]) => seedLine(thesisValue(query, { dir }).source.line);
    expect(at({ experiment: 'latency', backend: 'kvm', guests: 1, metric: 'boot_time' })).toMatch(/^1\t6\.12\t/);
    expect(at({ experiment: 'latency', backend: 'kvm', guests: 12, metric: 'boot_time' })).toMatch(/^12\t30\.77\t/);
    expect(at({ experiment: 'latency', backend: 'docker', guests: 1, metric: 'boot_time' })).toMatch(/^1\t0\.44\t/);
    expect(at({ experiment: 'density-fileio', backend: 'kvm', guests: 8, metric: 'total_mib_per_s' })).toContain(
      '77.42 Kbps',
    );
    expect(at({ experiment: 'density-fileio', backend: 'docker', guests: 8, metric: 'total_mib_per_s' })).toContain(
      '512 Kbps',
    );
    expect(at({ experiment: 'density-mysql', backend: 'docker', guests: 8, metric: 'transactions_per_s' })).toContain(
      '30.5 transactions/second',
    );
    expect(at({ experiment: 'density-mysql', backend: 'kvm', guests: 8, metric: 'transactions_per_s' })).toContain(
      '2 and a half transactions',
    );
  });
});
