/**
 * density-fileio's parameters (file set sizes, caps and their reasons, storage), the caching verdicts,
 * the VM scratch disk's command line, and the thesis's fileio values as points (its claims:
 * test/analysis/claims). No guests run.
 */
import { describe, expect, it } from 'vitest';
import { qemuArgs } from '../../lib/backends/kvm-args.js';
import { PC } from '../../lib/backends/vm-machine.js';
import {
  DENSITY_FILEIO_PROFILES,
  densityFileioParameters,
  fileSetSizes,
  vmDiskMiB,
  type StorageFacts,
} from '../../lib/experiments/density-fileio.js';
import { cachingAssessment } from '../../lib/analysis/fileio-caching.js';
import { experimentNamed } from '../../lib/experiments/registry.js';
import { fileioThesisPoints } from '../../lib/figures/density-io-tables.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;

// this 2-core host: 24 GiB RAM, ~76 GB free on the one disk
const host: StorageFacts = {
  hostMemoryBytes: 24106 * MiB,
  freeBytes: { native: 76 * GiB, kvm: 76 * GiB, docker: 76 * GiB },
  where: { native: '/var/tmp (ext2/3/4)', kvm: '/tmp (ext2/3/4)', docker: '/var/lib/docker (ext2/3/4)' },
};
const roomy: StorageFacts = {
  ...host,
  hostMemoryBytes: 8 * GiB,
  freeBytes: { native: 2000 * GiB, kvm: 2000 * GiB, docker: 2000 * GiB },
};

describe('density-fileio file set sizes', () => {
  const thesis = DENSITY_FILEIO_PROFILES.thesis;

  it('follow the thesis rule where the disk allows: 10 GiB per 1 GiB guest, 10x host RAM natively', () => {
    const sizes = fileSetSizes(thesis, thesis.guests, roomy);
    expect(sizes.guestBytes).toBe(10 * GiB);
    // the thesis's host: 8 GB RAM, 80 GB of files
    expect(sizes.nativeBytes).toBe(80 * GiB);
    expect(sizes.notes.join(' ')).not.toContain('capped');
  });

  it('cap honestly on this host, saying how much and why', () => {
    const sizes = fileSetSizes(thesis, thesis.guests, host);
    // 10 x 23.5 GiB = 235 GiB wanted natively; 80% of 76 GiB = 60 GiB
    expect(sizes.nativeBytes).toBe(60 * GiB);
    expect(sizes.notes).toContainEqual(
      expect.stringMatching(/native file set: 10 x the host's 23\.54 GiB RAM = 235 GiB/),
    );
    expect(sizes.notes).toContainEqual(
      expect.stringMatching(
        /capped to 60 GiB per copy: 1 native copy must fit in 80% of the 76 GiB free under \/var\/tmp.*page cache can hold part of it/,
      ),
    );
    // 12 containers at once: 60.8 GiB / 12 = 5 GiB each; VMs get the same size, to stay comparable
    expect(sizes.guestBytes).toBe(5 * GiB);
    expect(sizes.notes).toContainEqual(
      expect.stringMatching(/capped to 5 GiB per guest: 12 container volumes at once/),
    );
  });

  it('leave a fixed quick file set alone and say it is fixed', () => {
    const quick = DENSITY_FILEIO_PROFILES.quick;
    const sizes = fileSetSizes(quick, quick.guests, host);
    expect(sizes).toMatchObject({ guestBytes: 256 * MiB, nativeBytes: 256 * MiB });
    expect(sizes.notes).toEqual([
      'VM/container file set: 0.25 GiB per guest (fixed by the profile)',
      'native file set: 0.25 GiB per copy (fixed by the profile)',
    ]);
  });

  it('size the VM scratch disk for the files plus ext4 overhead', () => {
    expect(vmDiskMiB(256 * MiB)).toBe(Math.ceil(256 * 1.05) + 128);
    expect(vmDiskMiB(10 * GiB) * MiB).toBeGreaterThan(10.5 * GiB);
  });
});

describe('density-fileio parameters', () => {
  it('record the profile, the per-guest storage and the untimed phases; guests and repeats follow the command line', () => {
    const params = densityFileioParameters(
      { profile: 'quick', backends: ['native', 'docker', 'kvm'], guests: [1, 2], repeats: 1 },
      host,
    );
    expect(params.guests).toEqual({ native: [1, 2], docker: [1, 2], kvm: [1, 2] });
    expect(params.repeats).toBe(1);
    expect(params.fileio).toMatchObject({
      testMode: 'rndrw',
      ioMode: 'sync',
      direct: true,
      fsyncFreq: 100,
      timeSeconds: 5,
      fileTotalBytes: 256 * MiB,
    });
    expect(params.scratch).toEqual({ sizeMiB: vmDiskMiB(256 * MiB), cache: 'none' });
    // one sentence per backend asked for, from each backend's scratch storage
    expect(Object.keys(params.storage)).toEqual(['native', 'docker', 'kvm']);
    expect(params.storage.native).toMatch(new RegExp(`a directory per guest under ${params.nativeScratchRoot}`));
    expect(params.storage.kvm).toContain(`a sparse raw file of ${params.scratch.sizeMiB} MiB`);
    expect(params.storage.docker).toMatch(/anonymous volume per container.*outside the overlay layers/);
    expect(params.storage.kvm).toMatch(/second virtio-blk disk per VM.*cache=none/);
    expect(params.phases).toMatch(/untimed/);
    // stored verbatim in campaign.json
    expect(JSON.parse(JSON.stringify(params))).toEqual(params);
  });

  it("keep the thesis's buffered I/O and libvirt's default writeback cache in the thesis profile", () => {
    const params = densityFileioParameters({ profile: 'thesis', backends: ['docker', 'kvm'] }, roomy);
    expect(params.fileio).toMatchObject({ direct: false, timeSeconds: 300, fileTotalBytes: 10 * GiB, threads: 1 });
    expect(params.scratch.cache).toBe('writeback');
    expect(params.guests).toEqual({ docker: [1, 2, 4, 8, 12], kvm: [1, 2, 4, 8] });
    expect(params.repeats).toBe(10);
  });

  it('is registered', () => {
    expect(experimentNamed('density-fileio').thesis).toBe('Figures 4.4-4.13, Table 4.3');
  });
});

describe('cachingAssessment', () => {
  it('counts O_DIRECT with cache=none as defeating every cache', () => {
    const params = densityFileioParameters({ profile: 'quick', backends: ['native', 'docker', 'kvm'] }, host);
    const verdicts = cachingAssessment(params, 24106);
    expect(verdicts.map((verdict) => `${verdict.backend}/${verdict.guests}`)).toEqual([
      'native/1',
      'docker/1',
      'docker/2',
      'docker/4',
      'kvm/1',
      'kvm/2',
    ]);
    expect(verdicts.every((verdict) => verdict.defeated)).toBe(true);
    expect(verdicts.find((verdict) => verdict.backend === 'kvm')?.why).toMatch(/O_DIRECT in the VM and cache=none/);
  });

  it('says when buffered file sets fit in the page cache, per N (thesis profile on this host)', () => {
    const params = densityFileioParameters({ profile: 'thesis', backends: ['native', 'docker', 'kvm'] }, host);
    const verdicts = cachingAssessment(params, 24106);
    const at = (backend: string, guests: number) =>
      verdicts.find((verdict) => verdict.backend === backend && verdict.guests === guests);
    // 60 GiB natively > 23.5 GiB of RAM
    expect(at('native', 1)?.defeated).toBe(true);
    // 1 container x 5 GiB fits the host's page cache; 8 x 5 GiB does not
    expect(at('docker', 1)?.defeated).toBe(false);
    expect(at('docker', 8)?.defeated).toBe(true);
    // 5 GiB > 1 GiB of VM RAM, but writeback lets the host cache 1 VM's files
    expect(at('kvm', 1)?.defeated).toBe(false);
    expect(at('kvm', 1)?.why).toMatch(/cache=writeback: 1 x 5 GiB = 5 GiB vs 23\.54 GiB host RAM/);
    expect(at('kvm', 8)?.defeated).toBe(true);
  });
});

describe('the VM scratch disk on the QEMU command line', () => {
  const launch = {
    name: 'vm1',
    accel: 'tcg' as const,
    vcpus: 1,
    memoryMiB: 1024,
    machine: PC,
    kernel: 'k',
    initrd: 'i',
    rootDisk: { file: '/img/disk.raw', format: 'raw' as const, snapshot: true },
    append: 'root=/dev/vda',
    qmpSocket: 'q',
    qgaSocket: 'g',
    consoleLog: 'c',
  };

  it('is a second virtio drive after the root disk, with its format and cache mode', () => {
    const args = qemuArgs({ ...launch, scratch: { file: '/run/vm1/scratch.raw', format: 'raw', cache: 'none' } });
    const drives = args.flatMap((arg, index) => (arg === '-drive' ? [args[index + 1]] : []));
    expect(drives).toEqual([
      'id=root,file=/img/disk.raw,format=raw,snapshot=on,if=none',
      'id=scratch,file=/run/vm1/scratch.raw,format=raw,cache=none,if=none',
    ]);
    const devices = args.flatMap((arg, index) => (arg === '-device' ? [args[index + 1]] : []));
    expect(devices.slice(0, 2)).toEqual(['virtio-blk-pci,drive=root', 'virtio-blk-pci,drive=scratch']);
  });

  it('is absent unless asked for', () => {
    expect(qemuArgs(launch).filter((arg) => arg === '-drive')).toHaveLength(1);
  });
});

describe('fileio thesis points', () => {
  it("compare the thesis's fileio events (0.4: reads + writes) with our requests", () => {
    const points = fileioThesisPoints();
    expect(points.find((point) => point.backend === 'native' && point.metric === 'requests')?.value).toBe(34854);
    expect(points.some((point) => point.metric === 'events')).toBe(false);
  });
});
