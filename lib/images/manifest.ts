/**
 * The manifest written beside every built image: what was built from what, and what is inside.
 */
import { readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { ParseError } from '../util/errors.js';
import type { ImageRecipe } from './recipe.js';

/** Sizes of one file of the image set. */
export interface ImageFileInfo {
  /** file name inside the image directory */
  name: string;
  /** apparent size, bytes */
  bytes: number;
  /** space actually allocated on the host (the disk is sparse), bytes */
  allocatedBytes: number;
}

/** The Docker side of the image set. */
export interface DockerImageInfo {
  /** repository:tag */
  image: string;
  /** engine image id, sha256:... */
  id: string;
  /** image size as the engine reports it, bytes */
  sizeBytes: number;
  /** paths of the rootfs left out of the Docker image */
  excluded: readonly string[];
  /** ISO-8601 time of the import */
  importedAt: string;
}

/** manifest.json of one image directory. */
export interface ImageManifest {
  manifestVersion: 1;
  /** recipe key, 12 hex characters */
  key: string;
  recipe: ImageRecipe;
  /** ISO-8601 time the build finished */
  builtAt: string;
  /** wall time of the build, seconds */
  buildSeconds: number;
  /** host the image was built on */
  builtOn: { kernel: string; debootstrap: string; e2fsprogs: string };
  /** the guest kernel */
  kernel: {
    /** uname -r inside the VM, e.g. 6.1.0-50-cloud-amd64 */
    release: string;
    /** Debian package of that kernel and its version */
    package: string;
    version: string;
  };
  /** `sysbench --version` inside the image, e.g. "sysbench 1.0.20" */
  sysbenchVersion: string;
  /** every installed Debian package and its version */
  packages: Record<string, string>;
  files: {
    kernel: ImageFileInfo;
    initrd: ImageFileInfo;
    disk: ImageFileInfo & {
      /** filesystem of the disk (no partition table: the VM mounts /dev/vda) */
      filesystem: 'ext4';
      /** free space in the filesystem right after the build, bytes */
      freeBytes: number;
    };
    /** gzip'd tar of the rootfs minus `docker.excluded`, kept to re-import the Docker image */
    rootfsTar: ImageFileInfo;
  };
  /** null when the build ran without Docker */
  docker: DockerImageInfo | null;
}

/** Reads and checks a manifest.json; throws ParseError on anything malformed. */
export async function readManifest(path: string): Promise<ImageManifest> {
  return parseManifest(await readFile(path, 'utf8'), path);
}

/** {@link readManifest}, synchronously. */
export function readManifestSync(path: string): ImageManifest {
  return parseManifest(readFileSync(path, 'utf8'), path);
}

function parseManifest(text: string, path: string): ImageManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ParseError(`Image manifest is not JSON: ${path}`, {
      cause,
      fix: 'rebuild with `guestbench images build --force`',
    });
  }
  const problems = checkManifest(value);
  if (problems.length > 0) {
    throw new ParseError(`Image manifest is invalid: ${path}: ${problems.join('; ')}`, {
      fix: 'rebuild with `guestbench images build --force`',
    });
  }
  return value as ImageManifest;
}

/** Returns what is wrong with a parsed manifest (empty when it is valid). */
export function checkManifest(value: unknown): string[] {
  const problems: string[] = [];
  const m = value as Partial<ImageManifest> | null;
  if (typeof m !== 'object' || m === null) return ['not an object'];
  if (m.manifestVersion !== 1) problems.push(`manifestVersion is ${String(m.manifestVersion)}, expected 1`);
  if (typeof m.key !== 'string' || !/^[0-9a-f]{12}$/.test(m.key)) problems.push('key is not 12 hex characters');
  if (typeof m.recipe !== 'object' || m.recipe === null || !Array.isArray(m.recipe.packages))
    problems.push('recipe is missing');
  if (typeof m.builtAt !== 'string' || Number.isNaN(Date.parse(m.builtAt))) problems.push('builtAt is not a date');
  if (typeof m.kernel?.release !== 'string' || m.kernel.release === '') problems.push('kernel.release is missing');
  if (typeof m.sysbenchVersion !== 'string' || !m.sysbenchVersion.startsWith('sysbench '))
    problems.push('sysbenchVersion is missing');
  if (typeof m.packages !== 'object' || m.packages === null || Object.keys(m.packages).length === 0)
    problems.push('packages is empty');
  for (const name of ['kernel', 'initrd', 'disk', 'rootfsTar'] as const) {
    const file = m.files?.[name];
    if (typeof file?.name !== 'string' || typeof file.bytes !== 'number' || file.bytes <= 0)
      problems.push(`files.${name} is missing`);
  }
  if (m.docker !== null && (typeof m.docker?.image !== 'string' || typeof m.docker.id !== 'string'))
    problems.push('docker is malformed');
  return problems;
}

/** Writes a manifest atomically (temp file + rename). */
export async function writeManifest(path: string, manifest: ImageManifest): Promise<void> {
  const temp = `${path}.tmp-${process.pid}`;
  await writeFile(temp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(temp, path);
}
