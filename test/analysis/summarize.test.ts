import { describe, expect, it } from 'vitest';
import { summarize } from '../../lib/analysis/summarize.js';
import type { Sample } from '../../lib/results/schema.js';
import { rowMaker } from '../helpers/samples.js';

const row = rowMaker({
  campaign: 'c',
  experiment: 'density-cpu',
  backend: 'docker',
  accel: 'none',
  guests: 2,
  guest: 1,
  repeat: 1,
  metric: 'total_time',
  at: '2026-11-21T00:00:00.000Z',
});

describe('summarize', () => {
  const samples: Sample[] = [
    row({ repeat: 1, guest: 1, value: 10 }),
    row({ repeat: 1, guest: 2, value: 12 }),
    row({ repeat: 2, guest: 1, value: 14 }),
    row({ repeat: 2, guest: 2, value: 16 }),
    row({ backend: 'kvm', accel: 'tcg', guests: 1, value: 30 }),
    row({
      backend: 'kvm',
      accel: 'tcg',
      guests: 1,
      repeat: 2,
      value: null,
      state: 'errored',
      reason: 'exited with code 1',
    }),
  ];

  it('averages the guests of a repeat first, so n counts independent repeats', () => {
    const [docker] = summarize(samples).filter((summary) => summary.backend === 'docker');
    expect(docker).toMatchObject({ n: 2, mean: 13, min: 11, max: 15 });
  });

  it('can treat every guest of every repeat as an observation', () => {
    const [docker] = summarize(samples, { unit: 'guest' }).filter((summary) => summary.backend === 'docker');
    expect(docker).toMatchObject({ n: 4, mean: 13, min: 10, max: 16 });
  });

  it('keeps the accelerator as a key and counts errored runs without using them', () => {
    const [kvm] = summarize(samples).filter((summary) => summary.backend === 'kvm');
    expect(kvm).toMatchObject({ accel: 'tcg', n: 1, mean: 30, errored: 1 });
  });

  it('orders native, docker, kvm, then by N', () => {
    const order = summarize([...samples, row({ backend: 'native', guests: 1 }), row({ guests: 1 })]).map(
      (summary) => `${summary.backend}/${summary.guests}`,
    );
    expect(order).toEqual(['native/1', 'docker/1', 'docker/2', 'kvm/1']);
  });
});
