import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CampaignMeta } from '../../lib/results/campaign-meta.js';
import { isCampaignId, newCampaignId } from '../../lib/results/campaign-id.js';
import type { Sample } from '../../lib/results/schema.js';
import { appendSamples, createCampaignStore, listCampaigns, newestCampaign, openCampaignStore, readCampaignMeta, readSamples, writeRaw } from '../../lib/results/store.js';
import { UsageError } from '../../lib/util/errors.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-store-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function meta(id: string): CampaignMeta {
  return {
    id, experiment: 'density-cpu', profile: 'quick', parameters: {}, backends: ['native'], accel: {}, versions: {}, image: null, git: null,
    host: { hostname: 'h', cpuModel: 'cpu', cpus: 2, cores: 2, threadsPerCore: 1, memoryMiB: 1024, os: 'Debian', kernel: '6', arch: 'x64', disk: { device: null, model: null, sizeGiB: null, rotational: null }, kvmModule: null },
    startedAt: '2026-11-21T00:00:00.000Z', state: 'running', sessions: [], missing: [],
  };
}

const sample = (repeat: number): Sample => ({
  campaign: 'x', experiment: 'density-cpu', backend: 'native', accel: 'none', guests: 1, guest: 1, repeat,
  metric: 'total_time', value: repeat, unit: 's', at: '2026-11-21T00:00:00.000Z', state: 'ok',
});

describe('campaign store', () => {
  it('appends rows that read back in order, across separate appends', () => {
    const store = createCampaignStore(dir, meta(newCampaignId()));
    appendSamples(store, [sample(1), sample(2)]);
    appendSamples(store, [sample(3)]);
    expect(readSamples(store.dir)).toEqual({ samples: [sample(1), sample(2), sample(3)], tornTail: false });
  });

  it('skips a torn last line left by a crash mid-write and says so', () => {
    const store = createCampaignStore(dir, meta(newCampaignId()));
    appendSamples(store, [sample(1)]);
    fs.appendFileSync(path.join(store.dir, 'samples.jsonl'), '{"campaign":"x","exp');
    expect(readSamples(store.dir)).toEqual({ samples: [sample(1)], tornTail: true });
  });

  it('keeps raw output beside the samples and returns its relative path', () => {
    const store = createCampaignStore(dir, meta(newCampaignId()));
    const raw = writeRaw(store, 'density-cpu-native-n1-r1-g1', 'sysbench 1.0.20\n');
    expect(raw).toBe('raw/density-cpu-native-n1-r1-g1.txt');
    expect(fs.readFileSync(path.join(store.dir, raw), 'utf8')).toBe('sysbench 1.0.20\n');
  });

  it('finds the newest campaign and opens one by id', () => {
    const older = meta('2026-11-21T10-00-00Z-aaaa');
    const newer = meta('2026-11-21T11-00-00Z-bbbb');
    createCampaignStore(dir, newer);
    createCampaignStore(dir, older);
    expect(listCampaigns(dir)).toEqual([older.id, newer.id]);
    expect(newestCampaign(dir)).toBe(path.join(dir, newer.id));
    expect(readCampaignMeta(openCampaignStore(dir, older.id).dir).id).toBe(older.id);
  });

  it('names the known campaigns when asked to resume an unknown one', () => {
    createCampaignStore(dir, meta('2026-11-21T10-00-00Z-aaaa'));
    expect(() => openCampaignStore(dir, 'nope')).toThrow(UsageError);
    expect(() => openCampaignStore(dir, 'nope')).toThrow(/2026-11-21T10-00-00Z-aaaa/);
  });

  it('makes sortable, recognisable campaign ids', () => {
    const id = newCampaignId(new Date('2026-11-21T23:00:00.123Z'));
    expect(id).toMatch(/^2026-11-21T23-00-00Z-[0-9a-f]{4}$/);
    expect(isCampaignId(id)).toBe(true);
    expect(isCampaignId('analysis2')).toBe(false);
  });
});
