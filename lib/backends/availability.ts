/**
 * Decides which backends this host can run, and why not (each provider's check), and makes the
 * usable ones: shared by `guestbench doctor` and campaigns.
 */
import { findImages, type ImageSet } from '../images/index.js';
import type { BackendName } from '../model/backends.js';
import type { MissingCapability } from '../results/campaign-meta.js';
import type { Accel } from '../results/schema.js';
import { firstLine } from '../util/errors.js';
import type { Backend } from './guest.js';
import type { BackendCheck } from './provider.js';
import { backendProvider } from './registry.js';

export type { BackendCheck } from './provider.js';

/** The guest images when built, else undefined (with the reason). */
export function imagesIfBuilt(): { images?: ImageSet; reason?: string } {
  try {
    return { images: findImages() };
  } catch (error) {
    return { reason: firstLine(error) };
  }
}

/**
 * One backend's verdict on this host. `images`: the image set already looked up (undefined when
 * not built); when the key is absent, it is looked up here if the backend needs it.
 */
export async function checkBackend(
  name: BackendName,
  options: { images?: ImageSet | undefined; forceProbe?: boolean } = {},
): Promise<BackendCheck> {
  const provider = backendProvider(name);
  const images = 'images' in options ? options.images : provider.usesImages ? imagesIfBuilt().images : undefined;
  return await provider.check({ images, forceProbe: options.forceProbe });
}

/** Options that shape the backends a campaign uses. */
export interface BackendOptions {
  campaign: string;
  containerLimits: boolean;
}

/** A usable backend made as its check found it (accelerator, OCI runtime). */
export function createCheckedBackend(
  check: Extract<BackendCheck, { usable: true }>,
  images: ImageSet | undefined,
  options: BackendOptions,
): Backend {
  return backendProvider(check.backend).create({
    accel: check.accel,
    images,
    ...(check.runtime ? { runtime: check.runtime } : {}),
    ...options,
  });
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
  const images = names.some((name) => backendProvider(name).usesImages) ? imagesIfBuilt().images : undefined;
  const resolved: ResolvedBackends = { backends: {}, unusable: {}, accel: {}, missing: [], images };
  for (const name of names) {
    const check = await checkBackend(name, { images });
    resolved.missing.push(...check.notes);
    if (!check.usable) {
      resolved.unusable[name] = check.reason;
      resolved.missing.push({ capability: `backend:${name}`, reason: check.reason, fix: check.fix });
      continue;
    }
    resolved.accel[name] = check.accel;
    resolved.backends[name] = createCheckedBackend(check, images, options);
  }
  return resolved;
}
