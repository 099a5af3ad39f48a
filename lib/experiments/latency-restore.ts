/**
 * latency-restore (thesis section 5.0.3, Figure 5.2): start a guest from a saved state against a
 * cold boot of the same guest. Each repeat: cold-boot a guest (timed), save its state, restore a new
 * guest from it (timed), check that the restored guest is the saved one, stop both.
 *
 * "Ready" here is "the guest runs a command for us" (a restored guest does not print a boot marker
 * again: it is past that point): VM: the guest agent answers (guest-sync + guest-ping); container:
 * the engine runs `true` in it (exec). Both cold_boot_time and restore_time end there.
 *
 * - VM: the cold boot runs from its own qcow2 overlay; saving pauses it and migrates its state to
 *   `exec:cat > FILE`; the restore starts QEMU with the same devices and `-incoming defer`, loads the
 *   state (`migrate-incoming "exec:cat FILE"`) and resumes it (lib/backends/kvm-snapshot.ts).
 * - Container: Docker's checkpoint API (CRIU). Where the engine is not experimental or CRIU does
 *   not work on this kernel, restore_time rows are `unsupported` with the reason (the cold start is
 *   still measured).
 */
import { randomBytes } from 'node:crypto';
import { checkContainerCheckpoint, restoreContainerFromCheckpoint, type CheckpointSupport } from '../backends/criu.js';
import { DockerBackend, containerCommand } from '../backends/docker.js';
import { KvmBackend } from '../backends/kvm.js';
import {
  createSnapshotDir,
  loadVmState,
  removeSnapshot,
  restoreFrom,
  saveVmState,
  snapshotSource,
} from '../backends/kvm-snapshot.js';
import { writeRaw } from '../results/store.js';
import type { MetricName, Sample } from '../results/schema.js';
import { AbortedError, GuestbenchError, firstLine } from '../util/errors.js';
import type { ExperimentContext } from './context.js';
import type { ExperimentDefinition } from './definition.js';
import { latencyGuests, runLatencyLoop, type GuestBackendName, type MeasureOne } from './latency.js';
import { eventsForRecord, measureContainerBoot, measureVmBoot, recordJson } from './latency-measure.js';
import { containerBootValues, okRows, seconds, valuelessRow, vmBootValues } from './latency-rows.js';
import type { ProfileName } from './profiles.js';

/** What "ready" means in latency-restore. */
export const RESTORE_READINESS_DEFINITION =
  'ready = the guest runs a command for us: VM: the guest agent answers guest-sync-delimited and guest-ping; container: the engine runs `true` in it (exec API). ' +
  'cold_boot_time = launch request -> ready; restore_time = restore request (QEMU with -incoming defer / container start from a checkpoint) -> ready; monotonic clock.';

/** How each kind is saved and restored. */
export const RESTORE_METHODS = {
  kvm:
    'disk: qcow2 overlay over the image disk; save: QMP stop, migrate (max-bandwidth unthrottled) to "exec:cat > state" (QEMU 7.2 has no file: URI), then quit; ' +
    'restore: same QEMU command line with the overlay under a throwaway layer (snapshot=on) and -incoming defer, migrate-incoming "exec:cat state", cont; ' +
    'check: a token written to /run (tmpfs) before the save is read back after the restore',
  docker:
    'Docker checkpoint API (CRIU): create a checkpoint with exit, then start the container from it; needs dockerd --experimental and a CRIU that passes `criu check`',
} as const;

/** Parameters of a latency-restore campaign. */
export interface LatencyRestoreParams {
  /** guests already running while the measured one starts (default none) */
  guests: Partial<Record<GuestBackendName, number[]>>;
  repeats: number;
  vcpus: number;
  memoryMiB: number;
  containerLimits: boolean;
  readiness: string;
  restore: { kvm: string; docker: string };
  containerMainProcess: string[];
  settleMs: number;
  readyTimeoutMs: number;
}

const COMMON = {
  vcpus: 1,
  memoryMiB: 1024,
  containerLimits: false,
  readiness: RESTORE_READINESS_DEFINITION,
  restore: { ...RESTORE_METHODS },
  containerMainProcess: containerCommand(true),
  readyTimeoutMs: 300_000,
};

/** latency-restore per profile (the thesis gives no repeat count for Figure 5.2: its chapter's 10). */
export const LATENCY_RESTORE_PROFILES: Record<
  ProfileName,
  Omit<LatencyRestoreParams, 'guests'> & { guests: Record<GuestBackendName, number[]> }
> = {
  thesis: { ...COMMON, guests: { kvm: [0], docker: [0] }, repeats: 10, settleMs: 3000 },
  quick: { ...COMMON, guests: { kvm: [0], docker: [0] }, repeats: 3, settleMs: 1000 },
};

const PRIMARY: MetricName[] = ['cold_boot_time', 'restore_time'];

/** Cold boot, save, restore of one VM. */
function measureVm(context: ExperimentContext, params: LatencyRestoreParams, kvm: KvmBackend): MeasureOne {
  return async (cell, name) => {
    const spec = { name, vcpus: params.vcpus, memoryMiB: params.memoryMiB };
    const record: Record<string, unknown> = { readiness: params.readiness, method: params.restore.kvm };
    const rawName = `${cell.experiment}-kvm-n${cell.guests}-r${cell.repeat}`;
    const failed = (what: string, error: unknown, measured: Sample[] = []): Sample[] => {
      if (context.signal.aborted) throw new AbortedError(`Campaign interrupted during ${what}`, { cause: error });
      record.error = String(error);
      const raw = writeRaw(context.store, rawName, recordJson(record));
      const reason = `${what} failed: ${firstLine(error)}`;
      const missing = PRIMARY.filter((metric) => !measured.some((row) => row.metric === metric));
      return [
        ...measured.map((row) => ({ ...row, raw })),
        ...missing.map((metric) => valuelessRow({ ...cell, raw }, metric, 'errored', reason)),
      ];
    };
    const snapshot = await createSnapshotDir(kvm.images);
    try {
      let cold;
      try {
        cold = await measureVmBoot(snapshotSource(kvm, snapshot), spec, {
          timeoutMs: params.readyTimeoutMs,
          signal: context.signal,
        });
      } catch (error) {
        return failed('cold boot', error);
      }
      const times = cold.times;
      record.coldBoot = times;
      record.command = cold.guest.command;
      const coldRows = okRows(cell, [
        ['cold_boot_time', seconds(times.requestedNs, times.agentNs)],
        ...vmBootValues(times).filter(([metric]) => metric !== 'boot_time'),
      ]);
      const token = randomBytes(8).toString('hex');
      let saveRows: Sample[];
      try {
        const wrote = await cold.guest.exec(['sh', '-c', `echo ${token} >/run/guestbench-token`], {
          signal: context.signal,
          timeoutMs: 60_000,
        });
        if (wrote.exitCode !== 0)
          throw new GuestbenchError(
            `could not write the check token: exit code ${wrote.exitCode}: ${wrote.stderr.trim()}`,
          );
        const saved = await saveVmState(cold.guest, snapshot, { signal: context.signal });
        record.save = {
          startedNs: saved.startedNs,
          savedNs: saved.savedNs,
          bytes: saved.bytes,
          migration: saved.migration,
        };
        saveRows = okRows(cell, [
          ['snapshot_save_time', seconds(saved.startedNs, saved.savedNs)],
          ['snapshot_size', saved.bytes],
        ]);
      } catch (error) {
        return failed('saving the state', error, coldRows);
      } finally {
        await cold.guest.stop();
      }
      const restoredSpec = { ...spec, name: `${name}-restored` };
      const requestedNs = process.hrtime.bigint();
      let restored;
      try {
        restored = await restoreFrom(kvm, snapshot).start(restoredSpec, { signal: context.signal });
      } catch (error) {
        return failed('restore', error, [...coldRows, ...saveRows]);
      }
      try {
        const qmpNs = restored.qmpReadyNs ?? requestedNs;
        const load = await loadVmState(restored, snapshot, { signal: context.signal });
        await restored.waitReady({ signal: context.signal, timeoutMs: params.readyTimeoutMs });
        const readyNs = restored.readyNs ?? process.hrtime.bigint();
        record.restore = { requestedNs, qmpNs, ...load, readyNs, command: restored.command };
        const check = await restored.exec(['cat', '/run/guestbench-token'], {
          signal: context.signal,
          timeoutMs: 60_000,
        });
        if (check.stdout.trim() !== token)
          throw new GuestbenchError(
            `the restored guest is not the saved one: /run/guestbench-token holds "${check.stdout.trim()}", expected ${token}`,
          );
        record.check = 'the token written before the save was read back after the restore';
        const restoreRows = okRows(cell, [
          ['restore_time', seconds(requestedNs, readyNs)],
          ['restore_vmm', seconds(requestedNs, qmpNs)],
          ['restore_state_load', seconds(qmpNs, load.loadedNs)],
          ['restore_agent', seconds(load.loadedNs, readyNs)],
        ]);
        const raw = writeRaw(context.store, rawName, recordJson(record));
        return [...coldRows, ...saveRows, ...restoreRows].map((row) => ({ ...row, raw }));
      } catch (error) {
        return failed('restore', error, [...coldRows, ...saveRows]);
      } finally {
        await restored.stop();
      }
    } finally {
      await removeSnapshot(snapshot);
    }
  };
}

/** Cold start of one container; its restore from a checkpoint where the host supports it. */
function measureContainer(
  context: ExperimentContext,
  params: LatencyRestoreParams,
  docker: DockerBackend,
  support: () => Promise<CheckpointSupport>,
): MeasureOne {
  return async (cell, name) => {
    const spec = { name, vcpus: params.vcpus, memoryMiB: params.memoryMiB };
    const record: Record<string, unknown> = { readiness: params.readiness, method: params.restore.docker };
    const rawName = `${cell.experiment}-docker-n${cell.guests}-r${cell.repeat}`;
    let boot;
    try {
      boot = await measureContainerBoot(docker, spec, { timeoutMs: params.readyTimeoutMs, signal: context.signal });
    } catch (error) {
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted during a start', { cause: error });
      const raw = writeRaw(context.store, rawName, recordJson({ ...record, error: String(error) }));
      return PRIMARY.map((metric) =>
        valuelessRow({ ...cell, raw }, metric, 'errored', `cold start failed: ${firstLine(error)}`),
      );
    }
    const rows: Sample[] = [];
    try {
      const answered = await boot.guest.exec(['true'], { signal: context.signal, timeoutMs: 60_000 });
      if (answered.exitCode !== 0) throw new GuestbenchError(`exec true exited with code ${answered.exitCode}`);
      record.coldBoot = { ...boot.times, execAnsweredNs: answered.endedNs };
      rows.push(
        ...okRows(cell, [
          ['cold_boot_time', seconds(boot.times.requestedNs, answered.endedNs)],
          ...containerBootValues(boot.times).filter(([metric]) => metric !== 'boot_time'),
          ['phase_agent', seconds(boot.times.markerNs, answered.endedNs)],
        ]),
      );
      const checkpoint = await support();
      record.checkpointSupport = checkpoint;
      if (!checkpoint.supported) {
        rows.push(
          valuelessRow(
            cell,
            'restore_time',
            'unsupported',
            `container checkpoint/restore unavailable: ${checkpoint.reason}`,
          ),
        );
      } else {
        try {
          const restored = await restoreContainerFromCheckpoint(boot.guest, { signal: context.signal });
          record.restore = restored;
          rows.push(...okRows(cell, [['restore_time', seconds(restored.requestedNs, restored.readyNs)]]));
        } catch (error) {
          if (context.signal.aborted) throw error;
          rows.push(valuelessRow(cell, 'restore_time', 'errored', `checkpoint/restore failed: ${firstLine(error)}`));
        }
      }
    } catch (error) {
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted', { cause: error });
      for (const metric of PRIMARY.filter((wanted) => !rows.some((row) => row.metric === wanted)))
        rows.push(valuelessRow(cell, metric, 'errored', firstLine(error)));
    } finally {
      await boot.guest.stop();
      boot.events.close();
    }
    record.engineEvents = eventsForRecord(boot.events.events);
    const raw = writeRaw(context.store, rawName, recordJson(record));
    return rows.map((row) => ({ ...row, raw }));
  };
}

export const latencyRestore: ExperimentDefinition<LatencyRestoreParams> = {
  name: 'latency-restore',
  summary: 'start from a saved state (VM snapshot, container CRIU checkpoint) against a cold boot',
  thesis: 'Figure 5.2',
  minGuests: 0,
  parameters(request) {
    const profile = LATENCY_RESTORE_PROFILES[request.profile];
    return { ...profile, guests: latencyGuests(request, profile.guests), repeats: request.repeats ?? profile.repeats };
  },
  containerLimits: (params) => params.containerLimits,
  run: (context, params) => {
    if (context.backends.native || context.unusable.native !== undefined)
      context.log('latency-restore: native: not applicable (the bare host does not boot); skipped');
    // asked once per campaign, when the first container needs it
    let support: Promise<CheckpointSupport> | undefined;
    const checkpointSupport = () => {
      support ??= checkContainerCheckpoint().then((result) => {
        if (!result.supported) {
          context.log(`latency-restore: docker restore unsupported: ${result.reason}`);
          context.noteMissing({
            capability: 'container-checkpoint',
            reason: result.reason,
            fix: 'a CRIU that passes `criu check` on this kernel (CRIU 4.x) and dockerd started with --experimental',
          });
        }
        return result;
      });
      return support;
    };
    return runLatencyLoop(context, {
      experiment: 'latency-restore',
      guests: params.guests,
      repeats: params.repeats,
      vcpus: params.vcpus,
      memoryMiB: params.memoryMiB,
      settleMs: params.settleMs,
      readyTimeoutMs: params.readyTimeoutMs,
      primaryMetrics: PRIMARY,
      backgroundBackend: (name, backend) =>
        name === 'docker' && backend instanceof DockerBackend ? backend.derive({ exitOnSigterm: true }) : backend,
      measure: (name, backend) => {
        if (name === 'kvm' && backend instanceof KvmBackend) return measureVm(context, params, backend);
        if (name === 'docker' && backend instanceof DockerBackend)
          return measureContainer(context, params, backend.derive({ exitOnSigterm: true }), checkpointSupport);
        throw new GuestbenchError(`latency-restore: unexpected backend ${name}`);
      },
    });
  },
};
