/**
 * Reading a guest's memory account: the parsers on /proc files captured on this host (a Docker
 * container's cgroup file on a hybrid cgroup layout, its containerd-shim's smaps_rollup), and the
 * host-memory reading of the footprint experiment.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cgroupUsageFile, parseMemoryCgroup, parseSmapsRollup } from '../../lib/backends/memory-footprint.js';
import { usedMemory } from '../../lib/experiments/footprint.js';
import { ParseError } from '../../lib/util/errors.js';

const fixture = (name: string) => fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/proc', name), 'utf8');

describe('memory accounts from /proc', () => {
  it("reads smaps_rollup's fields in bytes", () => {
    const rollup = parseSmapsRollup(fixture('smaps_rollup-containerd-shim.txt'));
    expect(rollup.Rss).toBe(13224 * 1024);
    expect(rollup.Pss).toBe(12227 * 1024);
    expect(rollup.Private_Dirty).toBeGreaterThan(0);
    expect(() => parseSmapsRollup('nothing here')).toThrow(ParseError);
  });

  it("finds a container's v1 memory cgroup on a hybrid layout, and a v2-only process's", () => {
    const docker = parseMemoryCgroup(fixture('cgroup-docker-container.txt'));
    expect(docker).toEqual({
      version: 1,
      path: '/docker/8ef7b339aad4b626714b48d35f17253d0fb54b8d8ddb80c278ce48c6a35e16ab',
    });
    expect(cgroupUsageFile(docker)).toBe(
      '/sys/fs/cgroup/memory/docker/8ef7b339aad4b626714b48d35f17253d0fb54b8d8ddb80c278ce48c6a35e16ab/memory.usage_in_bytes',
    );
    expect(parseMemoryCgroup(fixture('cgroup-hybrid.txt')).path).toMatch(/^\/process_api\//);
    const v2 = parseMemoryCgroup('0::/lxc.payload.gb1\n');
    expect(v2).toEqual({ version: 2, path: '/lxc.payload.gb1' });
    expect(cgroupUsageFile(v2)).toBe('/sys/fs/cgroup/lxc.payload.gb1/memory.current');
  });

  it("reads the host's used memory as MemTotal - MemAvailable", () => {
    expect(usedMemory('MemTotal:       24000000 kB\nMemFree:  100 kB\nMemAvailable:   23000000 kB\n')).toBe(
      1_000_000 * 1024,
    );
    expect(() => usedMemory('MemTotal: 1 kB\n')).toThrow(/MemAvailable/);
    expect(usedMemory(fs.readFileSync('/proc/meminfo', 'utf8'))).toBeGreaterThan(0);
  });
});
