/**
 * Whether a density-fileio campaign's numbers measure storage or a page cache: from its recorded
 * parameters and the host's RAM, per backend and N. What decides it is the kind of guest: the bare
 * host and containers share the host's page cache; a VM has its own RAM, and the host caches its disk
 * too unless the disk is opened with cache=none.
 */
import { BACKEND_NAMES, backendDescriptor, type BackendName } from '../model/backends.js';
import type { DensityFileioParams } from '../results/parameters.js';

const MiB = 2 ** 20;
const GiB = 2 ** 30;

function gib(bytes: number): string {
  return `${(bytes / GiB).toFixed(bytes % GiB === 0 ? 0 : 2)} GiB`;
}

/** Whether a campaign's file I/O numbers can be served from a page cache, per backend and N. */
export interface CachingVerdict {
  backend: BackendName;
  guests: number;
  /** one guest's file set, bytes */
  fileSetBytes: number;
  /** true when no page cache on the path can hold the files (or O_DIRECT bypasses it) */
  defeated: boolean;
  /** in words, with the numbers */
  why: string;
}

/**
 * For each backend and N of a campaign: can the page cache (the VM's own, and the host's) hold the
 * file set, so that the numbers measure memory rather than storage? With O_DIRECT in the guest and
 * (for VMs) cache=none on the host, no cache is on the path. Otherwise the thesis's defence is size:
 * the files of all N guests together against the host's RAM (containers and native share the
 * host's page cache; VMs use their own RAM, and the host's too unless the disk is cache=none).
 */
export function cachingAssessment(params: DensityFileioParams, hostMemoryMiB: number): CachingVerdict[] {
  const hostBytes = hostMemoryMiB * MiB;
  const hostCaches = params.scratch.cache !== 'none' && params.scratch.cache !== 'directsync';
  const verdicts: CachingVerdict[] = [];
  for (const backend of BACKEND_NAMES) {
    const kind = backendDescriptor(backend).kind;
    for (const guests of params.guests[backend] ?? []) {
      const fileSetBytes = kind === 'host' ? params.nativeFileTotalBytes : params.fileio.fileTotalBytes;
      const total = fileSetBytes * guests;
      let defeated: boolean;
      let why: string;
      if (params.fileio.direct && (kind !== 'vm' || !hostCaches)) {
        defeated = true;
        why =
          kind === 'vm'
            ? `O_DIRECT in the VM and cache=${params.scratch.cache} on the host: no page cache on the path`
            : 'O_DIRECT: the page cache is bypassed';
      } else if (kind === 'vm') {
        const guestBytes = params.memoryMiB * MiB;
        const guestCache = params.fileio.direct ? false : fileSetBytes <= guestBytes;
        const hostCache = hostCaches && total <= hostBytes;
        defeated = !guestCache && !hostCache;
        why = `${gib(fileSetBytes)} per VM vs ${gib(guestBytes)} VM RAM${params.fileio.direct ? ' (O_DIRECT in the VM)' : ''}; ${hostCaches ? `cache=${params.scratch.cache}: ${guests} x ${gib(fileSetBytes)} = ${gib(total)} vs ${gib(hostBytes)} host RAM` : `cache=${params.scratch.cache}: no host page cache`}`;
      } else {
        defeated = total > hostBytes;
        why = `${guests} x ${gib(fileSetBytes)} = ${gib(total)} of files vs ${gib(hostBytes)} host RAM (one shared page cache)`;
      }
      verdicts.push({ backend, guests, fileSetBytes, defeated, why });
    }
  }
  return verdicts;
}
