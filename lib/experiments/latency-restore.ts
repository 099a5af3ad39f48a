/**
 * latency-restore (thesis section 5.0.3, Figure 5.2): start a guest from a saved state against a
 * cold boot of the same guest. Each repeat: cold-boot a guest (timed), save its state, restore a new
 * guest from it (timed), check that the restored guest is the saved one, stop both.
 *
 * "Ready" here is "the guest runs a command for us" (a restored guest does not print a boot marker
 * again: it is past that point). How the state is saved and restored is each backend's save/restore
 * capability (a VM: its memory and devices migrated to a file and loaded by a new QEMU; a container:
 * a CRIU checkpoint through the engine). Where the host cannot save and restore (no working CRIU,
 * an engine without its checkpoint API), restore_time rows are `unsupported` with the reason and
 * the cold start is still measured.
 */
import { randomBytes } from 'node:crypto';
import type { CapabilityCheck, RawRecord, SaveRestore, SaveRestoreCycle } from '../backends/capabilities.js';
import type { Backend } from '../backends/guest.js';
import { CAPABILITY_NAMES, type BackendName } from '../model/backends.js';
import type { MetricName, Sample } from '../results/schema.js';
import { writeRaw } from '../results/store.js';
import { recordJson } from '../util/clock.js';
import { AbortedError, GuestbenchError, firstLine } from '../util/errors.js';
import type { ExperimentContext } from './context.js';
import { guestsFor, peakLoads, type ExperimentDefinition } from './definition.js';
import { runLatencyLoop } from './latency.js';
import { okRows, valuelessRow, type MeasurementCell } from './latency-rows.js';
import { guestsPerKind, type ProfileName } from './profiles.js';

/** Parameters of a latency-restore campaign. */
export interface LatencyRestoreParams {
  /** guests already running while the measured one starts (default none) */
  guests: Partial<Record<BackendName, number[]>>;
  repeats: number;
  vcpus: number;
  memoryMiB: number;
  containerLimits: boolean;
  settleMs: number;
  readyTimeoutMs: number;
  /** bound on saving one guest's state, milliseconds */
  saveTimeoutMs: number;
}

const COMMON = {
  vcpus: 1,
  memoryMiB: 1024,
  containerLimits: false,
  readyTimeoutMs: 300_000,
  saveTimeoutMs: 300_000,
};

/**
 * latency-restore per profile (the thesis gives no repeat count for Figure 5.2: its chapter's 10).
 * The bare host is not a guest: its one N records that it cannot be saved.
 */
export const LATENCY_RESTORE_PROFILES: Record<
  ProfileName,
  Omit<LatencyRestoreParams, 'guests'> & { guests: Record<BackendName, number[]> }
> = {
  thesis: {
    ...COMMON,
    guests: guestsPerKind({ host: [0], container: [0], vm: [0] }),
    repeats: 10,
    settleMs: 3000,
  },
  quick: {
    ...COMMON,
    guests: guestsPerKind({ host: [0], container: [0], vm: [0] }),
    repeats: 3,
    settleMs: 1000,
  },
};

const PRIMARY: MetricName[] = ['cold_boot_time', 'restore_time'];

/** The file a restored guest must still hold: proof it is the saved one. */
const TOKEN_FILE = '/run/guestbench-token';

/** Cold start, save, restore of one guest, each timed by the backend's save/restore. */
async function measureRestore(
  context: ExperimentContext,
  params: LatencyRestoreParams,
  saveRestore: SaveRestore,
  usable: () => Promise<CapabilityCheck>,
  cell: MeasurementCell,
  name: string,
): Promise<Sample[]> {
  const spec = { name, vcpus: params.vcpus, memoryMiB: params.memoryMiB };
  const record: RawRecord = { readiness: saveRestore.readiness, method: saveRestore.method };
  const rawName = `${cell.experiment}-${cell.backend}-n${cell.guests}-r${cell.repeat}`;
  const rows: Sample[] = [];
  const finish = (): Sample[] => {
    const raw = writeRaw(context.store, rawName, recordJson(record));
    return rows.map((row) => ({ ...row, raw }));
  };
  const failed = (what: string, error: unknown): Sample[] => {
    if (context.signal.aborted) throw new AbortedError(`Campaign interrupted during ${what}`, { cause: error });
    record.error = String(error);
    const reason = `${what} failed: ${firstLine(error)}`;
    for (const metric of PRIMARY.filter((wanted) => !rows.some((row) => row.metric === wanted))) {
      rows.push(valuelessRow(cell, metric, 'errored', reason));
    }
    return finish();
  };
  let cycle: SaveRestoreCycle | undefined;
  try {
    cycle = await saveRestore.open();
    let cold;
    try {
      cold = await cycle.coldStart(spec, { timeoutMs: params.readyTimeoutMs, signal: context.signal });
    } catch (error) {
      return failed('cold boot', error);
    }
    Object.assign(record, cold.record);
    rows.push(...okRows(cell, cold.values));
    const check = await usable();
    record.saveRestoreCheck = check;
    if (!check.usable) {
      rows.push(
        valuelessRow(
          cell,
          'restore_time',
          'unsupported',
          `${CAPABILITY_NAMES.saveRestore} unavailable: ${check.reason}`,
        ),
      );
      return finish();
    }
    const token = randomBytes(8).toString('hex');
    try {
      const wrote = await cold.guest.exec(['sh', '-c', `echo ${token} >${TOKEN_FILE}`], {
        signal: context.signal,
        timeoutMs: 60_000,
      });
      if (wrote.exitCode !== 0)
        throw new GuestbenchError(
          `could not write the check token: exit code ${wrote.exitCode}: ${wrote.stderr.trim()}`,
        );
      const saved = await cycle.save(cold.guest, { timeoutMs: params.saveTimeoutMs, signal: context.signal });
      Object.assign(record, saved.record);
      rows.push(...okRows(cell, saved.values));
    } catch (error) {
      return failed('saving the state', error);
    }
    try {
      const restored = await cycle.restore(
        { ...spec, name: `${name}-restored` },
        { timeoutMs: params.readyTimeoutMs, signal: context.signal },
      );
      Object.assign(record, restored.record);
      const check = await restored.guest.exec(['cat', TOKEN_FILE], { signal: context.signal, timeoutMs: 60_000 });
      if (check.stdout.trim() !== token) {
        throw new GuestbenchError(
          `the restored guest is not the saved one: ${TOKEN_FILE} holds "${check.stdout.trim()}", expected ${token}`,
        );
      }
      record.check = 'the token written before the save was read back after the restore';
      rows.push(...okRows(cell, restored.values));
    } catch (error) {
      return failed('restore', error);
    }
    return finish();
  } finally {
    await cycle?.close();
  }
}

/** What the check of a backend's save/restore said, asked once per campaign, when its first guest needs it. */
function checkOnce(
  context: ExperimentContext,
  backend: Backend,
  saveRestore: SaveRestore,
): () => Promise<CapabilityCheck> {
  let answer: Promise<CapabilityCheck> | undefined;
  return () => {
    answer ??= saveRestore.check().then((check) => {
      if (!check.usable) {
        context.log(`latency-restore: ${backend.name} restore unsupported: ${check.reason}`);
        context.noteMissing({ capability: `save/restore:${backend.name}`, reason: check.reason, fix: check.fix });
      }
      return check;
    });
    return answer;
  };
}

export const latencyRestore: ExperimentDefinition<LatencyRestoreParams> = {
  name: 'latency-restore',
  summary: 'start from a saved state (VM snapshot, container CRIU checkpoint) against a cold boot',
  thesis: 'Figure 5.2',
  minGuests: 0,
  uses: ['saveRestore'],
  parameters(request) {
    const profile = LATENCY_RESTORE_PROFILES[request.profile];
    return { ...profile, guests: guestsFor(request, profile.guests), repeats: request.repeats ?? profile.repeats };
  },
  containerLimits: (params) => params.containerLimits,
  resources: (params) => ({
    loads: peakLoads(params.guests, params.memoryMiB, 1),
    disks: [],
    extraGuests: 'each N adds the one guest timed beside them',
  }),
  run: (context, params) => {
    const checks = new Map<Backend, () => Promise<CapabilityCheck>>();
    return runLatencyLoop(context, {
      experiment: 'latency-restore',
      guests: params.guests,
      repeats: params.repeats,
      vcpus: params.vcpus,
      memoryMiB: params.memoryMiB,
      settleMs: params.settleMs,
      readyTimeoutMs: params.readyTimeoutMs,
      requires: 'saveRestore',
      primaryMetrics: PRIMARY,
      measure: async (backend, cell, name) => {
        const saveRestore = backend.capabilities.saveRestore;
        if (!saveRestore) throw new GuestbenchError(`${backend.name} lacks ${CAPABILITY_NAMES.saveRestore}`);
        if (!checks.has(backend)) checks.set(backend, checkOnce(context, backend, saveRestore));
        return await measureRestore(
          context,
          params,
          saveRestore,
          checks.get(backend) as () => Promise<CapabilityCheck>,
          cell,
          name,
        );
      },
    });
  },
};
