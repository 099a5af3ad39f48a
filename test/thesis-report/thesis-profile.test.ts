/**
 * The `thesis` campaign profile uses the settings data/thesis/ transcribes (docs/thesis-data.md
 * lists which row each field comes from).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DENSITY_CPU_PROFILES } from '../../lib/experiments/profiles.js';
import { thesisNumber, thesisValue } from '../../lib/thesis/index.js';

const dir = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..'), 'data', 'thesis');
const number = (id: string) => thesisNumber({ id }, { dir });

describe('thesis profile of density-cpu', () => {
  const profile = DENSITY_CPU_PROFILES.thesis;

  it('takes the workload and repeats from section 4.5', () => {
    expect(profile.cpu.maxPrime).toBe(number('s4.5.1-cpu_max_prime'));
    expect(profile.cpu.threads).toBe(number('s4.5.1-sysbench_threads'));
    expect(profile.repeats).toBe(number('s4.5-density-cpu-repeats'));
    // not stated by the thesis: sysbench 0.4.12's default request limit
    expect(thesisValue({ id: 's4.2-sysbench_version' }, { dir }).value).toBe('0.4.12');
    expect(profile.cpu.events).toBe(10000);
  });

  it('runs guests up to the stated maxima, one bare-host copy, and 1 vCPU / 1024 MiB VMs', () => {
    expect(Math.max(...profile.guests.kvm)).toBe(number('s4.5.1-kvm-guests_max'));
    expect(Math.max(...profile.guests.docker)).toBe(number('s4.5.1-docker-guests_max'));
    expect(profile.guests.native).toEqual([1]);
    expect(profile.vcpus).toBe(number('s4.4.1-kvm-guest_vcpus'));
    expect(profile.memoryMiB * 1024 * 1024).toBe(number('s4.4.1-kvm-guest_memory'));
    expect(profile.containerLimits).toBe(false);
  });
});
