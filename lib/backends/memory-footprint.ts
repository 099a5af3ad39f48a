/**
 * The host memory one running guest holds (issue: "memory footprint per idle guest", which the thesis
 * never measured and which decides density), read from the kernel's own accounting:
 * - a VM: its QEMU process's proportional set size (PSS: private pages plus its share of shared
 *   ones) from /proc/PID/smaps_rollup, with RSS and the private pages beside it;
 * - a container: its memory cgroup's usage (the pages charged to it: its processes' anonymous memory,
 *   the page cache it brought in, kernel memory), plus the PSS of the engine's per-container process
 *   (containerd-shim for Docker, conmon for podman, LXC's monitor), the container init's parent.
 * Engine daemons shared by every guest (dockerd, containerd, podman's API service) are not a guest's.
 *
 * ```ts
 * const values = await vmFootprint(qemuPid);         // [['memory_footprint', 123456789], ['footprint_pss', ...], ...]
 * const values2 = await containerFootprint(initPid); // [['memory_footprint', ...], ['footprint_cgroup', ...], ...]
 * ```
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ParseError } from '../util/errors.js';
import type { MeasuredValues, RawRecord } from './capabilities.js';
import type { Guest } from './guest.js';

/** An account of the host memory a backend's guests hold. */
export interface MemoryFootprint {
  /** what is counted, in words (recorded with the campaign) */
  method: string;
  /** the guest's footprint now: memory_footprint (bytes) and its parts */
  measure(guest: Guest): Promise<{ values: MeasuredValues; record: RawRecord }>;
}

/** /proc/PID/smaps_rollup's fields, bytes. */
export type SmapsRollup = Record<string, number>;

/** Parses /proc/PID/smaps_rollup ("Pss:  346 kB" lines) into bytes per field. */
export function parseSmapsRollup(text: string): SmapsRollup {
  const fields: SmapsRollup = {};
  for (const match of text.matchAll(/^(\w+):\s+(\d+) kB$/gm)) fields[match[1] as string] = Number(match[2]) * 1024;
  if (fields.Pss === undefined || fields.Rss === undefined)
    throw new ParseError(`not a smaps_rollup (no Rss/Pss line): ${text.slice(0, 80)}`);
  return fields;
}

/** The memory cgroup of a process from /proc/PID/cgroup: v1's `memory` line, else the v2 (`0::`) path. */
export function parseMemoryCgroup(text: string): { version: 1 | 2; path: string } {
  const v1 = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/m.exec(text);
  if (v1) return { version: 1, path: v1[1] as string };
  const v2 = /^0::(.*)$/m.exec(text);
  if (v2) return { version: 2, path: v2[1] as string };
  throw new ParseError(`no memory cgroup in /proc/PID/cgroup: ${text.slice(0, 80)}`);
}

/** The usage file of a memory cgroup under `root` (v1: memory.usage_in_bytes, v2: memory.current). */
export function cgroupUsageFile(cgroup: { version: 1 | 2; path: string }, root = '/sys/fs/cgroup'): string {
  return cgroup.version === 1
    ? path.join(root, 'memory', cgroup.path, 'memory.usage_in_bytes')
    : path.join(root, cgroup.path, 'memory.current');
}

async function smaps(pid: number): Promise<SmapsRollup> {
  return parseSmapsRollup(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8'));
}

/** A process's parent pid (field 4 of /proc/PID/stat, after the parenthesised name). */
export async function parentPid(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(after[1]);
  if (!Number.isInteger(ppid)) throw new ParseError(`no parent pid in /proc/${pid}/stat`);
  return ppid;
}

async function commOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/comm`, 'utf8')).trim();
}

/** A VM's footprint: its QEMU process's PSS, RSS and private pages. */
export async function vmFootprint(qemuPid: number): Promise<{ values: MeasuredValues; record: RawRecord }> {
  const rollup = await smaps(qemuPid);
  const priv = (rollup.Private_Clean ?? 0) + (rollup.Private_Dirty ?? 0);
  return {
    values: [
      ['memory_footprint', rollup.Pss as number],
      ['footprint_pss', rollup.Pss as number],
      ['footprint_rss', rollup.Rss as number],
      ['footprint_private', priv],
    ],
    record: { qemuPid, smapsRollup: rollup },
  };
}

/** A container's footprint: its memory cgroup's usage plus the PSS of its engine process (the init's parent). */
export async function containerFootprint(initPid: number): Promise<{ values: MeasuredValues; record: RawRecord }> {
  const cgroup = parseMemoryCgroup(await readFile(`/proc/${initPid}/cgroup`, 'utf8'));
  const usageFile = cgroupUsageFile(cgroup);
  const usage = Number((await readFile(usageFile, 'utf8')).trim());
  if (!Number.isFinite(usage)) throw new ParseError(`not a number in ${usageFile}`);
  const shimPid = await parentPid(initPid);
  const shim = await smaps(shimPid);
  return {
    values: [
      ['memory_footprint', usage + (shim.Pss as number)],
      ['footprint_cgroup', usage],
      ['footprint_shim_pss', shim.Pss as number],
    ],
    record: { initPid, cgroup, usageFile, shim: { pid: shimPid, comm: await commOf(shimPid), smapsRollup: shim } },
  };
}

/** The words for a VM's account. */
export const VM_FOOTPRINT_METHOD =
  "the QEMU process's PSS from /proc/PID/smaps_rollup (guest RAM it touched, its own heap and code, its share of shared libraries); RSS and private pages beside it";

/** The words for a container's account (`shim`: the engine's per-container process). */
export function containerFootprintMethod(shim: string): string {
  return `the container's memory cgroup usage (v1 memory.usage_in_bytes or v2 memory.current: its processes' memory, page cache charged to it, kernel memory) + the PSS of ${shim} (the init's parent); engine daemons shared by all guests are not counted`;
}
