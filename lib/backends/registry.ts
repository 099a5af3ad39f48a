/**
 * Every backend's provider, by name: the one table the runner, doctor and cleanup walk. Adding a
 * backend is its own files, a row in lib/model/backends.ts and a row here; the type checker points
 * at anything else that needs it (a profile's guest counts, say).
 */
import { BACKEND_NAMES, type BackendName } from '../model/backends.js';
import { dockerProvider } from './docker-provider.js';
import { kvmProvider } from './kvm-provider.js';
import { lxcProvider } from './lxc-provider.js';
import { microvmProvider } from './microvm-provider.js';
import { nativeProvider } from './native-provider.js';
import { podmanProvider } from './podman-provider.js';
import type { BackendProvider } from './provider.js';

const PROVIDERS: { readonly [Name in BackendName]: BackendProvider<Name> } = {
  native: nativeProvider,
  docker: dockerProvider,
  podman: podmanProvider,
  lxc: lxcProvider,
  kvm: kvmProvider,
  microvm: microvmProvider,
};

/** The provider of `name`. */
export function backendProvider(name: BackendName): BackendProvider {
  return PROVIDERS[name];
}

/** Every provider, in legend order. */
export function backendProviders(): BackendProvider[] {
  return BACKEND_NAMES.map((name) => PROVIDERS[name]);
}
