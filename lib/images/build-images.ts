/**
 * Builds the guest image set from the recipe: one Debian rootfs (debootstrap), turned into a raw ext4
 * VM disk plus kernel and initramfs, and into a Docker image, so VMs and containers run the same bits.
 */
import { isProcessAlive } from '../util/signals.js';
import { createReadStream, createWriteStream } from 'node:fs';
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  open,
  readFile,
  readdir,
  rename,
  rm,
  stat,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { execa } from 'execa';
import { dockerClient } from '../util/docker-client.js';
import { AbortedError, CapabilityError, GuestbenchError } from '../util/errors.js';
import {
  IMAGE_FILES,
  dockerImageId,
  imageDir,
  readImageSet,
  resolveCacheDir,
  type CacheOptions,
  type ImageSet,
} from './find-images.js';
import { writeManifest, type DockerImageInfo, type ImageFileInfo, type ImageManifest } from './manifest.js';
import { DOCKER_REPOSITORY, GUEST_RECIPE, recipeKey, type ImageRecipe } from './recipe.js';

/** A step of the image build failed. */
export class ImageBuildError extends GuestbenchError {}

/** Options of {@link buildImages}. */
export interface BuildImagesOptions extends CacheOptions {
  /** rebuild even when the cache holds a complete image set */
  force?: boolean;
  /** progress lines ("debootstrap bookworm (about 1-3 min)") */
  log?: (line: string) => void;
  /** import the Docker image too (default true); without it the VM image is still built */
  docker?: boolean;
  /** aborts the build; temporary files are removed */
  signal?: AbortSignal;
}

const MiB = 1024 * 1024;

/**
 * Returns the image set of the recipe, building what is missing. A complete cached set (manifest and
 * Docker image present) returns at once; a set whose Docker image was deleted is re-imported from the
 * kept rootfs tarball; anything else is built from scratch in a temporary directory that is renamed
 * into place only when complete. Needs root (debootstrap, chroot).
 */
export async function buildImages(options: BuildImagesOptions = {}): Promise<ImageSet> {
  const recipe = options.recipe ?? GUEST_RECIPE;
  const key = recipeKey(recipe);
  const cacheDir = resolveCacheDir(options.cacheDir);
  const log = options.log ?? (() => {});
  const useDocker = options.docker ?? true;
  await mkdir(path.join(cacheDir, 'images'), { recursive: true });

  if (!options.force) {
    const ready = await fromCache(cacheDir, key, useDocker, log, options.signal);
    if (ready) return ready;
  }
  const release = await acquireLock(cacheDir, key, log, options.signal);
  try {
    // another process may have finished the same build while we waited for the lock
    if (!options.force) {
      const ready = await fromCache(cacheDir, key, useDocker, log, options.signal);
      if (ready) return ready;
    }
    await buildFromScratch(cacheDir, key, recipe, useDocker, log, options.signal);
  } finally {
    await release();
  }
  const set = readImageSet(cacheDir, key);
  if (!set) throw new ImageBuildError(`Image build finished but ${imageDir(cacheDir, key)} is incomplete`);
  return set;
}

// the cached set if usable, re-importing the Docker image from the kept tarball when only it is missing
async function fromCache(
  cacheDir: string,
  key: string,
  useDocker: boolean,
  log: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<ImageSet | undefined> {
  // a malformed manifest counts as no image: rebuild
  const set = readImageSetOrUndefined(cacheDir, key);
  if (!set) return undefined;
  if (!useDocker) return set;
  const id = await dockerImageId(set.dockerImage);
  if (id && set.manifest.docker?.id === id) return set;
  const tarball = path.join(set.dir, IMAGE_FILES.rootfsTar);
  try {
    await stat(tarball);
  } catch {
    return undefined;
  }
  log(`Docker image ${set.dockerImage} ${id ? 'differs from the manifest' : 'is missing'}: importing ${tarball}`);
  const docker = await importDockerImage(tarball, key, set.manifest.recipe, signal);
  const manifest: ImageManifest = { ...set.manifest, docker };
  await writeManifest(path.join(set.dir, IMAGE_FILES.manifest), manifest);
  return { ...set, manifest };
}

function readImageSetOrUndefined(cacheDir: string, key: string): ImageSet | undefined {
  try {
    return readImageSet(cacheDir, key);
  } catch {
    return undefined;
  }
}

async function buildFromScratch(
  cacheDir: string,
  key: string,
  recipe: ImageRecipe,
  useDocker: boolean,
  log: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  await preflight(useDocker);
  const startedAt = process.hrtime.bigint();
  const imagesDir = path.join(cacheDir, 'images');
  const work = await mkdtemp(path.join(imagesDir, `.build-${key}-`));
  const rootfs = path.join(work, 'rootfs');
  const buildLog = path.join(work, IMAGE_FILES.buildLog);
  const run = commandRunner(buildLog, signal);
  try {
    log(`Building guest image ${key} in ${work}`);
    log(`debootstrap --variant=${recipe.variant} ${recipe.suite} with ${recipe.packages.join(', ')} (about 1-3 min)`);
    await run('debootstrap', [
      `--variant=${recipe.variant}`,
      `--include=${recipe.packages.join(',')}`,
      recipe.suite,
      rootfs,
      recipe.mirror,
    ]);

    log('Installing the init script and rebuilding the initramfs with the virtio modules');
    const initPath = path.join(rootfs, recipe.initPath);
    await mkdir(path.dirname(initPath), { recursive: true });
    await writeFile(initPath, recipe.initScript, { mode: 0o755 });
    await chmod(initPath, 0o755);
    await configureInitramfs(rootfs, recipe.initramfsModules, recipe.initramfsScripts);
    await run('chroot', [rootfs, 'update-initramfs', '-u', '-k', 'all']);

    const kernelRelease = await findKernelRelease(rootfs);
    const packages = parsePackageList(
      (await run('chroot', [rootfs, 'dpkg-query', '-W', '-f', '${Package}\\t${Version}\\n'])).stdout,
    );
    const sysbenchVersion = (await run('chroot', [rootfs, 'sysbench', '--version'])).stdout.trim().split(' (')[0] ?? '';
    const kernelPackage = `linux-image-${kernelRelease}`;

    await copyFile(path.join(rootfs, 'boot', `vmlinuz-${kernelRelease}`), path.join(work, IMAGE_FILES.kernel));
    await copyFile(path.join(rootfs, 'boot', `initrd.img-${kernelRelease}`), path.join(work, IMAGE_FILES.initrd));
    await chmod(path.join(work, IMAGE_FILES.kernel), 0o644);
    await chmod(path.join(work, IMAGE_FILES.initrd), 0o644);

    // package caches and indexes are 100+ MiB and useless without network
    await run('sh', [
      '-c',
      'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/cache/apt/*.bin "$1"/var/lib/apt/lists/*',
      'sh',
      rootfs,
    ]);

    log(`Writing ${IMAGE_FILES.rootfsTar} (rootfs without ${recipe.dockerExcludes.join(', ')})`);
    await writeRootfsTarball(rootfs, path.join(work, IMAGE_FILES.rootfsTar), recipe.dockerExcludes, signal);

    log(`Making ${IMAGE_FILES.disk} (ext4, ${recipe.diskHeadroomMiB} MiB headroom)`);
    const disk = path.join(work, IMAGE_FILES.disk);
    const usedMiB = Number((await run('du', ['-s', '-m', '-x', rootfs])).stdout.split(/\s/)[0]);
    // inodes, journal and ext4 metadata take ~10% + 64 MiB beyond the files; round up to 64 MiB
    const sizeMiB = Math.ceil((usedMiB * 1.1 + 192 + recipe.diskHeadroomMiB) / 64) * 64;
    await (await open(disk, 'w')).close();
    await truncate(disk, sizeMiB * MiB);
    await run('mkfs.ext4', [
      '-q',
      '-F',
      '-L',
      'guestbench',
      '-m',
      '0',
      '-E',
      'lazy_itable_init=0,lazy_journal_init=0',
      '-d',
      rootfs,
      disk,
    ]);
    const freeBytes = parseExt4Free((await run('dumpe2fs', ['-h', disk])).stdout);
    if (freeBytes < recipe.diskHeadroomMiB * MiB) {
      throw new ImageBuildError(
        `Disk image has ${Math.round(freeBytes / MiB)} MiB free, expected at least ${recipe.diskHeadroomMiB}: ${disk}`,
      );
    }
    await rm(rootfs, { recursive: true, force: true });

    const previous = readImageSetOrUndefined(cacheDir, key);
    let docker: DockerImageInfo | null = null;
    if (useDocker) {
      log(`Importing Docker image ${DOCKER_REPOSITORY}:${key}`);
      docker = await importDockerImage(path.join(work, IMAGE_FILES.rootfsTar), key, recipe, signal);
      const oldId = previous?.manifest.docker?.id;
      if (oldId && oldId !== docker.id)
        await dockerClient()
          .getImage(oldId)
          .remove()
          .catch(() => {});
    }

    const manifest: ImageManifest = {
      manifestVersion: 1,
      key,
      recipe,
      builtAt: new Date().toISOString(),
      buildSeconds: Number(process.hrtime.bigint() - startedAt) / 1e9,
      builtOn: {
        kernel: os.release(),
        debootstrap: await hostPackageVersion('debootstrap'),
        e2fsprogs: await hostPackageVersion('e2fsprogs'),
      },
      kernel: { release: kernelRelease, package: kernelPackage, version: packages[kernelPackage] ?? '' },
      sysbenchVersion,
      packages,
      files: {
        kernel: await fileInfo(work, IMAGE_FILES.kernel),
        initrd: await fileInfo(work, IMAGE_FILES.initrd),
        disk: { ...(await fileInfo(work, IMAGE_FILES.disk)), filesystem: 'ext4', freeBytes },
        rootfsTar: await fileInfo(work, IMAGE_FILES.rootfsTar),
      },
      docker,
    };
    await writeManifest(path.join(work, IMAGE_FILES.manifest), manifest);

    // swap the finished directory in; a directory rename is atomic on one filesystem
    const target = imageDir(cacheDir, key);
    const trash = `${target}.old-${process.pid}`;
    await rename(target, trash).catch(() => {});
    await rename(work, target);
    await chmod(target, 0o755);
    await rm(trash, { recursive: true, force: true });
    log(`Guest image ${key} ready in ${target} (${manifest.buildSeconds.toFixed(0)} s)`);
  } catch (error) {
    if (signal?.aborted) throw new AbortedError(`Image build aborted: ${key}`, { cause: error });
    throw error;
  } finally {
    await removeBuildDir(work);
  }
}

/**
 * Removes a build directory, first unmounting anything still mounted inside it: debootstrap mounts
 * /proc and /sys in the target (and may bind-mount /dev), and a killed debootstrap can leave them
 * behind. A recursive delete must never walk into the host's /dev. @internal
 */
export async function removeBuildDir(dir: string): Promise<void> {
  const mounts = await mountsUnder(dir);
  for (const mount of mounts.sort((a, b) => b.length - a.length)) {
    await execa('umount', ['--lazy', mount], { reject: false });
  }
  const still = await mountsUnder(dir);
  if (still.length > 0) {
    throw new ImageBuildError(`Build directory still has mounts, not removing it: ${still.join(', ')}`, {
      fix: `umount them (umount -l), then remove ${dir}`,
    });
  }
  await rm(dir, { recursive: true, force: true });
}

async function mountsUnder(dir: string): Promise<string[]> {
  const table = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  // field 5 is the mount point, with spaces and the like octal-escaped
  return table
    .split('\n')
    .map((line) =>
      line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))),
    )
    .filter((mount): mount is string => mount !== undefined && (mount === dir || mount.startsWith(`${dir}/`)));
}

// root, the tools, and (when asked) a reachable engine, checked before minutes of debootstrap
async function preflight(useDocker: boolean): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new CapabilityError('Building guest images needs root (debootstrap, chroot)', {
      fix: 'run `guestbench images build` as root',
    });
  }
  const missing: string[] = [];
  for (const [tool, pkg] of [
    ['debootstrap', 'debootstrap'],
    ['mkfs.ext4', 'e2fsprogs'],
    ['dumpe2fs', 'e2fsprogs'],
    ['tar', 'tar'],
    ['chroot', 'coreutils'],
  ] as const) {
    if (!(await onPath(tool))) missing.push(pkg);
  }
  if (missing.length > 0) {
    throw new CapabilityError(`Missing tools for the image build: ${missing.join(', ')}`, {
      fix: `apt-get install ${[...new Set(missing)].join(' ')}`,
    });
  }
  if (useDocker) {
    try {
      await dockerClient().ping();
    } catch (cause) {
      throw new CapabilityError(`Docker engine did not answer: ${(cause as Error).message}`, {
        cause,
        fix: 'start the engine (`dockerd`), or build without Docker',
      });
    }
  }
}

async function onPath(tool: string): Promise<boolean> {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin']);
  for (const dir of dirs) {
    try {
      await stat(path.join(dir, tool));
      return true;
    } catch {
      // next
    }
  }
  return false;
}

type Runner = (file: string, args: readonly string[]) => Promise<{ stdout: string }>;

// runs a build command, appending its output to the build log; failures carry the log's tail
function commandRunner(buildLog: string, signal: AbortSignal | undefined): Runner {
  return async (file, args) => {
    const command = [file, ...args].join(' ');
    await writeFile(buildLog, `$ ${command}\n`, { flag: 'a' });
    const result = await execa(file, args, {
      reject: false,
      cancelSignal: signal,
      env: {
        LC_ALL: 'C',
        DEBIAN_FRONTEND: 'noninteractive',
        PATH: `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      },
      stdin: 'ignore',
    });
    await writeFile(buildLog, `${result.stdout}\n${result.stderr}\n`, { flag: 'a' });
    if (result.isCanceled) throw new AbortedError(`Image build aborted: ${command}`, { cause: signal?.reason });
    if (result.failed) {
      const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-15).join('\n');
      throw new ImageBuildError(`Command failed with exit code ${result.exitCode ?? '?'}: ${command}\n${tail}`, {
        cause: result,
        fix: file === 'debootstrap' ? 'check that the Debian mirror is reachable (apt-get update)' : undefined,
      });
    }
    return { stdout: result.stdout };
  };
}

// MODULES=list keeps the initramfs small (fast to load under TCG) with just what finds /dev/vda
async function configureInitramfs(
  rootfs: string,
  modules: readonly string[],
  scripts: Readonly<Record<string, string>>,
): Promise<void> {
  const etc = path.join(rootfs, 'etc/initramfs-tools');
  const conf = path.join(etc, 'initramfs.conf');
  const text = await readFile(conf, 'utf8');
  // gzip: the image has no zstd binary, and update-initramfs would fall back to gzip with a warning
  await writeFile(conf, text.replace(/^MODULES=.*$/m, 'MODULES=list').replace(/^COMPRESS=.*$/m, 'COMPRESS=gzip'));
  await writeFile(path.join(etc, 'modules'), `# guestbench: the root disk is virtio\n${modules.join('\n')}\n`);
  for (const [name, content] of Object.entries(scripts)) {
    const file = path.join(etc, 'scripts', name);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content, { mode: 0o755 });
    await chmod(file, 0o755);
  }
}

async function findKernelRelease(rootfs: string): Promise<string> {
  const kernels = (await readdir(path.join(rootfs, 'boot'))).filter((name) => name.startsWith('vmlinuz-')).sort();
  const latest = kernels.at(-1);
  if (!latest) throw new ImageBuildError(`No kernel in ${rootfs}/boot: is linux-image-* in the package list?`);
  return latest.slice('vmlinuz-'.length);
}

/** Parses `dpkg-query -W -f '${Package}\t${Version}\n'` into {package: version}. */
export function parsePackageList(text: string): Record<string, string> {
  const packages: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const [name, version] = line.split('\t');
    if (name && version) packages[name] = version;
  }
  return packages;
}

/** Free bytes of an ext4 filesystem from `dumpe2fs -h`. */
export function parseExt4Free(text: string): number {
  const field = (name: string): number => {
    const match = new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text);
    if (!match?.[1]) throw new ImageBuildError(`dumpe2fs output has no "${name}" field`);
    return Number(match[1]);
  };
  return field('Free blocks') * field('Block size');
}

async function writeRootfsTarball(
  rootfs: string,
  target: string,
  excludes: readonly string[],
  signal: AbortSignal | undefined,
): Promise<void> {
  // keep the excluded directories themselves (empty), drop their contents
  const args = ['--numeric-owner', '-C', rootfs, ...excludes.map((dir) => `--exclude=.${dir}/*`), '-cf', '-', '.'];
  const tar = execa('tar', args, { cancelSignal: signal, stdin: 'ignore', buffer: { stdout: false } });
  await Promise.all([pipeline(tar.stdout, createGzip({ level: 1 }), createWriteStream(target), { signal }), tar]);
}

/**
 * How a container engine turns the rootfs tarball into the guest image (`docker import --change`,
 * `podman import --change`): the same environment, command and label for every engine.
 */
export function containerImageChanges(key: string): string[] {
  return [
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'ENV LANG=C.UTF-8',
    'CMD ["/bin/bash"]',
    `LABEL org.guestbench.key=${key}`,
  ];
}

async function importDockerImage(
  tarball: string,
  key: string,
  recipe: ImageRecipe,
  signal: AbortSignal | undefined,
): Promise<DockerImageInfo> {
  const image = `${DOCKER_REPOSITORY}:${key}`;
  const docker = dockerClient();
  const stream = await docker.importImage(createReadStream(tarball), {
    repo: DOCKER_REPOSITORY,
    tag: key,
    changes: containerImageChanges(key),
    abortSignal: signal,
  });
  const output = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>((resolve, reject) => {
    docker.modem.followProgress(stream, (error: Error | null, result: unknown[]) =>
      error ? reject(error) : resolve(result as never),
    );
  });
  const failure = output.find((line) => line.error !== undefined || line.errorDetail !== undefined);
  if (failure)
    throw new ImageBuildError(`Docker import failed: ${image}: ${failure.error ?? failure.errorDetail?.message ?? ''}`);
  const info = await docker.getImage(image).inspect();
  return {
    image,
    id: info.Id,
    sizeBytes: info.Size,
    excluded: recipe.dockerExcludes,
    importedAt: new Date().toISOString(),
  };
}

async function fileInfo(dir: string, name: string): Promise<ImageFileInfo> {
  const info = await stat(path.join(dir, name));
  return { name, bytes: info.size, allocatedBytes: info.blocks * 512 };
}

async function hostPackageVersion(pkg: string): Promise<string> {
  const result = await execa('dpkg-query', ['-W', '-f', '${Version}', pkg], { reject: false });
  return result.failed ? 'unknown' : result.stdout;
}

/**
 * One build per key at a time: an exclusive lock file holding the builder's pid. A lock whose pid is
 * gone is stale and taken over; a live one is waited for (the other build's result is then reused).
 */
async function acquireLock(
  cacheDir: string,
  key: string,
  log: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<() => Promise<void>> {
  const lock = path.join(cacheDir, 'images', `${key}.lock`);
  let announced = false;
  for (;;) {
    try {
      const handle = await open(lock, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      // holding the lock, any other build directory of this key is left over from a crashed build
      const imagesDir = path.dirname(lock);
      for (const name of await readdir(imagesDir)) {
        if (name.startsWith(`.build-${key}-`) || name.startsWith(`${key}.old-`))
          await removeBuildDir(path.join(imagesDir, name));
      }
      return async () => {
        await unlink(lock).catch(() => {});
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
    if (!Number.isInteger(holder) || holder <= 0 || !isProcessAlive(holder)) {
      // a crashed builder, or a lock caught between create and write: give the writer a moment
      await new Promise((resolve) => setTimeout(resolve, 200));
      const again = Number((await readFile(lock, 'utf8').catch(() => '')).trim());
      if (again === holder) await unlink(lock).catch(() => {});
      continue;
    }
    if (!announced) {
      log(`Waiting for the build of ${key} running in process ${holder}`);
      announced = true;
    }
    if (signal?.aborted) throw new AbortedError(`Image build aborted while waiting for process ${holder}: ${key}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
