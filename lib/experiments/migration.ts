/**
 * migration (thesis chapter 6, Table 6.1, Figures 6.3-6.5): live-migrate one VM between two hosts
 * while an observer outside both probes a service in it, for the thesis's clean and loaded guest
 * configurations; the container's migration where the host can checkpoint containers.
 *
 * Each repeat of a VM configuration: boot the guest on the source host from a fresh qcow2 overlay,
 * start the load if any and let it run, start the target QEMU with `-incoming` on a blank disk of
 * the same size (the disk is copied with the migration, as the thesis's `--copy-storage-all` did)
 * or on the same overlay (`--disk shared`: storage both hosts see), probe the guest's echo service until it answers,
 * migrate
 * over the shaped link (lib/backends/kvm-migrate.ts), keep probing until the target answers, check
 * that the guest agent answers on the target, and stop both. The two hosts are network namespaces
 * on this machine (lib/network/host-pair.ts); docs/migration.md.
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { checkContainerCheckpoint } from '../backends/criu.js';
import type { KvmBackend, KvmGuest } from '../backends/kvm.js';
import { sleep } from '../backends/kvm-json-socket.js';
import { migrateVm, type MigrationRun } from '../backends/kvm-migrate.js';
import { createSnapshotDir, removeSnapshot } from '../backends/kvm-snapshot.js';
import { GUEST_ECHO_PORT } from '../images/recipe.js';
import {
  createHostPair,
  forgetGuestAddress,
  linkSentBytes,
  removeHostPair,
  type HostPair,
  type LinkShape,
} from '../network/host-pair.js';
import { observerFigures, startObserver, type Observer, type ProbeLog } from '../network/observer.js';
import { appendSamples, writeRaw } from '../results/store.js';
import type { Sample } from '../results/schema.js';
import { AbortedError, CapabilityError, GuestbenchError, UsageError, firstLine } from '../util/errors.js';
import { withTimeout } from '../util/signals.js';
import { cellKey, type ExperimentContext } from './context.js';
import type { ExperimentDefinition, ParameterRequest } from './definition.js';
import { recordJson } from './latency-measure.js';
import {
  CONTAINER_CONFIG,
  migrationConfigId,
  migrationRows,
  migrationValuelessRows,
  type MigrationCell,
  type MigrationConfig,
} from './migration-rows.js';
import type { ProfileName } from './profiles.js';

/** How the guest's disk reaches the target: copied with the migration, or shared by both hosts. */
export type DiskMode = 'copy' | 'shared';

/** What each disk mode does, in words (stored with the parameters). */
export const DISK_MODES: Record<DiskMode, string> = {
  copy: 'copied with the migration (QEMU block migration with zero-blocks, like virsh migrate --copy-storage-all in the thesis): the source boots from a qcow2 overlay over the image disk, the target starts on a blank qcow2 of the same size',
  shared:
    'one qcow2 overlay per repeat over the image disk, opened by both QEMUs (the target only once it takes over): storage both hosts see, not copied',
};

/** The load a loaded guest runs (the thesis: mprime torture test type 2, in-place large FFTs). */
export interface MigrationLoadSpec {
  /** the command run in the guest, `{vcpus}` replaced by the guest's vCPU count */
  command: string;
  /** what it stands in for, in words */
  note: string;
  /** how long the load runs before the migration starts, milliseconds */
  warmupMs: number;
}

/** Parameters of a migration campaign (stored in campaign.json). */
export interface MigrationParams {
  /** VM configurations, in run order */
  configs: MigrationConfig[];
  repeats: number;
  /** backends asked for (kvm: VM migration; docker: container migration) */
  backends: Array<'kvm' | 'docker'>;
  /** where the two hosts are */
  hosts: { kind: 'namespaces'; description: string };
  link: LinkShape;
  /** the observer's probe interval, milliseconds (the thesis pinged once a second) */
  probeIntervalMs: number;
  /** how the guest's disk reaches the target */
  disk: { mode: DiskMode; description: string };
  /** QEMU max-bandwidth, bytes/s (set high: the shaped link is the limit, as libvirt leaves it) */
  maxBandwidthBytes: number;
  /** QEMU downtime-limit, milliseconds (QEMU's default) */
  downtimeLimitMs: number;
  /** a migration not completed by then is cancelled and recorded as errored, milliseconds */
  convergeTimeoutMs: number;
  load: MigrationLoadSpec;
  /** probing before the migrate command (a baseline of answers), milliseconds */
  baselineMs: number;
  /** how long to wait for the target's first answer after the switch-over, milliseconds */
  answerTimeoutMs: number;
  readyTimeoutMs: number;
  /** how the observer's figures are defined */
  observer: string;
  containerMethod: string;
}

const OBSERVER_DEFINITION =
  "the observer (in the initial network namespace, outside both hosts) sends a UDP datagram to the guest's echo service every probeIntervalMs; " +
  'total_time (observer) = migrate command -> first echo received after the target resumed the guest (QMP RESUME); ' +
  'downtime (observer) = last echo received before that resume (from the source) -> that first echo from the target. ' +
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
  containerMethod:
    'Docker checkpoint (CRIU) on the source, the checkpoint moved, the container restored from it on the target; needs dockerd --experimental and a CRIU that passes `criu check`',
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
      {
        fix: 'run without --target-host; docs/migration.md says what the two-machine mode needs',
      },
    );
  }
  if (request.guests !== undefined) {
    throw new UsageError(
      'Expected no `--guests` for migration: it migrates one guest per run, in the configurations of the profile',
      { fix: 'drop --guests; pick configurations with --profile quick|thesis' },
    );
  }
  const backends = request.backends.filter((backend): backend is 'kvm' | 'docker' => backend !== 'native');
  if (backends.length === 0) {
    throw new UsageError(
      'Expected `--backends` to include kvm or docker for migration: the bare host does not migrate',
      { fix: 'for example `guestbench run migration --backends kvm,docker`' },
    );
  }
  const profile = MIGRATION_PROFILES[request.profile];
  const link = request.linkMbit === undefined ? profile.link : { ...profile.link, rateMbit: request.linkMbit };
  const disk =
    request.disk === undefined ? profile.disk : { mode: request.disk, description: DISK_MODES[request.disk] };
  return { ...profile, backends, link, disk, repeats: request.repeats ?? profile.repeats };
}

async function runMigration(context: ExperimentContext, params: MigrationParams): Promise<void> {
  if (params.backends.includes('kvm')) await runVmMigrations(context, params);
  if (params.backends.includes('docker')) await recordContainerMigration(context, params);
}

// ---------------------------------------------------------------------------------------------
// VMs

async function runVmMigrations(context: ExperimentContext, params: MigrationParams): Promise<void> {
  const cells = params.configs.flatMap((config) =>
    Array.from({ length: params.repeats }, (_, index) => ({ config, repeat: index + 1 })).filter(
      (cell) => !context.done.has(cellKey({ backend: 'kvm', guests: 1, repeat: cell.repeat, config: cell.config.id })),
    ),
  );
  if (cells.length === 0) return;
  const cellOf = (config: MigrationConfig, repeat: number, accel: MigrationCell['accel']): MigrationCell => ({
    campaign: context.store.id,
    experiment: 'migration',
    backend: 'kvm',
    accel,
    repeat,
    config,
  });
  const kvm = context.backends.kvm as KvmBackend | undefined;
  if (!kvm) {
    const reason = context.unusable.kvm ?? 'the kvm backend is not available';
    appendSamples(
      context.store,
      cells.flatMap(({ config, repeat }) =>
        migrationValuelessRows(cellOf(config, repeat, 'unknown'), 'unsupported', reason),
      ),
    );
    return;
  }
  let pair: HostPair;
  try {
    pair = await createHostPair({ link: params.link });
  } catch (error) {
    if (!(error instanceof CapabilityError)) throw error;
    const reason = `no two hosts: ${firstLine(error)}`;
    context.noteMissing({
      capability: 'migration-hosts',
      reason: firstLine(error),
      ...(error.fix ? { fix: error.fix } : {}),
    });
    context.log(`migration: ${reason}`);
    appendSamples(
      context.store,
      cells.flatMap(({ config, repeat }) =>
        migrationValuelessRows(cellOf(config, repeat, kvm.accel), 'unsupported', reason),
      ),
    );
    return;
  }
  context.log(
    `migration: hosts ${pair.source.netns} -> ${pair.target.netns}, link ${pair.qdisc}, guest ${pair.lan.guestAddress}, observer ${pair.lan.observerAddress} every ${params.probeIntervalMs} ms`,
  );
  try {
    for (const { config, repeat } of cells) {
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted');
      const cell = cellOf(config, repeat, kvm.accel);
      const rows = await migrateOnce(context, params, kvm, pair, cell, config);
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted during a migration');
      appendSamples(context.store, rows);
      context.log(
        `migration: kvm (${kvm.accel}) ${config.id} repeat ${repeat}/${params.repeats}: ${summaryLine(rows)}`,
      );
      const failed = rows.find((row) => row.state === 'errored');
      if (failed && context.failFast)
        throw new GuestbenchError(`A migration failed (--fail-fast): ${failed.reason ?? ''}`);
    }
  } finally {
    await removeHostPair(pair);
  }
}

function summaryLine(rows: readonly Sample[]): string {
  const pick = (metric: string, by: string): Sample | undefined =>
    rows.find((row) => row.metric === metric && row.measured_by === by);
  const failed = rows.find((row) => row.state !== 'ok');
  if (failed) return `${failed.state}: ${failed.reason ?? ''}`;
  const value = (row: Sample | undefined, digits: number): string => (row?.value ?? NaN).toFixed(digits);
  return (
    `total ${value(pick('total_time', 'qemu'), 2)} s (observer ${value(pick('total_time', 'observer'), 2)} s), ` +
    `downtime ${value(pick('downtime', 'qemu'), 0)} ms (observer ${value(pick('downtime', 'observer'), 0)} ms), ` +
    `${value(pick('dirty_sync_count', 'qemu'), 0)} rounds, RAM at ${value(pick('bandwidth', 'qemu'), 0)} Mbit/s, ${((pick('link_bytes', 'link')?.value ?? NaN) / 2 ** 20).toFixed(0)} MiB on the link`
  );
}

// a locally administered MAC, the same on both hosts (the guest keeps its NIC)
function guestMac(): string {
  const bytes = randomBytes(3);
  return `52:54:00:${[...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join(':')}`;
}

/** One migration of one configuration; returns its rows (errored rows when a step fails). */
async function migrateOnce(
  context: ExperimentContext,
  params: MigrationParams,
  kvm: KvmBackend,
  pair: HostPair,
  cell: MigrationCell,
  config: MigrationConfig,
): Promise<Sample[]> {
  const { signal } = context;
  const name = `${context.store.id.slice(-4)}-mig-${config.id}-r${cell.repeat}`;
  const rawName = `migration-kvm-${config.id}-r${cell.repeat}`;
  const spec = { name, vcpus: config.vcpus, memoryMiB: config.memoryMiB };
  const nic = { tap: pair.source.tap, mac: guestMac(), address: pair.lan.guestCidr };
  const port = 4444;
  const uri = `tcp:${pair.target.migrationAddress}:${port}`;
  const record: Record<string, unknown> = { config, hosts: pair, uri, nic, observerDefinition: params.observer };
  const overlay = await createSnapshotDir(kvm.images);
  const copyDisk = params.disk.mode === 'copy';
  let source: KvmGuest | undefined;
  let target: KvmGuest | undefined;
  let observer: Observer | undefined;
  let run: MigrationRun | undefined;
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
    const rootDisk = { file: overlay.overlay, format: 'qcow2' as const, snapshot: false };
    source = await kvm.derive({ rootDisk, netns: pair.source.netns, nic, incoming: undefined }).start(spec, { signal });
    await source.waitReady({ signal, timeoutMs: params.readyTimeoutMs });
    record.sourceCommand = source.command;
    if (config.load === 'loaded') {
      enter('start the load');
      const command = loadCommand(params.load, config.vcpus);
      record.load = command;
      // detached, output discarded: guest-exec returns at once; the pid file proves it still runs later
      const started = await source.exec(
        ['sh', '-c', `setsid ${command} </dev/null >/dev/null 2>&1 & echo $! >/run/guestbench-load.pid`],
        { signal, timeoutMs: 60_000 },
      );
      if (started.exitCode !== 0)
        throw new GuestbenchError(
          `could not start the load (exit code ${started.exitCode}): ${command}: ${started.stderr.trim()}`,
        );
      await sleep(params.load.warmupMs, signal);
      const running = await source.exec(['sh', '-c', 'kill -0 "$(cat /run/guestbench-load.pid)"'], {
        signal,
        timeoutMs: 60_000,
      });
      if (running.exitCode !== 0) throw new GuestbenchError(`the load exited within its warm-up: ${command}`);
    }
    enter('start the target');
    const targetDisk = copyDisk
      ? {
          file: await createBlankDisk(overlay.dir, (await stat(kvm.images.disk)).size),
          format: 'qcow2' as const,
          snapshot: false,
        }
      : rootDisk;
    target = await kvm
      .derive({ rootDisk: targetDisk, netns: pair.target.netns, nic, incoming: uri })
      .start(spec, { signal });
    record.targetCommand = target.command;
    enter("reach the guest's echo service");
    await forgetGuestAddress(pair);
    observer = await startObserver({
      address: pair.lan.guestAddress,
      port: GUEST_ECHO_PORT,
      intervalMs: params.probeIntervalMs,
    });
    await observer.waitForAnswer(params.answerTimeoutMs, signal);
    await sleep(params.baselineMs, signal);
    enter('migrate');
    const sentBefore = await linkSentBytes(pair);
    run = await migrateVm(source, target, {
      uri,
      maxBandwidthBytes: params.maxBandwidthBytes,
      downtimeLimitMs: params.downtimeLimitMs,
      timeoutMs: params.convergeTimeoutMs,
      copyDisk,
      signal,
    });
    const linkBytes = (await linkSentBytes(pair)) - sentBefore;
    record.linkBytes = linkBytes;
    record.qemu = {
      info: run.info,
      parameters: run.parameters,
      pausedMs: relativeMs(run.pausedNs, run.issuedNs),
      completedMs: relativeMs(run.completedNs, run.issuedNs),
      resumedMs: relativeMs(run.resumedNs, run.issuedNs),
    };
    enter('hear the target answer');
    await waitForAnswerAfter(observer, run, params, signal);
    const log = await observer.stop();
    record.probes = probeRecord(log, run.issuedNs);
    const figures = observerFigures(log, run);
    record.observer = figures;
    enter('reach the guest agent on the target');
    await target.waitReady({ signal, timeoutMs: 60_000 });
    const check = await target.exec(['cat', '/proc/uptime'], { signal, timeoutMs: 60_000 });
    record.targetUptime = check.stdout.trim();
    enter('done');
    const raw = writeRaw(context.store, rawName, `${recordJson(record)}\n`);
    return migrationRows({ ...cell, raw }, run.qemu, figures, linkBytes);
  } catch (error) {
    if (signal.aborted) throw new AbortedError('Campaign interrupted during a migration', { cause: error });
    record.error = { step, message: String(error) };
    if (source) record.sourceConsole = await source.consoleTail(20);
    if (target) record.target = await describeTarget(target);
    // what the observer saw up to the failure (times relative to the migrate command, or to the first probe)
    if (observer) record.probes = probeRecord(observer.peek(), run?.issuedNs);
    const raw = writeRaw(context.store, rawName, `${recordJson(record)}\n`);
    return migrationValuelessRows({ ...cell, raw }, 'errored', `${step}: ${firstLine(error)}`);
  } finally {
    await observer?.stop({ drainMs: 0 });
    await Promise.allSettled([source?.stop(), target?.stop()]);
    await removeSnapshot(overlay);
  }
}

// what the target looked like when a step failed: QEMU's run state, the guest's console, and (if
// its agent answers within a few seconds) the guest's view of its NIC
async function describeTarget(target: KvmGuest): Promise<Record<string, unknown>> {
  const status = await withTimeout(
    target.qmp.execute<Record<string, unknown>>('query-status'),
    5000,
    'no answer within 5 s',
  ).catch((error: unknown) => `query-status failed: ${firstLine(error)}`);
  const consoleTail = await target.consoleTail(20);
  let nic: string;
  try {
    await target.waitReady({ timeoutMs: 10_000 });
    const shown = await target.exec(['sh', '-c', 'ip -s link show eth0; ip addr show eth0; cat /proc/net/udp'], {
      timeoutMs: 10_000,
    });
    nic = `${shown.stdout}${shown.stderr}`;
  } catch (error) {
    nic = `the agent did not answer: ${firstLine(error)}`;
  }
  return { status, console: consoleTail, nic };
}

// the target's disk when the disk is copied: a blank qcow2 of the source disk's size, in the repeat's directory
async function createBlankDisk(dir: string, sizeBytes: number): Promise<string> {
  const file = path.join(dir, 'target.qcow2');
  const created = await execa('qemu-img', ['create', '-q', '-f', 'qcow2', file, String(sizeBytes)], {
    reject: false,
    stdin: 'ignore',
  });
  if (created.failed)
    throw new GuestbenchError(
      `could not create the target's blank disk: ${created.command}: ${String(created.stderr).trim()}`,
      { fix: 'apt-get install qemu-utils' },
    );
  return file;
}

// the target's first answer may come a while after it resumed (its announcement, the guest's stack)
async function waitForAnswerAfter(
  observer: Observer,
  run: MigrationRun,
  params: MigrationParams,
  signal: AbortSignal,
): Promise<void> {
  const deadline = Date.now() + params.answerTimeoutMs;
  for (;;) {
    const log = observer.peek();
    if (log.probes.some((probe) => probe.answeredNs !== undefined && probe.answeredNs >= run.resumedNs)) {
      // a few more probes after the first answer: the log shows the service steady on the target
      await sleep(Math.max(50, 10 * params.probeIntervalMs), signal);
      return;
    }
    if (Date.now() > deadline)
      throw new GuestbenchError(
        `the guest did not answer the observer within ${Math.round(params.answerTimeoutMs / 1000)} s of resuming on the target`,
      );
    await sleep(params.probeIntervalMs, signal);
  }
}

function relativeMs(ns: bigint | undefined, from: bigint): number | null {
  return ns === undefined ? null : Number(ns - from) / 1e6;
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

// ---------------------------------------------------------------------------------------------
// containers

/**
 * Container migration needs the engine's checkpoint API and a working CRIU. Where the host has
 * neither, every repeat gets `unsupported` rows with the check's own words; where it has both,
 * the rows say that guestbench does not move checkpoints between engines yet.
 */
async function recordContainerMigration(context: ExperimentContext, params: MigrationParams): Promise<void> {
  const repeats = Array.from({ length: params.repeats }, (_, index) => index + 1).filter(
    (repeat) => !context.done.has(cellKey({ backend: 'docker', guests: 1, repeat, config: CONTAINER_CONFIG })),
  );
  if (repeats.length === 0) return;
  const cellOf = (repeat: number): MigrationCell => ({
    campaign: context.store.id,
    experiment: 'migration',
    backend: 'docker',
    accel: 'none',
    repeat,
    config: undefined,
  });
  let reason: string;
  if (!context.backends.docker) {
    reason = context.unusable.docker ?? 'the docker backend is not available';
  } else {
    const support = await checkContainerCheckpoint();
    if (!support.supported) {
      reason = `container checkpoint/restore does not work on this host: ${support.reason}`;
      context.noteMissing({ capability: 'container-migration', reason: support.reason, fix: support.fix });
    } else {
      reason = `${support.reason}, but guestbench cannot move a checkpoint between two engines yet (one engine runs here): docs/migration.md`;
      context.noteMissing({ capability: 'container-migration', reason, fix: 'see docs/migration.md' });
    }
  }
  context.log(`migration: docker: unsupported: ${reason}`);
  appendSamples(
    context.store,
    repeats.flatMap((repeat) => migrationValuelessRows(cellOf(repeat), 'unsupported', reason)),
  );
}

/** The migration experiment. */
export const migration: ExperimentDefinition<MigrationParams> = {
  name: 'migration',
  summary:
    'live migration of a VM between two hosts (network namespaces), clean and loaded, with an observer; containers via CRIU where the host can',
  thesis: 'Table 6.1, Figures 6.3-6.5',
  minGuests: 1,
  parameters: migrationParameters,
  containerLimits: () => false,
  run: runMigration,
};
