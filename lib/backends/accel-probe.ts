/**
 * Which accelerator really boots a guest on this host? `/dev/kvm` existing is not enough (a nested or
 * paravirtual KVM such as kvm_pvm can accept `-accel kvm` and then hang the guest kernel), so the probe
 * boots the real guest image under `-accel kvm` and waits, briefly, for its agent; failing that it
 * checks that TCG boots it. The answer is cached per host kernel, QEMU version and image.
 *
 * ```ts
 * const probe = await probeAccelCached(images);
 * if (probe.state === 'ok') new KvmBackend({ images, accel: probe.accel });
 * ```
 */
import { constants, existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { resolveCacheDir, type ImageSet } from '../images/find-images.js';
import { AbortedError } from '../util/errors.js';
import { KvmBackend, qemuVersion, type KvmGuest } from './kvm.js';
import { GUEST_READY_MARKER } from '../images/recipe.js';

/** The verdict on one accelerator. */
export interface AccelCheck {
  usable: boolean;
  /** why (specific: missing device, permission, module, timeout with the last console line, QEMU's error) */
  reason: string;
  /** QEMU launch to guest-agent answer, milliseconds (when it booted) */
  bootMs?: number;
}

/** What the probe result is valid for. */
export interface AccelProbeKey {
  /** host `uname -r` */
  hostKernel: string;
  /** qemu-system-x86_64 version */
  qemu: string;
  /** guest image recipe key */
  imageKey: string;
}

/** The probe's answer: the accelerator to use, or that neither boots the guest. */
export type AccelProbe =
  | {
      state: 'ok';
      accel: 'kvm' | 'tcg';
      kvm: AccelCheck;
      /** present when KVM was unusable and TCG was tried */
      tcg?: AccelCheck;
      key: AccelProbeKey;
      /** ISO-8601 time of the probe */
      probedAt: string;
      /** true when read from accel-probe.json instead of probed now */
      cached: boolean;
    }
  | {
      state: 'errored';
      accel: null;
      kvm: AccelCheck;
      tcg: AccelCheck;
      /** why no accelerator works */
      reason: string;
      key: AccelProbeKey;
      probedAt: string;
      cached: false;
    };

/** Options of {@link probeAccel}. */
export interface ProbeOptions {
  /** how long the KVM guest gets to answer, milliseconds (default 25 000; a KVM boot takes ~1 s) */
  timeoutMs?: number;
  /** how long the TCG guest gets to answer, milliseconds (default 120 000) */
  tcgTimeoutMs?: number;
  signal?: AbortSignal;
  qemuBinary?: string;
  /** parent of the probe VM's run directory (default: the kvm backend's) */
  runDir?: string;
}

/** Static facts about KVM on this host, before booting anything. */
export interface KvmHostFacts {
  /** /dev/kvm exists */
  device: boolean;
  /** /dev/kvm opens read-write for this user */
  accessible: boolean;
  /** the error text when it does not */
  accessError?: string;
  /** loaded KVM vendor modules (kvm_intel, kvm_amd, kvm_pvm...) */
  modules: string[];
  /** the CPU advertises vmx or svm to this kernel */
  cpuFlag: 'vmx' | 'svm' | null;
}

/** Looks at /dev/kvm, /sys/module and /proc/cpuinfo. */
export async function kvmHostFacts(): Promise<KvmHostFacts> {
  const device = existsSync('/dev/kvm');
  let accessible = false;
  let accessError: string | undefined;
  if (device) {
    try {
      await (await open('/dev/kvm', constants.O_RDWR)).close();
      accessible = true;
    } catch (error) {
      accessError = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    }
  }
  const modules = ['kvm_intel', 'kvm_amd', 'kvm_pvm', 'kvm_hv'].filter((name) => existsSync(`/sys/module/${name}`));
  let cpuFlag: KvmHostFacts['cpuFlag'] = null;
  try {
    const flags = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.split(/\s+/) ?? [];
    cpuFlag = flags.includes('vmx') ? 'vmx' : flags.includes('svm') ? 'svm' : null;
  } catch {
    // not Linux
  }
  return { device, accessible, accessError, modules, cpuFlag };
}

/** Why KVM cannot even be tried, or undefined when it can. */
export function kvmStaticProblem(facts: KvmHostFacts): string | undefined {
  if (!facts.device) {
    return facts.cpuFlag
      ? `no /dev/kvm although the CPU has ${facts.cpuFlag}: the kvm_intel/kvm_amd module is not loaded`
      : 'no /dev/kvm: the CPU exposes no hardware virtualisation (vmx/svm) to this kernel';
  }
  if (!facts.accessible) {
    return facts.accessError === 'EACCES' || facts.accessError === 'EPERM'
      ? 'permission denied opening /dev/kvm: run as root or add the user to the kvm group'
      : `cannot open /dev/kvm: ${facts.accessError ?? 'unknown error'}`;
  }
  return undefined;
}

function describeModules(facts: KvmHostFacts): string {
  if (facts.modules.includes('kvm_pvm')) return 'KVM module is kvm_pvm (paravirtual KVM, no hardware virtualisation)';
  if (facts.modules.length > 0) return `KVM module ${facts.modules.join(', ')}`;
  return 'no KVM vendor module found in /sys/module';
}

/** Boots the probe guest under `-accel kvm` (and TCG if needed). The probe VM is always stopped. */
export async function probeAccel(images: ImageSet, options: ProbeOptions = {}): Promise<AccelProbe> {
  const key = await probeKey(images, options.qemuBinary);
  const probedAt = new Date().toISOString();
  const facts = await kvmHostFacts();
  const staticProblem = kvmStaticProblem(facts);
  const kvmTimeoutMs = options.timeoutMs ?? 25_000;
  const kvm: AccelCheck = staticProblem
    ? { usable: false, reason: staticProblem }
    : await bootCheck(images, 'kvm', kvmTimeoutMs, options, describeModules(facts));
  if (kvm.usable) return { state: 'ok', accel: 'kvm', kvm, key, probedAt, cached: false };
  const tcg = await bootCheck(images, 'tcg', options.tcgTimeoutMs ?? 120_000, options, 'software emulation');
  if (tcg.usable) return { state: 'ok', accel: 'tcg', kvm, tcg, key, probedAt, cached: false };
  return {
    state: 'errored',
    accel: null,
    kvm,
    tcg,
    reason: `neither KVM (${kvm.reason}) nor TCG (${tcg.reason}) boots the guest image ${images.key}`,
    key,
    probedAt,
    cached: false,
  };
}

/** Options of {@link probeAccelCached}. */
export interface CachedProbeOptions extends ProbeOptions {
  /** cache root holding accel-probe.json (default: as for images) */
  cacheDir?: string;
  /** probe again even when a result for this host kernel, QEMU and image is cached */
  force?: boolean;
}

/**
 * {@link probeAccel}, reusing `<cacheDir>/accel-probe.json` when it was made for the same host kernel,
 * QEMU version and image key. Errored probes are not cached.
 */
export async function probeAccelCached(images: ImageSet, options: CachedProbeOptions = {}): Promise<AccelProbe> {
  const file = path.join(resolveCacheDir(options.cacheDir), 'accel-probe.json');
  const key = await probeKey(images, options.qemuBinary);
  if (!options.force) {
    const cached = await readCached(file, key);
    if (cached) return cached;
  }
  const result = await probeAccel(images, options);
  if (result.state === 'ok') {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.tmp-${process.pid}`;
    await writeFile(temp, `${JSON.stringify({ key, result }, null, 2)}\n`);
    await rename(temp, file);
  }
  return result;
}

async function readCached(file: string, key: AccelProbeKey): Promise<AccelProbe | undefined> {
  try {
    const stored = JSON.parse(await readFile(file, 'utf8')) as { key?: AccelProbeKey; result?: AccelProbe };
    const same =
      stored.key?.hostKernel === key.hostKernel && stored.key.qemu === key.qemu && stored.key.imageKey === key.imageKey;
    if (!same || stored.result?.state !== 'ok') return undefined;
    return { ...stored.result, cached: true };
  } catch {
    return undefined;
  }
}

async function probeKey(images: ImageSet, qemuBinary: string | undefined): Promise<AccelProbeKey> {
  return { hostKernel: os.release(), qemu: await qemuVersion(qemuBinary), imageKey: images.key };
}

async function bootCheck(
  images: ImageSet,
  accel: 'kvm' | 'tcg',
  timeoutMs: number,
  options: ProbeOptions,
  context: string,
): Promise<AccelCheck> {
  const backend = new KvmBackend({ images, accel, runDir: options.runDir, qemuBinary: options.qemuBinary });
  let guest: KvmGuest | undefined;
  try {
    guest = await backend.start(
      { name: `accel-probe-${accel}-${process.pid}`, vcpus: 1, memoryMiB: 512 },
      { signal: options.signal },
    );
    await guest.waitReady({ timeoutMs, signal: options.signal });
    const bootMs = Number((guest.readyNs ?? process.hrtime.bigint()) - guest.launchedNs) / 1e6;
    return {
      usable: true,
      reason: `the guest agent answered ${(bootMs / 1000).toFixed(1)} s after launch; ${context}`,
      bootMs,
    };
  } catch (error) {
    if (error instanceof AbortedError) throw error;
    if (!guest) {
      // QEMU refused to start: its own words are the reason (not its command line, which every
      // campaign.json, doctor line and report page would otherwise repeat)
      const words = (error as Error).message.split('\n');
      const detail =
        words
          .slice(1)
          .filter((line) => !line.startsWith('command: '))
          .join(' ')
          .trim() || words[0];
      return { usable: false, reason: `qemu -accel ${accel} failed: ${detail}; ${context}` };
    }
    const console = await guest.consoleText();
    const lastLine = console
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .at(-1);
    const where = console.includes(GUEST_READY_MARKER)
      ? 'the guest reached its init but the agent did not answer'
      : console.trim() === ''
        ? 'the guest printed nothing on its console'
        : `the guest did not reach userspace; last console output: "${lastLine?.trim().slice(0, 120)}"`;
    const exited = /QEMU exited/.test((error as Error).message)
      ? `QEMU exited: ${(error as Error).message
          .split('\n')
          .slice(1)
          .filter((line) => !line.startsWith('command: '))
          .join(' ')
          .slice(0, 200)}; `
      : '';
    return {
      usable: false,
      reason: `${exited}no guest-agent answer within ${Math.round(timeoutMs / 1000)} s under -accel ${accel}: ${where}; ${context}`,
    };
  } finally {
    await guest?.stop();
  }
}
