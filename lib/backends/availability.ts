/**
 * Decides which backends this host can run, and why not: shared by `guestbench doctor` and campaigns.
 */
import * as fs from 'node:fs';
import { execa } from 'execa';
import { findImages, type ImageSet } from '../images/index.js';
import type { MissingCapability } from '../results/campaign-meta.js';
import type { Accel, BackendName } from '../results/schema.js';
import { GuestbenchError, firstLine } from '../util/errors.js';
import { withTimeout } from '../util/signals.js';
import { probeAccelCached } from './accel-probe.js';
import { dockerClient } from './docker-client.js';
import { DockerBackend } from './docker.js';
import type { Backend } from './guest.js';
import { KvmBackend } from './kvm.js';
import { NativeBackend } from './native.js';

/** One backend's verdict. */
export type BackendCheck =
  | { backend: BackendName; usable: true; accel: Accel; detail: string; notes: MissingCapability[] }
  | { backend: BackendName; usable: false; reason: string; fix: string; notes: MissingCapability[] };

function describe(error: unknown): { reason: string; fix: string } {
  const reason = firstLine(error);
  const fix = error instanceof GuestbenchError && error.fix ? error.fix : 'see `guestbench doctor`';
  return { reason, fix };
}

/** Is sysbench on the host's PATH? */
export async function checkNative(): Promise<BackendCheck> {
  const result = await execa('sysbench', ['--version'], { reject: false });
  if (result.exitCode !== 0) {
    return {
      backend: 'native',
      usable: false,
      reason: 'sysbench is not installed on the host',
      fix: 'apt-get install sysbench (or run `bash scripts/setup.sh`)',
      notes: [],
    };
  }
  return { backend: 'native', usable: true, accel: 'none', detail: result.stdout.trim(), notes: [] };
}

/** Does a Docker engine answer, and does it have the guest image? */
export async function checkDocker(images: ImageSet | undefined): Promise<BackendCheck> {
  try {
    const version = await withTimeout(dockerClient().version(), 5000, 'no answer within 5 s');
    if (!images) {
      return {
        backend: 'docker',
        usable: false,
        reason: `Docker engine ${version.Version} answers but the guest images are not built`,
        fix: 'run `guestbench images build`',
        notes: [],
      };
    }
    try {
      await dockerClient().getImage(images.dockerImage).inspect();
    } catch {
      return {
        backend: 'docker',
        usable: false,
        reason: `the Docker engine has no image ${images.dockerImage}`,
        fix: 'run `guestbench images build` (it re-imports the image)',
        notes: [],
      };
    }
    return {
      backend: 'docker',
      usable: true,
      accel: 'none',
      detail: `engine ${version.Version}, image ${images.dockerImage}`,
      notes: [],
    };
  } catch (error) {
    const socket = process.env.DOCKER_HOST ?? '/var/run/docker.sock';
    const reason = fs.existsSync(socket.replace(/^unix:\/\//, ''))
      ? `the Docker engine at ${socket} does not answer: ${describe(error).reason}`
      : `no Docker engine: ${socket} does not exist`;
    return {
      backend: 'docker',
      usable: false,
      reason,
      fix: 'install docker.io and start dockerd (`bash scripts/setup.sh` does both)',
      notes: [],
    };
  }
}

/**
 * Can QEMU boot the guest, and with which accelerator? Boots a real probe guest under -accel kvm
 * (cached per host kernel, QEMU and image); falls back to TCG and says why.
 */
export async function checkKvm(
  images: ImageSet | undefined,
  options: { forceProbe?: boolean } = {},
): Promise<BackendCheck> {
  const qemu = await execa('qemu-system-x86_64', ['--version'], { reject: false });
  if (qemu.exitCode !== 0) {
    return {
      backend: 'kvm',
      usable: false,
      reason: 'qemu-system-x86_64 is not installed',
      fix: 'apt-get install qemu-system-x86 qemu-utils (or run `bash scripts/setup.sh`)',
      notes: [],
    };
  }
  if (!images) {
    return {
      backend: 'kvm',
      usable: false,
      reason: 'the guest images (kernel, initrd, disk) are not built',
      fix: 'run `guestbench images build`',
      notes: [],
    };
  }
  try {
    const probe = await probeAccelCached(images, { force: options.forceProbe });
    if (probe.state === 'errored') {
      return {
        backend: 'kvm',
        usable: false,
        reason: `QEMU boots the guest neither with KVM nor with TCG: ${probe.reason}`,
        fix: 'run `guestbench images build --force`, then `guestbench doctor`; the VM console log named above says where the boot stopped',
        notes: [],
      };
    }
    const notes: MissingCapability[] = probe.kvm.usable
      ? []
      : [
          {
            capability: 'kvm-acceleration',
            reason: probe.kvm.reason,
            fix: 'run on a host with VT-x/AMD-V exposed to Linux (bare metal or nested virtualisation enabled); VMs run under TCG software emulation meanwhile',
          },
        ];
    const detail = probe.kvm.usable
      ? 'KVM acceleration boots the probe guest'
      : 'TCG fallback: -accel kvm did not boot the probe guest (why: see note)';
    return { backend: 'kvm', usable: true, accel: probe.accel, detail, notes };
  } catch (error) {
    return { backend: 'kvm', usable: false, ...describe(error), notes: [] };
  }
}

/** The guest images when built, else undefined (with the reason). */
export function imagesIfBuilt(): { images?: ImageSet; reason?: string } {
  try {
    return { images: findImages() };
  } catch (error) {
    return { reason: describe(error).reason };
  }
}

/** Options that shape the backends a campaign uses. */
export interface BackendOptions {
  campaign: string;
  containerLimits: boolean;
}

/** What a campaign can run with. */
export interface ResolvedBackends {
  backends: Partial<Record<BackendName, Backend>>;
  unusable: Partial<Record<BackendName, string>>;
  accel: Partial<Record<BackendName, Accel>>;
  missing: MissingCapability[];
  images: ImageSet | undefined;
}

/** Checks each requested backend and builds the usable ones. */
export async function resolveBackends(
  names: readonly BackendName[],
  options: BackendOptions,
): Promise<ResolvedBackends> {
  const images = names.some((name) => name !== 'native') ? imagesIfBuilt().images : undefined;
  const resolved: ResolvedBackends = { backends: {}, unusable: {}, accel: {}, missing: [], images };
  for (const name of names) {
    const check =
      name === 'native' ? await checkNative() : name === 'docker' ? await checkDocker(images) : await checkKvm(images);
    resolved.missing.push(...check.notes);
    if (!check.usable) {
      resolved.unusable[name] = check.reason;
      resolved.missing.push({ capability: `backend:${name}`, reason: check.reason, fix: check.fix });
      continue;
    }
    resolved.accel[name] = check.accel;
    resolved.backends[name] = makeBackend(name, check.accel, images, options);
  }
  return resolved;
}

function makeBackend(name: BackendName, accel: Accel, images: ImageSet | undefined, options: BackendOptions): Backend {
  if (name === 'native') return new NativeBackend();
  if (!images) throw new Error('unreachable: images checked above');
  if (name === 'docker')
    return new DockerBackend({
      image: images.dockerImage,
      campaign: options.campaign,
      limits: options.containerLimits,
    });
  return new KvmBackend({ images, accel: accel === 'kvm' ? 'kvm' : 'tcg' });
}
