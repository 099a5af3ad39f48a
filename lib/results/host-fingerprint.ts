/**
 * Reads the host's fingerprint for campaign.json (and the notebook's Table 4.1 comparison).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostFingerprint } from './campaign-meta.js';

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function cpuTopology(cpuinfo: string): { cores: number | null; threadsPerCore: number | null } {
  const blocks = cpuinfo.split(/\n\n+/).filter((block) => block.includes('processor'));
  const coreKeys = new Set<string>();
  for (const block of blocks) {
    const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (physical === undefined || core === undefined) return { cores: null, threadsPerCore: null };
    coreKeys.add(`${physical}:${core}`);
  }
  if (coreKeys.size === 0) return { cores: null, threadsPerCore: null };
  return { cores: coreKeys.size, threadsPerCore: Math.round(blocks.length / coreKeys.size) };
}

function kvmModule(): string | null {
  if (!fs.existsSync('/dev/kvm')) return null;
  // /sys/module lists built-in modules too, unlike /proc/modules (absent on some kernels)
  const found = ['kvm_intel', 'kvm_amd', 'kvm_pvm'].find((name) => fs.existsSync(`/sys/module/${name}`));
  return found ?? 'kvm (vendor module unknown)';
}

function diskOf(directory: string): HostFingerprint['disk'] {
  try {
    const { dev } = fs.statSync(directory);
    const major = Math.floor(dev / 256);
    const minor = dev % 256;
    const sysDev = `/sys/dev/block/${major}:${minor}`;
    const resolved = fs.realpathSync(sysDev);
    // a partition's device directory sits inside its disk's directory
    const diskDir = fs.existsSync(path.join(resolved, 'partition')) ? path.dirname(resolved) : resolved;
    const sectors = Number(readText(path.join(diskDir, 'size')) ?? NaN);
    const rotational = readText(path.join(diskDir, 'queue', 'rotational'));
    return {
      device: path.basename(diskDir),
      model: readText(path.join(diskDir, 'device', 'model'))?.trim() || null,
      sizeGiB: Number.isFinite(sectors) ? Math.round((sectors * 512) / 2 ** 30) : null,
      rotational: rotational === null ? null : rotational.trim() === '1',
    };
  } catch {
    return { device: null, model: null, sizeGiB: null, rotational: null };
  }
}

/** Fingerprints this host; `resultsDir` picks the disk to describe. */
export function hostFingerprint(resultsDir: string = process.cwd()): HostFingerprint {
  const cpuinfo = readText('/proc/cpuinfo') ?? '';
  const osRelease = readText('/etc/os-release') ?? '';
  return {
    hostname: os.hostname(),
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    ...cpuTopology(cpuinfo),
    memoryMiB: Math.round(os.totalmem() / 2 ** 20),
    os: /^PRETTY_NAME="?([^"\n]+)"?/m.exec(osRelease)?.[1] ?? `${os.type()} ${os.release()}`,
    kernel: os.release(),
    arch: os.arch(),
    disk: diskOf(fs.existsSync(resultsDir) ? resultsDir : process.cwd()),
    kvmModule: kvmModule(),
  };
}
