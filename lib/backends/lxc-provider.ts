/**
 * The lxc backend's provider: usable when LXC's tools are installed, the kernel has overlayfs, and
 * the guest images are built (the containers' rootfs is the image's, unpacked once per image key).
 */
import { existsSync, readFileSync } from 'node:fs';
import { backendDescriptor } from '../model/backends.js';
import type { BackendCheck, BackendProvider, CheckOptions } from './provider.js';
import {
  LXC_DIRECTORY_SCRATCH,
  LXC_ROOT,
  LxcBackend,
  baseRootfs,
  cgroupLayout,
  ensureBaseRootfs,
  lxcVersion,
  removeLeftoverContainers,
  staleBaseRootfs,
} from './lxc.js';
import { rmSync } from 'node:fs';

function hasOverlayfs(): boolean {
  try {
    return /\boverlay$/m.test(readFileSync('/proc/filesystems', 'utf8'));
  } catch {
    return false;
  }
}

export async function checkLxc({ images }: CheckOptions): Promise<BackendCheck> {
  const version = await lxcVersion();
  if (!version)
    return {
      backend: 'lxc',
      usable: false,
      reason: 'LXC is not installed',
      fix: backendDescriptor('lxc').setup,
      notes: [],
    };
  if (!images)
    return {
      backend: 'lxc',
      usable: false,
      reason: `LXC ${version} is installed but the guest images are not built`,
      fix: 'run `guestbench images build`',
      notes: [],
    };
  if (!hasOverlayfs())
    return {
      backend: 'lxc',
      usable: false,
      reason: 'the kernel has no overlayfs, which each container layers over the shared rootfs',
      fix: 'modprobe overlay',
      notes: [],
    };
  const unpacked = existsSync(baseRootfs(images)) ? 'unpacked' : 'unpacked on first start';
  return {
    backend: 'lxc',
    usable: true,
    accel: 'none',
    detail: `LXC ${version}, cgroup ${cgroupLayout()} keys, rootfs ${baseRootfs(images)} (${unpacked}), lxcpath ${LXC_ROOT}/containers`,
    notes: [],
  };
}

export const lxcProvider: BackendProvider<'lxc'> = {
  name: 'lxc',
  usesImages: true,
  scratch: LXC_DIRECTORY_SCRATCH,
  check: checkLxc,
  create({ images, campaign, containerLimits }) {
    if (!images) throw new Error('unreachable: the lxc check needs the images');
    return new LxcBackend({ images, campaign, limits: containerLimits });
  },
  async prepareImages(images, log) {
    await ensureBaseRootfs(images, log);
    for (const stale of staleBaseRootfs(images.key)) {
      log(`Removing the LXC rootfs of an older image: ${stale}`);
      rmSync(stale, { recursive: true, force: true });
    }
  },
  async cleanup({ campaign }) {
    const removed = await removeLeftoverContainers(campaign);
    return [`removed ${removed} LXC container(s) (their overlays unmounted) from ${LXC_ROOT}/containers`];
  },
};
