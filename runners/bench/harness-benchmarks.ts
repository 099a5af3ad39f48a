/**
 * The repository's speed targets, measured as ratios in one run (`npm run bench`):
 * (a) harness overhead: sysbench cpu events/s through the native backend vs the same command run directly;
 * (b) container start to first output: the docker backend (create, attach, start, until the
 *     container's process prints its ready marker) vs `docker run --rm IMAGE echo ready` (the same
 *     steps through the docker CLI, until `ready` arrives on its stdout).
 * (c) VM start from a saved state vs a cold boot of the same guest (the thesis saw about 3x): the
 *     cold boot's time over the restore's, each until the guest agent answers.
 * It lives in runners/ because its baseline is the docker CLI, which lib/ never calls.
 */
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { dockerEngine } from '../../lib/backends/docker-provider.js';
import { DockerBackend, removeLeftoverContainers } from '../../lib/backends/docker.js';
import { NativeBackend } from '../../lib/backends/native.js';
import { KvmBackend } from '../../lib/backends/kvm.js';
import {
  createSnapshotDir,
  loadVmState,
  removeSnapshot,
  restoreFrom,
  saveVmState,
  snapshotSource,
} from '../../lib/backends/kvm-snapshot.js';
import type { ImageSet } from '../../lib/images/index.js';
import { cpuCommand, parseCpuOutput, type CpuParams } from '../../lib/workloads/sysbench-cpu.js';
import { pairedRatio, type RatioResult } from './ratio.js';

const BENCH_CPU: CpuParams = { maxPrime: 10000, events: 2000, threads: 1 };

/** (a) events/s through NativeBackend.exec divided by events/s of the same argv spawned directly. */
export async function harnessOverhead(pairs = 5): Promise<RatioResult> {
  const argv = cpuCommand(BENCH_CPU);
  const guest = await new NativeBackend().start({ name: 'bench', vcpus: 1, memoryMiB: 1024 });
  try {
    return await pairedRatio({
      name: '(a) harness overhead, sysbench cpu events/s: native backend / direct',
      a: {
        label: 'NativeBackend.exec(sysbench cpu ...)',
        run: async () => parseCpuOutput((await guest.exec(argv)).stdout).eventsPerSecond,
      },
      b: {
        label: `${argv.join(' ')} spawned directly`,
        run: async () => parseCpuOutput((await execa(argv[0] as string, argv.slice(1))).stdout).eventsPerSecond,
      },
      unit: 'events/s',
      pairs,
      target: { op: '>=', value: 0.98 },
    });
  } finally {
    await guest.stop();
  }
}

/** Seconds from spawning `docker run --rm IMAGE echo ready` until "ready" arrives on its stdout. */
function dockerRunFirstOutput(image: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('docker', ['run', '--rm', image, 'echo', 'ready'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let seen: number | undefined;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      if (seen === undefined && chunk.toString().includes('ready'))
        seen = Number(process.hrtime.bigint() - started) / 1e9;
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    // wait for --rm to finish so the next round starts on a clean engine (not timed)
    child.on('close', (code) =>
      seen !== undefined ? resolve(seen) : reject(new Error(`docker run exited with code ${code}: ${stderr.trim()}`)),
    );
  });
}

/** (b) seconds from DockerBackend.start() to the container's first output, over the CLI's. */
export async function containerStart(image: string, pairs = 15): Promise<RatioResult> {
  const backend = new DockerBackend({ engine: dockerEngine('runc'), image, campaign: 'bench' });
  let round = 0;
  try {
    return await pairedRatio({
      name: '(b) container start to first output: docker backend / docker run --rm',
      a: {
        label: 'DockerBackend.start() until the container printed its ready marker',
        run: async () => {
          const started = process.hrtime.bigint();
          const guest = await backend.start({ name: `bench-${process.pid}-${round++}`, vcpus: 1, memoryMiB: 1024 });
          try {
            await guest.waitReady({ timeoutMs: 30_000 });
            return Number(process.hrtime.bigint() - started) / 1e9;
          } finally {
            await guest.stop();
          }
        },
      },
      b: { label: `docker run --rm ${image} echo ready`, run: () => dockerRunFirstOutput(image) },
      unit: 's',
      pairs,
      target: { op: '<=', value: 1.0 },
    });
  } finally {
    await removeLeftoverContainers('bench');
  }
}

/**
 * (c) seconds from launch until the guest agent answers: a cold boot over a restore from a saved
 * state of the same guest (one snapshot, made first and not timed; both from its disk overlay with
 * throwaway writes). Target: at least the thesis's ~3x.
 */
export async function vmRestoreVsColdBoot(images: ImageSet, accel: 'kvm' | 'tcg', pairs = 3): Promise<RatioResult> {
  const kvm = new KvmBackend({ images, accel });
  const snapshot = await createSnapshotDir(images);
  const spec = (what: string) => ({ name: `bench-${what}-${process.pid}-${round++}`, vcpus: 1, memoryMiB: 1024 });
  let round = 0;
  try {
    const source = await snapshotSource(kvm, snapshot).start(spec('source'));
    try {
      await source.waitReady();
      await saveVmState(source, snapshot);
    } finally {
      await source.stop();
    }
    const cold = kvm.derive({ rootDisk: { file: snapshot.overlay, format: 'qcow2', snapshot: true } });
    const restore = restoreFrom(kvm, snapshot);
    return await pairedRatio({
      name: `(c) VM start until the agent answers (${accel}): cold boot / restore from a saved state`,
      a: {
        label: 'cold boot (KvmBackend.start until the guest agent answers)',
        run: async () => {
          const started = process.hrtime.bigint();
          const guest = await cold.start(spec('cold'));
          try {
            await guest.waitReady();
            return Number((guest.readyNs ?? process.hrtime.bigint()) - started) / 1e9;
          } finally {
            await guest.stop();
          }
        },
      },
      b: {
        label: 'restore (QEMU -incoming defer, migrate-incoming, cont, until the guest agent answers)',
        run: async () => {
          const started = process.hrtime.bigint();
          const guest = await restore.start(spec('restore'));
          try {
            await loadVmState(guest, snapshot);
            await guest.waitReady();
            return Number((guest.readyNs ?? process.hrtime.bigint()) - started) / 1e9;
          } finally {
            await guest.stop();
          }
        },
      },
      unit: 's',
      pairs,
      target: { op: '>=', value: 3 },
    });
  } finally {
    await removeSnapshot(snapshot);
  }
}
