/**
 * The guest image set: recipe key, cache hit speed, manifest contents, the VM disk, and the Docker
 * image made from the same rootfs. Builds the images if the cache lacks them (root, debootstrap and
 * a Docker engine needed); skipped with the reason printed otherwise.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dockerClient } from '../../lib/util/docker-client.js';
import {
  GUEST_PACKAGES,
  GUEST_RECIPE,
  buildImages,
  checkManifest,
  dockerImageId,
  findImages,
  parseExt4Free,
  parsePackageList,
  recipeKey,
  type ImageSet,
} from '../../lib/images/index.js';
import { CapabilityError } from '../../lib/util/errors.js';

let images: ImageSet | undefined;
let skipReason: string | undefined;
try {
  images = await buildImages({ log: (line) => console.log(`[images] ${line}`) });
} catch (error) {
  const fix = (error as { fix?: string }).fix;
  skipReason = `${(error as Error).message.split('\n')[0]}${fix ? ` (fix: ${fix})` : ''}`;
  console.warn(`SKIPPED guest image tests: ${skipReason}`);
}

describe('recipe key', () => {
  it('is 12 hex characters of the recipe hash, and changes with the package list', () => {
    const key = recipeKey();
    expect(key).toMatch(/^[0-9a-f]{12}$/);
    expect(recipeKey({ ...GUEST_RECIPE })).toBe(key);
    expect(recipeKey({ ...GUEST_RECIPE, packages: [...GUEST_PACKAGES, 'mariadb-server'] })).not.toBe(key);
    expect(recipeKey({ ...GUEST_RECIPE, initScript: `${GUEST_RECIPE.initScript}\n` })).not.toBe(key);
    expect(recipeKey({ ...GUEST_RECIPE, recipeVersion: GUEST_RECIPE.recipeVersion + 1 })).not.toBe(key);
  });

  it('says how to build the images when the cache is empty', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'gb-images-empty-'));
    try {
      expect(() => findImages({ cacheDir: empty })).toThrow(CapabilityError);
      expect(() => findImages({ cacheDir: empty })).toThrow(
        expect.objectContaining({ fix: 'run `guestbench images build`' }),
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('build-output parsers', () => {
  it('reads free space from dumpe2fs -h and versions from dpkg-query', () => {
    expect(
      parseExt4Free(
        'Block count:              1179648\nFree blocks:              1068613\nBlock size:               4096\n',
      ),
    ).toBe(1068613 * 4096);
    expect(parsePackageList('sysbench\t1.0.20+ds-5\nqemu-guest-agent\t1:7.2+dfsg-7\n\n')).toEqual({
      sysbench: '1.0.20+ds-5',
      'qemu-guest-agent': '1:7.2+dfsg-7',
    });
  });
});

describe.skipIf(skipReason !== undefined)('guest image set (real build cache and Docker engine)', () => {
  it('returns a cache hit in well under a second, and findImages agrees', async () => {
    const started = performance.now();
    const again = await buildImages();
    const ms = performance.now() - started;
    console.log(`cached buildImages(): ${ms.toFixed(1)} ms`);
    expect(ms).toBeLessThan(1000);
    expect(again).toEqual(images);
    expect(findImages()).toEqual(images);
  });

  it('writes a valid manifest describing what is inside', () => {
    const set = images!;
    const manifest = set.manifest;
    expect(checkManifest(manifest)).toEqual([]);
    expect(manifest.key).toBe(recipeKey());
    expect(set.key).toBe(manifest.key);
    expect(set.dir).toBe(path.dirname(set.disk));
    expect(path.isAbsolute(set.kernel) && path.isAbsolute(set.initrd) && path.isAbsolute(set.disk)).toBe(true);
    expect(manifest.sysbenchVersion).toMatch(/^sysbench \d+\.\d+\.\d+$/);
    expect(manifest.kernel.release).toMatch(/-cloud-amd64$/);
    expect(manifest.packages[manifest.kernel.package]).toBe(manifest.kernel.version);
    for (const name of GUEST_PACKAGES) expect(Object.keys(manifest.packages)).toContain(name);
    expect(manifest.packages['systemd']).toBeUndefined();
    expect(manifest.docker?.excluded).toEqual(['/boot', '/usr/lib/modules']);
    expect(manifest.recipe).toEqual(GUEST_RECIPE);
  });

  it('makes a sparse ext4 disk with at least 2 GiB free', () => {
    const disk = statSync(images!.disk);
    expect(disk.size).toBe(images!.manifest.files.disk.bytes);
    expect(disk.blocks * 512).toBeLessThan(disk.size / 4);
    expect(images!.manifest.files.disk.freeBytes).toBeGreaterThanOrEqual(2 * 1024 ** 3);
    expect(statSync(images!.kernel).size).toBe(images!.manifest.files.kernel.bytes);
    expect(statSync(images!.initrd).size).toBe(images!.manifest.files.initrd.bytes);
  });

  it('has the Docker image of the same rootfs, with the same sysbench as the VM disk', async () => {
    const set = images!;
    expect(set.dockerImage).toBe(`guestbench/bookworm:${set.key}`);
    expect(await dockerImageId(set.dockerImage)).toBe(set.manifest.docker?.id);
    const docker = dockerClient();
    const container = await docker.createContainer({
      Image: set.dockerImage,
      Cmd: [
        'sh',
        '-c',
        'sysbench --version; find /boot /usr/lib/modules -mindepth 1 | wc -l; test -x /usr/local/sbin/guestbench-init && echo init',
      ],
      Tty: true,
      HostConfig: { NetworkMode: 'none' },
    });
    try {
      const wait = container.wait({ condition: 'next-exit' });
      await container.start();
      expect((await wait).StatusCode).toBe(0);
      const logs = (await container.logs({ stdout: true, stderr: true })).toString('utf8').replaceAll('\r', '');
      const [version, excludedEntries, init] = logs.trim().split('\n');
      expect(version?.split(' (')[0]).toBe(set.manifest.sysbenchVersion);
      // /boot and /usr/lib/modules exist in the container but are empty
      expect(excludedEntries).toBe('0');
      expect(init).toBe('init');
    } finally {
      await container.remove({ force: true });
    }
  });
});
