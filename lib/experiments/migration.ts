/**
 * migration (thesis chapter 6, Table 6.1, Figures 6.3-6.5): live-migrate one guest between two hosts
 * while an observer outside both probes a service in it, for the thesis's clean and loaded guest
 * configurations, on every backend that can be live-migrated (its liveMigration capability).
 *
 * Each repeat of a configuration: boot the guest on the source host, start the load if any and let
 * it run, make the target ready to receive it, probe the guest's echo service until it answers,
 * migrate over the shaped link, keep probing until the target answers, check that the guest runs a
 * command on the target, and stop both. How a backend moves its guest is its own (a VM: QEMU
 * pre-copy over QMP, the disk copied with the migration as the thesis's `--copy-storage-all` did, or
 * shared: lib/backends/kvm-live-migration.ts). The two hosts are network namespaces on this machine
 * (lib/network/host-pair.ts); docs/migration.md.
 */
import type { LiveMigration, MigrationOutcome, MigrationSession, RawRecord } from '../backends/capabilities.js';
import type { Backend } from '../backends/guest.js';
import { GUEST_ECHO_PORT } from '../images/recipe.js';
import {
  createHostPair,
  forgetGuestAddress,
  linkSentBytes,
  removeHostPair,
  type HostPair,
} from '../network/host-pair.js';
import { observerFigures, startObserver, type Observer, type ProbeLog } from '../network/observer.js';
import type { DiskMode, MigrationConfig, MigrationLoadSpec, MigrationParams } from '../results/parameters.js';
import { METRICS, type MeasuredBy, type MetricName, type Sample, type Unit } from '../results/schema.js';
import { writeRaw } from '../results/store.js';
import { pause, recordJson } from '../util/clock.js';
import { AbortedError, CapabilityError, GuestbenchError, UsageError, firstLine } from '../util/errors.js';
import { runCells, type Cell, type CellGroup } from './cell-loop.js';
import type { ExperimentContext } from './context.js';
import type { ExperimentDefinition, ParameterRequest } from './definition.js';
import { migrationConfigId, migrationRows, migrationValuelessRows, type MigrationCell } from './migration-rows.js';
import type { ProfileName } from './profiles.js';

export type { DiskMode, MigrationLoadSpec, MigrationParams };

/** What each disk mode does, in words (stored with the parameters). */
export const DISK_MODES: Record<DiskMode, string> = {
  copy: 'copied with the migration (QEMU block migration with zero-blocks, like virsh migrate --copy-storage-all in the thesis): the source boots from a qcow2 overlay over the image disk, the target starts on a blank qcow2 of the same size',
  shared:
    'one qcow2 overlay per repeat over the image disk, opened by both QEMUs (the target only once it takes over): storage both hosts see, not copied',
};

const OBSERVER_DEFINITION =
  "the observer (in the initial network namespace, outside both hosts) sends a UDP datagram to the guest's echo service every probeIntervalMs; " +
  'total_time (observer) = migration asked for -> first echo received after the switch-over to the target (a VM: QMP RESUME on the target; a container: its restore began); ' +
  'downtime (observer) = last echo received before the switch-over (from the source) -> that first echo from the target. ' +
  "QEMU's figures are the source's query-migrate at completion: total-time, downtime (the guest's pause), setup-time, ram transferred, dirty-sync-count, mbps.";

/** The loaded guests' CPU+memory load: one FFT worker and one 16 MiB memory-rewriting worker per vCPU. */
export const STRESS_LOAD: Omit<MigrationLoadSpec, 'warmupMs'> = {
  command: 'stress-ng --cpu {vcpus} --cpu-method fft --vm {vcpus} --vm-bytes 16M --vm-keep',
  note: 'stress-ng from Debian in place of mprime type 2 (in-place large FFTs: CPU-bound with some RAM): per vCPU one FFT worker and one worker rewriting 16 MiB',
};

function configs(load: MigrationConfig['load'], vcpus: number[], memoryMiB: number[]): MigrationConfig[] {
  return memoryMiB.flatMap((memory) =>
    vcpus.map((cpus) => ({ id: migrationConfigId(load, cpus, memory), load, vcpus: cpus, memoryMiB: memory })),
  );
}

const COMMON = {
  hosts: {
    kind: 'namespaces' as const,
    description:
      'source and target are network namespaces on this machine joined by a veth pair; the observer is in the initial namespace',
  },
  link: { rateMbit: 1000, delayMs: 0 },
  probeIntervalMs: 5,
  disk: { mode: 'copy' as const, description: DISK_MODES.copy },
  maxBandwidthBytes: 64 * 2 ** 30,
  downtimeLimitMs: 300,
  answerTimeoutMs: 30_000,
  readyTimeoutMs: 300_000,
  observer: OBSERVER_DEFINITION,
};

/**
 * migration per profile (thesis section 6.3: 5 repeats; clean 1 CPU x 512 MB/1 GB/6 GB; loaded 1/2/4 CPUs x 512 MB/1
 * GB/2 GB).
 */
export const MIGRATION_PROFILES: Record<ProfileName, Omit<MigrationParams, 'backends'>> = {
  thesis: {
    ...COMMON,
    configs: [...configs('clean', [1], [512, 1024, 6144]), ...configs('loaded', [1, 2, 4], [512, 1024, 2048])],
    repeats: 5,
    convergeTimeoutMs: 600_000,
    load: { ...STRESS_LOAD, warmupMs: 10_000 },
    baselineMs: 1000,
  },
  quick: {
    ...COMMON,
    configs: [...configs('clean', [1], [256, 512]), ...configs('loaded', [1, 2], [256])],
    repeats: 2,
    convergeTimeoutMs: 120_000,
    load: { ...STRESS_LOAD, warmupMs: 3000 },
    baselineMs: 300,
  },
};

/** The load command for a guest with `vcpus` vCPUs. */
export function loadCommand(load: MigrationLoadSpec, vcpus: number): string {
  return load.command.replaceAll('{vcpus}', String(vcpus));
}

function migrationParameters(request: ParameterRequest): MigrationParams {
  if (request.targetHost !== undefined) {
    throw new UsageError(
      `Migration to a second machine (\`--target-host ${request.targetHost}\`) is not built yet: this version migrates between two network namespaces on this machine`,
      { fix: 'run without --target-host; docs/migration.md says what the two-machine mode needs' },
    );
  }
  if (request.guests !== undefined) {
    throw new UsageError(
      'Expected no `--guests` for migration: it migrates one guest per run, in the configurations of the profile',
      { fix: 'drop --guests; pick configurations with --profile quick|thesis' },
    );
  }
  const profile = MIGRATION_PROFILES[request.profile];
  const link = request.linkMbit === undefined ? profile.link : { ...profile.link, rateMbit: request.linkMbit };
  const disk =
    request.disk === undefined ? profile.disk : { mode: request.disk, description: DISK_MODES[request.disk] };
  return { ...profile, backends: [...request.backends], link, disk, repeats: request.repeats ?? profile.repeats };
}

/**
 * Whose total time and downtime a backend's migration reports besides the observer's (QEMU's for a VM), if anyone's.
 */
function ownTiming(migration: LiveMigration | undefined): MeasuredBy | undefined {
  return migration?.ownsTiming ? migration.measuredBy : undefined;
}

/** What a backend's migrations share: the two hosts, and its migration capability. */
interface MigrationHosts {
  pair: HostPair;
  migration: LiveMigration;
}

async function runMigration(context: ExperimentContext, params: MigrationParams): Promise<void> {
  const configs = new Map(params.configs.map((config) => [config.id, config]));
  const configOf = (id: string | undefined): MigrationConfig => {
    const config = id === undefined ? undefined : configs.get(id);
    if (!config) throw new GuestbenchError(`migration: no configuration ${String(id)} in the campaign's parameters`);
    return config;
  };
  const cellOf = (cell: Cell): MigrationCell => ({
    campaign: context.store.id,
    experiment: 'migration',
    backend: cell.backend,
    accel: cell.accel,
    ...(cell.runtime === undefined ? {} : { runtime: cell.runtime }),
    repeat: cell.repeat,
    config: configOf(cell.config),
  });
  const groups: CellGroup[] = params.backends.flatMap((backend) =>
    params.configs.map((config) => ({ backend, guests: 1, config: config.id, repeats: params.repeats })),
  );
  await runCells<MigrationHosts>(context, {
    experiment: 'migration',
    groups,
    requires: 'liveMigration',
    valuelessRows: (cell, state, reason) =>
      migrationValuelessRows(
        cellOf(cell),
        state,
        reason,
        ownTiming(context.backends[cell.backend]?.capabilities.liveMigration),
      ),
    async openBackend(backend) {
      const migration = backend.capabilities.liveMigration as LiveMigration;
      const check = await migration.check();
      if (!check.usable) throw new CapabilityError(check.reason, { fix: check.fix });
      let pair: HostPair;
      try {
        pair = await createHostPair({ link: params.link });
      } catch (error) {
        if (!(error instanceof CapabilityError)) throw error;
        throw new CapabilityError(`no two hosts: ${firstLine(error)}`, {
          cause: error,
          ...(error.fix ? { fix: error.fix } : {}),
        });
      }
      context.log(
        `migration: hosts ${pair.source.netns} -> ${pair.target.netns}, link ${pair.qdisc}, guest ${pair.lan.guestAddress}, observer ${pair.lan.observerAddress} every ${params.probeIntervalMs} ms`,
      );
      return { pair, migration };
    },
    closeBackend: async (hosts) => removeHostPair(hosts.pair),
    openGroup: async (backend, _group, hosts) => ({
      measure: (cell) => migrateOnce(context, params, backend, hosts, cellOf(cell)),
      close: async () => {},
    }),
    describe: summaryLine,
  });
}

function summaryLine(rows: readonly Sample[]): string {
  const failed = rows.find((row) => row.state !== 'ok');
  if (failed) return `${failed.state}: ${failed.reason ?? ''}`;
  const pick = (metric: MetricName, by: MeasuredBy): number =>
    rows.find((row) => row.metric === metric && row.measured_by === by)?.value ?? NaN;
  // the backend's own account (QEMU's, CRIU's) and the steps guestbench timed: every figure, in its units
  const accounts = [...new Set(rows.map((row) => row.measured_by))].filter(
    (by): by is MeasuredBy => by !== undefined && by !== 'observer' && by !== 'link',
  );
  const ownText = accounts
    .map((by) => {
      const figures = rows.filter((row) => row.measured_by === by);
      return `; ${by}: ${figures.map((row) => `${row.metric} ${formatFigure(row.value ?? NaN, METRICS[row.metric])}`).join(', ')}`;
    })
    .join('');
  return (
    `observer: total ${pick('total_time', 'observer').toFixed(2)} s, downtime ${pick('downtime', 'observer').toFixed(0)} ms, ` +
    `${(pick('link_bytes', 'link') / 2 ** 20).toFixed(1)} MiB on the link${ownText}`
  );
}

function formatFigure(value: number, unit: Unit): string {
  if (unit === 'bytes') return `${(value / 2 ** 20).toFixed(1)} MiB`;
  if (unit === 'count') return value.toFixed(0);
  return `${value.toFixed(unit === 's' ? 2 : 0)} ${unit}`;
}

/** Starts the configuration's load in the guest (detached) and checks it still runs after its warm-up. */
async function startLoad(
  session: MigrationSession,
  params: MigrationParams,
  config: MigrationConfig,
  record: RawRecord,
  signal: AbortSignal,
): Promise<void> {
  const command = loadCommand(params.load, config.vcpus);
  record.load = command;
  // detached, output discarded: the exec returns at once; the pid file proves it still runs later
  const started = await session.source.exec(
    ['sh', '-c', `setsid ${command} </dev/null >/dev/null 2>&1 & echo $! >/run/guestbench-load.pid`],
    { signal, timeoutMs: 60_000 },
  );
  if (started.exitCode !== 0) {
    throw new GuestbenchError(
      `could not start the load (exit code ${started.exitCode}): ${command}: ${started.stderr.trim()}`,
    );
  }
  await pause(params.load.warmupMs, signal);
  const running = await session.source.exec(['sh', '-c', 'kill -0 "$(cat /run/guestbench-load.pid)"'], {
    signal,
    timeoutMs: 60_000,
  });
  if (running.exitCode !== 0) throw new GuestbenchError(`the load exited within its warm-up: ${command}`);
}

/** One migration of one configuration; returns its rows (errored rows when a step fails). */
async function migrateOnce(
  context: ExperimentContext,
  params: MigrationParams,
  backend: Backend,
  hosts: MigrationHosts,
  cell: MigrationCell,
): Promise<Sample[]> {
  const { signal } = context;
  const { pair, migration } = hosts;
  const config = cell.config;
  const name = `${context.store.id.slice(-4)}-mig-${config.id}-r${cell.repeat}`;
  const rawName = `migration-${backend.name}-${config.id}-r${cell.repeat}`;
  const spec = { name, vcpus: config.vcpus, memoryMiB: config.memoryMiB };
  const record: RawRecord = { config, hosts: pair, method: migration.method, observerDefinition: params.observer };
  let session: MigrationSession | undefined;
  let observer: Observer | undefined;
  let outcome: MigrationOutcome | undefined;
  let step = 'boot on the source';
  // when each step began, milliseconds since the repeat began: where a repeat's time goes
  const began = process.hrtime.bigint();
  const timeline: Array<[string, number]> = [[step, 0]];
  record.timeline = timeline;
  const enter = (next: string): void => {
    step = next;
    timeline.push([next, round3(Number(process.hrtime.bigint() - began) / 1e6)]);
  };
  try {
    session = await migration.open(spec, { pair, disk: params.disk.mode, signal });
    await session.source.waitReady({ signal, timeoutMs: params.readyTimeoutMs });
    if (config.load === 'loaded') {
      enter('start the load');
      await startLoad(session, params, config, record, signal);
    }
    enter('start the target');
    await session.prepareTarget(signal);
    enter("reach the guest's echo service");
    await forgetGuestAddress(pair);
    observer = await startObserver({
      address: pair.lan.guestAddress,
      port: GUEST_ECHO_PORT,
      intervalMs: params.probeIntervalMs,
    });
    await observer.waitForAnswer(params.answerTimeoutMs, signal);
    await pause(params.baselineMs, signal);
    enter('migrate');
    const sentBefore = await linkSentBytes(pair);
    outcome = await session.migrate({
      maxBandwidthBytes: params.maxBandwidthBytes,
      downtimeLimitMs: params.downtimeLimitMs,
      timeoutMs: params.convergeTimeoutMs,
      signal,
    });
    const linkBytes = (await linkSentBytes(pair)) - sentBefore;
    Object.assign(record, outcome.record);
    record.linkBytes = linkBytes;
    enter('hear the target answer');
    await waitForAnswerAfter(observer, outcome.switchedNs, params, signal);
    const log = await observer.stop();
    record.probes = probeRecord(log, outcome.issuedNs);
    const figures = observerFigures(log, { issuedNs: outcome.issuedNs, switchedNs: outcome.switchedNs });
    record.observer = figures;
    enter('check the guest went on on the target');
    const continuity = await session.continuity();
    record.continuity = continuity;
    if (!continuity.kept) {
      throw new GuestbenchError(
        `the guest on the target did not go on from the source's state: ${continuity.what} was ${continuity.before} before, ${continuity.after} after`,
      );
    }
    enter('done');
    const raw = writeRaw(context.store, rawName, `${recordJson(record)}\n`);
    return migrationRows({ ...cell, raw }, outcome, figures, linkBytes);
  } catch (error) {
    if (signal.aborted) throw new AbortedError('Campaign interrupted during a migration', { cause: error });
    record.error = { step, message: String(error) };
    if (session) Object.assign(record, await session.failureRecord());
    // what the observer saw up to the failure (times relative to the migrate command, or to the first probe)
    if (observer) record.probes = probeRecord(observer.peek(), outcome?.issuedNs);
    const raw = writeRaw(context.store, rawName, `${recordJson(record)}\n`);
    return migrationValuelessRows({ ...cell, raw }, 'errored', `${step}: ${firstLine(error)}`, ownTiming(migration));
  } finally {
    await observer?.stop({ drainMs: 0 });
    await session?.close();
  }
}

// the target's first answer may come a while after it resumed (its announcement, the guest's stack)
async function waitForAnswerAfter(
  observer: Observer,
  switchedNs: bigint,
  params: MigrationParams,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + params.answerTimeoutMs;
  for (;;) {
    const log = observer.peek();
    if (log.probes.some((probe) => probe.answeredNs !== undefined && probe.answeredNs >= switchedNs)) {
      // a few more probes after the first answer: the log shows the service steady on the target
      await pause(Math.max(50, 10 * params.probeIntervalMs), signal);
      return;
    }
    if (Date.now() > deadline)
      throw new GuestbenchError(
        `the guest did not answer the observer within ${Math.round(params.answerTimeoutMs / 1000)} s of resuming on the target`,
      );
    await pause(params.probeIntervalMs, signal);
  }
}

// the probe log relative to the migrate command (or the first probe), milliseconds: [sent, answered | null] per probe
function probeRecord(log: ProbeLog, originNs: bigint | undefined): Record<string, unknown> {
  const origin = originNs ?? log.probes[0]?.sentNs ?? 0n;
  return {
    address: log.address,
    port: log.port,
    intervalMs: log.intervalMs,
    strays: log.strays,
    origin: originNs === undefined ? 'first probe' : 'migrate command',
    probes: log.probes.map((probe) => [
      round3(Number(probe.sentNs - origin) / 1e6),
      probe.answeredNs === undefined ? null : round3(Number(probe.answeredNs - origin) / 1e6),
    ]),
  };
}

const round3 = (value: number): number => Math.round(value * 1000) / 1000;

/** The migration experiment. */
export const migration: ExperimentDefinition<MigrationParams> = {
  name: 'migration',
  summary: 'live migration of a guest between two hosts (network namespaces), clean and loaded, with an observer',
  thesis: 'Table 6.1, Figures 6.3-6.5',
  minGuests: 1,
  uses: ['liveMigration'],
  parameters: migrationParameters,
  containerLimits: () => false,
  // the source and the target guest exist together during a migration
  resources: (params) => ({
    loads: params.backends.map((backend) => ({
      backend,
      guests: 2,
      memoryMiB: Math.max(0, ...params.configs.map((config) => config.memoryMiB)),
    })),
    disks: [],
    extraGuests: 'a migration holds the source and the target guest at once',
  }),
  run: runMigration,
};
