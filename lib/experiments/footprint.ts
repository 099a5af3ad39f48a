/**
 * footprint (not in the thesis; it decides density): the host memory each running idle guest holds,
 * at N = 1, 2, 4, 8 guests, on every backend that can account for it (its memoryFootprint
 * capability). Each repeat: read the host's used memory, start N idle guests (as many at once as the
 * backend boots well in parallel), wait until all are ready and then `settleMs` more, read each
 * guest's account (a VM: QEMU's PSS; a container: its cgroup plus its engine process) and the host's
 * used memory again, and stop them. The difference in host memory over N counts what no per-guest
 * account sees (engine bookkeeping, page cache, kernel structures).
 */
import { readFileSync } from 'node:fs';
import type { Backend, Guest, GuestSpec } from '../backends/guest.js';
import type { BackendName } from '../model/backends.js';
import { okRow, valuelessRow, type RowFields } from '../results/rows.js';
import type { Sample } from '../results/schema.js';
import { writeRaw } from '../results/store.js';
import { pause, recordJson } from '../util/clock.js';
import { AbortedError, GuestbenchError, ParseError, firstLine } from '../util/errors.js';
import { cellFields, runCells, type Cell, type CellGroup } from './cell-loop.js';
import type { ExperimentContext } from './context.js';
import { guestsFor, peakLoads, type ExperimentDefinition } from './definition.js';
import { guestsPerKind, type ProfileName } from './profiles.js';

/** Parameters of a footprint campaign. */
export interface FootprintParams {
  guests: Partial<Record<BackendName, number[]>>;
  repeats: number;
  vcpus: number;
  memoryMiB: number;
  /** idle time after the last guest is ready, before reading, milliseconds */
  settleMs: number;
  readyTimeoutMs: number;
  /** what is read, in words */
  method: string;
}

const COMMON = {
  vcpus: 1,
  memoryMiB: 1024,
  readyTimeoutMs: 300_000,
  method:
    "per guest: the backend's memory account (campaign.json `methods`); per cell: (MemTotal - MemAvailable after) - (before) over N, from /proc/meminfo",
};

const CONTAINERS = [1, 2, 4, 8];

/** footprint per profile: the bare host is the baseline, so its one N records that it holds no guest. */
export const FOOTPRINT_PROFILES: Record<
  ProfileName,
  Omit<FootprintParams, 'guests'> & { guests: Record<BackendName, number[]> }
> = {
  thesis: {
    ...COMMON,
    guests: guestsPerKind({ host: [1], container: CONTAINERS, vm: [1, 2, 4, 8] }),
    repeats: 5,
    settleMs: 5000,
  },
  quick: {
    ...COMMON,
    guests: guestsPerKind({ host: [1], container: CONTAINERS, vm: [1, 2, 4] }),
    repeats: 2,
    settleMs: 2000,
  },
};

/** The host's used memory (MemTotal - MemAvailable) from /proc/meminfo text, bytes. */
export function usedMemory(meminfo: string): number {
  const field = (name: string): number => {
    const kb = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(meminfo)?.[1];
    if (kb === undefined) throw new ParseError(`no ${name} in /proc/meminfo`);
    return Number(kb) * 1024;
  };
  return field('MemTotal') - field('MemAvailable');
}

function hostUsed(): number {
  return usedMemory(readFileSync('/proc/meminfo', 'utf8'));
}

/** Starts the specs `parallel` at a time until every guest is ready; on a failure stops those started and throws. */
async function startIdle(
  backend: Backend,
  specs: readonly GuestSpec[],
  parallel: number,
  params: FootprintParams,
  signal: AbortSignal,
): Promise<Guest[]> {
  const started: Guest[] = [];
  try {
    for (let index = 0; index < specs.length; index += parallel) {
      await Promise.all(
        specs.slice(index, index + parallel).map(async (spec) => {
          const guest = await backend.start(spec, { signal });
          started.push(guest);
          await guest.waitReady({ signal, timeoutMs: params.readyTimeoutMs });
        }),
      );
    }
    return started;
  } catch (error) {
    await Promise.allSettled(started.map((guest) => guest.stop()));
    throw error;
  }
}

async function measureFootprint(
  context: ExperimentContext,
  params: FootprintParams,
  backend: Backend,
  cell: Cell,
): Promise<Sample[]> {
  const footprint = backend.capabilities.memoryFootprint;
  if (!footprint) throw new GuestbenchError(`${backend.name} has no memory account`);
  const fields = (guest: number, raw?: string): RowFields => ({
    ...cellFields(context, 'footprint', cell),
    guest,
    ...(raw === undefined ? {} : { raw }),
  });
  const specs: GuestSpec[] = Array.from({ length: cell.guests }, (_, index) => ({
    name: `${context.store.id.slice(-4)}-fp-${backend.name}-n${cell.guests}-r${cell.repeat}-g${index + 1}`,
    vcpus: params.vcpus,
    memoryMiB: params.memoryMiB,
  }));
  const before = hostUsed();
  let guests: Guest[] = [];
  try {
    guests = await startIdle(
      backend,
      specs,
      backend.capabilities.startTiming?.parallelStarts ?? 4,
      params,
      context.signal,
    );
    await pause(params.settleMs, context.signal);
    const accounts = await Promise.allSettled(guests.map((guest) => footprint.measure(guest)));
    const after = hostUsed();
    const raw = writeRaw(
      context.store,
      `footprint-${backend.name}-n${cell.guests}-r${cell.repeat}`,
      recordJson({
        hostUsedBefore: before,
        hostUsedAfter: after,
        guests: accounts.map((account, index) => ({
          name: specs[index]?.name,
          ...(account.status === 'fulfilled' ? account.value.record : { error: String(account.reason) }),
        })),
      }),
    );
    const at = new Date().toISOString();
    const rows: Sample[] = accounts.flatMap((account, index): Sample[] =>
      account.status === 'fulfilled'
        ? account.value.values.map(([metric, value]) => okRow(fields(index + 1, raw), metric, value, at))
        : [valuelessRow(fields(index + 1, raw), 'memory_footprint', 'errored', firstLine(account.reason), at)],
    );
    rows.push(okRow(fields(0, raw), 'host_memory_per_guest', (after - before) / cell.guests, at));
    return rows;
  } catch (error) {
    if (context.signal.aborted)
      throw new AbortedError('Campaign interrupted during a footprint measurement', { cause: error });
    return [valuelessRow(fields(0), 'memory_footprint', 'errored', firstLine(error))];
  } finally {
    await Promise.allSettled(guests.map((guest) => guest.stop()));
  }
}

/** "memory_footprint 12.3 12.1 MiB, host 14.0 MiB per guest": the log's words for one repeat. */
function describeRepeat(rows: readonly Sample[]): string {
  const mib = (value: number): string => (value / 2 ** 20).toFixed(1);
  const each = rows.flatMap((row) => (row.metric === 'memory_footprint' && row.state === 'ok' ? [mib(row.value)] : []));
  const host = rows.find((row) => row.metric === 'host_memory_per_guest' && row.state === 'ok');
  const failed = rows.find((row) => row.state !== 'ok');
  return `memory_footprint ${each.join(' ')} MiB${host?.value !== null && host?.value !== undefined ? `, host ${mib(host.value)} MiB per guest` : ''}${failed ? `; ${failed.state}: ${failed.reason ?? ''}` : ''}`;
}

async function runFootprint(context: ExperimentContext, params: FootprintParams): Promise<void> {
  const groups: CellGroup[] = Object.entries(params.guests).flatMap(([backend, counts]) =>
    (counts ?? []).map((guests) => ({ backend: backend as BackendName, guests, repeats: params.repeats })),
  );
  await runCells(context, {
    experiment: 'footprint',
    groups,
    requires: 'memoryFootprint',
    valuelessRows: (cell, state, reason) => [
      valuelessRow({ ...cellFields(context, 'footprint', cell), guest: 0 }, 'memory_footprint', state, reason),
    ],
    openGroup: async (backend) => ({
      measure: (cell) => measureFootprint(context, params, backend, cell),
      close: async () => {},
    }),
    describe: describeRepeat,
  });
}

export const footprint: ExperimentDefinition<FootprintParams> = {
  name: 'footprint',
  summary: 'host memory held per running idle guest at N = 1, 2, 4, 8 (QEMU PSS; container cgroup + engine process)',
  thesis: 'not in the thesis: what decides how many guests fit',
  minGuests: 1,
  uses: ['memoryFootprint'],
  parameters(request) {
    const profile = FOOTPRINT_PROFILES[request.profile];
    return { ...profile, guests: guestsFor(request, profile.guests), repeats: request.repeats ?? profile.repeats };
  },
  containerLimits: () => false,
  resources: (params) => ({ loads: peakLoads(params.guests, params.memoryMiB), disks: [] }),
  run: runFootprint,
};
