/**
 * `run --host`'s pure parts: what is passed to the run there, the host options, whole lines.
 */
import { describe, expect, it } from 'vitest';
import { wholeLinesEnd } from '../../lib/hosts/remote-campaign.js';
import { UsageError } from '../../lib/util/errors.js';
import { parseHostOptions, remoteRunArgs } from '../../runners/commands/run-on-host.js';

describe('run --host', () => {
  it('passes every option to the run there except the ones that drive from here', () => {
    expect(
      remoteRunArgs('density-cpu', {
        host: 'lab',
        'host-commit': 'any',
        results: '/here/results',
        backends: 'native,docker',
        guests: '1',
        repeats: 'auto',
        'fail-fast': true,
        force: false,
        profile: undefined,
      }),
    ).toEqual(['density-cpu', '--backends', 'native,docker', '--guests', '1', '--repeats', 'auto', '--fail-fast']);
  });

  it('takes hosts once each, same or any commit, and no --resume yet', () => {
    expect(parseHostOptions({ host: 'lab' })).toEqual({ hosts: ['lab'], hostCommit: 'same' });
    expect(parseHostOptions({ host: 'me@10.0.0.5,lab', 'host-commit': 'any' })).toEqual({
      hosts: ['me@10.0.0.5', 'lab'],
      hostCommit: 'any',
    });
    expect(() => parseHostOptions({ host: 'a,a' })).toThrow(/each host once/);
    expect(() => parseHostOptions({ host: 'a,' })).toThrow(UsageError);
    expect(() => parseHostOptions({ host: 'lab', 'host-commit': 'newest' })).toThrow(UsageError);
    expect(() => parseHostOptions({ host: 'lab', resume: 'x' })).toThrow(/--resume/);
    expect(() => parseHostOptions({ 'host-commit': 'any' })).toThrow(/only with `--host`/);
  });

  it('keeps only whole lines of a chunk read while the campaign writes', () => {
    expect(wholeLinesEnd('{"a":1}\n{"b":2}\n{"c"')).toBe(16);
    expect(wholeLinesEnd('{"c"')).toBe(0);
    expect(wholeLinesEnd('')).toBe(0);
    expect(wholeLinesEnd('x\n')).toBe(2);
  });
});
