import { describe, expect, it } from 'vitest';
import {
  parseBackends,
  parsePercentOrFraction,
  parsePositiveInt,
  parsePositiveIntList,
  parseProbability,
} from '../../lib/util/cli-args.js';
import { UsageError } from '../../lib/util/errors.js';

describe('command-line values', () => {
  it('accepts backend lists and drops duplicates', () => {
    expect(parseBackends('native,docker,kvm,docker')).toEqual(['native', 'docker', 'kvm']);
  });

  it('names the option and the allowed values for an unknown backend', () => {
    expect(() => parseBackends('docker,vbox')).toThrow(UsageError);
    expect(() => parseBackends('docker,vbox')).toThrow(
      'Expected `--backends` to be a comma-separated list of native, docker, podman, lxc, kvm, microvm, got `docker,vbox`',
    );
  });

  it('says why a system the seeds compare but guestbench cannot run is not a choice', () => {
    expect(() => parseBackends('docker,Xen')).toThrow(
      /guestbench does not run Xen virtual machines: Xen is a type-1 hypervisor/,
    );
    expect(() => parseBackends('osv')).toThrow(/OSv is not packaged by Debian/);
  });

  it('rejects zero and non-numbers in guest lists', () => {
    expect(parsePositiveIntList('1,2,4', '--guests')).toEqual([1, 2, 4]);
    expect(() => parsePositiveIntList('0,2', '--guests')).toThrow(
      'Expected `--guests` to be a list of positive integers, got `0,2`',
    );
    expect(() => parsePositiveIntList('1,,2', '--guests')).toThrow(UsageError);
    expect(() => parsePositiveInt('2.5', '--repeats')).toThrow(
      'Expected `--repeats` to be a positive integer, got `2.5`',
    );
  });

  it('accepts N = 0 where N counts guests already running', () => {
    expect(parsePositiveIntList('0,1,2', '--guests', 0)).toEqual([0, 1, 2]);
    expect(() => parsePositiveIntList('-1', '--guests', 0)).toThrow(
      'Expected `--guests` to be a list of integers from 0 to 256, got `-1`',
    );
  });
});

describe('parseProbability and parsePercentOrFraction (guestbench compare)', () => {
  it('takes a probability strictly between 0 and 1', () => {
    expect(parseProbability('0.05', '--alpha')).toBe(0.05);
    expect(parseProbability('.1', '--alpha')).toBe(0.1);
    for (const bad of ['0', '1', '1.5', '-0.1', '5%', 'x', ''])
      expect(() => parseProbability(bad, '--alpha'), bad).toThrow(/Expected `--alpha` to be a number between 0 and 1/);
  });

  it('takes a percentage or a fraction, and refuses a bare number above 1', () => {
    expect(parsePercentOrFraction('5%', '--min-effect')).toBe(0.05);
    expect(parsePercentOrFraction('0.05', '--min-effect')).toBe(0.05);
    expect(parsePercentOrFraction('0', '--min-effect')).toBe(0);
    expect(parsePercentOrFraction('150%', '--min-effect')).toBe(1.5);
    for (const bad of ['5', '-5%', '2000%', '%', 'five'])
      expect(() => parsePercentOrFraction(bad, '--min-effect'), bad).toThrow(UsageError);
  });
});
