/**
 * The backend table is the one source of every backend list, label, colour and legend order, and
 * says what each backend's implementation can do: these tests hold the table and the backends to
 * each other.
 */
import { describe, expect, it } from 'vitest';
import { backendProvider, backendProviders } from '../../lib/backends/registry.js';
import { checkBackendsFit } from '../../lib/experiments/definition.js';
import { experimentDefinitions, experimentNamed } from '../../lib/experiments/registry.js';
import type { ImageSet } from '../../lib/images/index.js';
import {
  BACKEND_DESCRIPTORS,
  BACKEND_NAMES,
  CAPABILITY_NAMES,
  backendRank,
  byBackend,
  hasCapability,
  lacksCapability,
  seriesLabel,
  unknownAccel,
} from '../../lib/model/backends.js';
import { parseBackends } from '../../lib/util/cli-args.js';

// a backend is made without touching its engine: these paths are never opened
const images = {
  key: 'test',
  dir: '/nonexistent',
  dockerImage: 'guestbench/bookworm:test',
  kernel: '/nonexistent/vmlinuz',
  initrd: '/nonexistent/initrd.img',
  disk: '/nonexistent/disk.raw',
  manifest: {},
} as unknown as ImageSet;

describe('the backend table', () => {
  it('lists every backend once, in legend order: the bare host, containers, VMs', () => {
    expect(BACKEND_DESCRIPTORS.map((descriptor) => descriptor.name)).toEqual(BACKEND_NAMES);
    const kinds = BACKEND_DESCRIPTORS.map((descriptor) => descriptor.kind);
    expect(
      [...kinds].sort((a, b) => ['host', 'container', 'vm'].indexOf(a) - ['host', 'container', 'vm'].indexOf(b)),
    ).toEqual(kinds);
    expect(new Set(BACKEND_DESCRIPTORS.map((descriptor) => descriptor.color)).size).toBe(BACKEND_NAMES.length);
    expect(BACKEND_NAMES.map(backendRank)).toEqual(BACKEND_NAMES.map((_, index) => index));
    expect(
      [{ backend: 'kvm' as const }, { backend: 'native' as const }, { backend: 'docker' as const }]
        .sort(byBackend)
        .map((item) => item.backend),
    ).toEqual(['native', 'docker', 'kvm']);
  });

  it("puts a VM's accelerator in its label and gives a VM that could not start an unknown one", () => {
    expect(seriesLabel('kvm', 'tcg')).toBe('VMs (tcg)');
    expect(seriesLabel('docker', 'none')).toBe('Docker containers');
    expect(unknownAccel('kvm')).toBe('unknown');
    expect(unknownAccel('native')).toBe('none');
  });

  it('is where the CLI takes its choices from', () => {
    expect(parseBackends(BACKEND_NAMES.join(','))).toEqual([...BACKEND_NAMES]);
    expect(() => parseBackends('native,vbox')).toThrow(
      `Expected \`--backends\` to be a comma-separated list of ${BACKEND_NAMES.join(', ')}, got \`native,vbox\``,
    );
  });

  it('says what each backend can do, exactly what its implementation provides, and why it lacks the rest', () => {
    expect(backendProviders().map((provider) => provider.name)).toEqual(BACKEND_NAMES);
    for (const descriptor of BACKEND_DESCRIPTORS) {
      const provider = backendProvider(descriptor.name);
      const backend = provider.create({
        accel: descriptor.kind === 'vm' ? 'tcg' : 'none',
        images,
        campaign: 'test',
        containerLimits: false,
      });
      expect(backend.name).toBe(descriptor.name);
      const provided = (Object.keys(CAPABILITY_NAMES) as Array<keyof typeof CAPABILITY_NAMES>).filter(
        (key) => backend.capabilities[key] !== undefined,
      );
      expect(provided).toEqual(descriptor.capabilities);
      expect(provider.scratch !== undefined).toBe(descriptor.capabilities.includes('scratch'));
      for (const key of Object.keys(CAPABILITY_NAMES) as Array<keyof typeof CAPABILITY_NAMES>) {
        if (!descriptor.capabilities.includes(key))
          expect(lacksCapability(descriptor.name, key)).toMatch(
            new RegExp(`^${descriptor.name} lacks ${CAPABILITY_NAMES[key]}`),
          );
      }
    }
    expect(lacksCapability('native', 'startTiming')).toBe(
      'native lacks a timed start and shutdown (the bare host does not boot)',
    );
    expect(lacksCapability('kvm', 'liveMigration')).toBeUndefined();
  });
});

describe('experiments and the capabilities they use', () => {
  it('refuse, before anything starts, backends none of which can run them', () => {
    for (const definition of experimentDefinitions()) {
      const able = BACKEND_NAMES.filter((backend) =>
        definition.uses.every((capability) => hasCapability(backend, capability)),
      );
      expect(able.length).toBeGreaterThan(0);
      expect(() => checkBackendsFit(definition, able)).not.toThrow();
    }
    expect(() => checkBackendsFit(experimentNamed('latency-restore'), ['native'])).toThrow(
      'Expected `--backends` to include a backend with save/restore of a running guest for latency-restore, got `native`: native lacks save/restore of a running guest (the bare host is not a guest that can be saved)',
    );
    // one able backend is enough: the others take part and say what they lack
    expect(() => checkBackendsFit(experimentNamed('migration'), ['native', 'kvm'])).not.toThrow();
  });
});
