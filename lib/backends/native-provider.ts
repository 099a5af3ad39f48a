/**
 * The bare host's provider: usable when sysbench is on the host's PATH.
 */
import { execa } from 'execa';
import { backendDescriptor } from '../model/backends.js';
import { HOST_DIRECTORY_SCRATCH, NativeBackend } from './native.js';
import type { BackendProvider } from './provider.js';

export const nativeProvider: BackendProvider<'native'> = {
  name: 'native',
  usesImages: false,
  scratch: HOST_DIRECTORY_SCRATCH,
  async check() {
    const result = await execa('sysbench', ['--version'], { reject: false });
    if (result.exitCode !== 0) {
      return {
        backend: 'native',
        usable: false,
        reason: 'sysbench is not installed on the host',
        fix: backendDescriptor('native').setup,
        notes: [],
      };
    }
    return { backend: 'native', usable: true, accel: 'none', detail: result.stdout.trim(), notes: [] };
  },
  create: () => new NativeBackend(),
};
