/**
 * The podman backend's live migration between the two hosts of a host pair (thesis section 6.4.2):
 * the container runs on the source host (its storage: the default podman host; its network: a CNI
 * bridge network on the source namespace's LAN bridge, with the LAN address and MAC a VM would get),
 * running the same UDP echo service a migrated VM runs and a counter in memory; the migration is
 * `podman container checkpoint --export` on the source (CRIU dumps the processes, their memory and
 * the container's changed files and volumes into one archive), the archive sent over the shaped
 * migration link, and `podman container restore --import` on the target host (its own storage; the
 * same network name on its own bridge). The restored container keeps its address and MAC; the CNI
 * bridge plugin announces it (gratuitous ARP), as QEMU announces a migrated VM.
 *
 * CRIU's iterative pre-dump (memory copied while the container runs, as QEMU's pre-copy does) needs
 * the kernel's memory dirty tracking: where `criu check --feature mem_dirty_track` fails, as on this
 * kind of host, the migration is one stop-and-copy, and that is recorded with the campaign.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import type { ImageSet } from '../images/index.js';
import { GUEST_ECHO_PORT } from '../images/recipe.js';
import type { HostPair } from '../network/host-pair.js';
import { openLinkTransfer, type LinkTransferChannel } from '../network/link-transfer.js';
import { pause } from '../util/clock.js';
import { AbortedError, BackendError, firstLine } from '../util/errors.js';
import { isProcessAlive } from '../util/signals.js';
import type {
  Continuity,
  LiveMigration,
  MeasuredValues,
  MigrateOptions,
  MigrationOutcome,
  MigrationSession,
  RawRecord,
} from './capabilities.js';
import { CRIU_FIX, checkCriu, criuBinary } from './criu.js';
import { CONTAINER_READY_MARKER } from './docker-main-process.js';
import type { ExecOptions, ExecResult, Guest, GuestSpec, GuestState } from './guest.js';
import { parsePodmanStats } from './podman-checkpoint.js';
import { ensureSameImage, podman, podmanFailure, podmanHost, preparePodmanHost, type PodmanHost } from './podman.js';

/** The file the counter in a migrated container's memory is written to, ten times a second. */
export const COUNTER_FILE = '/tmp/guestbench-counter';

/** Where a migrated container's volume is mounted, and the state it holds: random data and its checksum. */
export const VOLUME_DIR = '/data';
export const VOLUME_DATA_MIB = 1;

/** The volume of the migrated container `container`: named, so the target host's copy can be found and removed. */
export function migrationVolume(container: string): string {
  return `${container}-data`;
}

/**
 * The main process of a container that migrates: a counter kept in a shell's memory (written out so
 * it can be read), the UDP echo service the observer probes, the ready marker; exits on SIGTERM.
 */
export function migratingContainerScript(): string {
  const echo = `my $s = IO::Socket::INET->new(LocalPort => ${GUEST_ECHO_PORT}, Proto => "udp") or die "echo: $!"; my $buf; while (1) { my $peer = $s->recv($buf, 1500); $s->send($buf, 0, $peer) if defined $peer; }`;
  return [
    "trap 'exit 0' TERM",
    // the volume's state, written once: the target must hold the same bytes
    `[ -f ${VOLUME_DIR}/sum ] || { head -c ${VOLUME_DATA_MIB * 2 ** 20} /dev/urandom >${VOLUME_DIR}/blob && (cd ${VOLUME_DIR} && sha256sum blob >sum); }`,
    `(i=0; while :; do i=$((i+1)); echo $i >${COUNTER_FILE}; sleep 0.1; done) &`,
    `perl -MIO::Socket::INET -e '${echo}' &`,
    `echo ${CONTAINER_READY_MARKER}`,
    'wait',
  ].join('\n');
}

/** The CNI network of a host pair's LAN on one host: a bridge network on that host's LAN bridge, one address. */
export function pairNetwork(pair: HostPair, host: PodmanHost, bridge: string): { name: string; conflist: string } {
  const name = `gbm${pair.owner}`;
  return {
    name,
    conflist: JSON.stringify({
      cniVersion: '0.4.0',
      name,
      plugins: [
        {
          type: 'bridge',
          bridge,
          isGateway: false,
          ipMasq: false,
          hairpinMode: false,
          ipam: {
            type: 'host-local',
            // each host keeps its own leases: the target must be able to take the address the source held
            dataDir: path.join(host.dir, 'cni-ipam'),
            ranges: [[{ subnet: pair.lan.subnet, rangeStart: pair.lan.guestAddress, rangeEnd: pair.lan.guestAddress }]],
          },
        },
      ],
    }),
  };
}

/** Where a pair's checkpoint archives are kept: one directory per side, removed with the migration. */
export function transferRoot(owner: number): string {
  return path.join(process.env.GUESTBENCH_SCRATCH ?? '/var/tmp', `guestbench-migration-${owner}`);
}

/**
 * Removes migration volumes (`guestbench-...-data`) no container uses any more (a runner killed mid-migration leaves
 * the target's copy); returns how many went. A volume still in use is kept (`volume rm` without -f refuses it).
 */
export async function removeLeftoverMigrationVolumes(host: PodmanHost): Promise<number> {
  if (!existsSync(host.storageConf)) return 0;
  const listed = await podman(host, ['volume', 'ls', '-q', '--filter', 'name=^guestbench-.*-data$']);
  let removed = 0;
  for (const name of String(listed.stdout).split('\n').filter(Boolean)) {
    if ((await podman(host, ['volume', 'rm', name], { timeoutMs: 60_000 })).exitCode === 0) removed += 1;
  }
  return removed;
}

/** Removes the transfer directories and pair networks of runners that died (SIGKILL); returns what it removed. */
export function sweepStaleMigrations(hosts: readonly PodmanHost[]): string[] {
  const removed: string[] = [];
  const root = path.dirname(transferRoot(0));
  for (const name of safeReaddir(root)) {
    const owner = /^guestbench-migration-(\d+)$/.exec(name)?.[1];
    if (!owner || Number(owner) === process.pid || isProcessAlive(Number(owner))) continue;
    rmSync(path.join(root, name), { recursive: true, force: true });
    removed.push(path.join(root, name));
  }
  for (const host of hosts) {
    for (const name of safeReaddir(host.networkDir)) {
      const owner = /^gbm(\d+)\.conflist$/.exec(name)?.[1];
      if (!owner || Number(owner) === process.pid || isProcessAlive(Number(owner))) continue;
      rmSync(path.join(host.networkDir, name), { force: true });
      removed.push(path.join(host.networkDir, name));
    }
  }
  return removed;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** A container on one podman host, driven through the CLI (in the host's network namespace). */
export class PodmanCliGuest implements Guest {
  readonly backend = 'podman' as const;
  readonly accel = 'none' as const;

  constructor(
    readonly spec: GuestSpec,
    readonly host: PodmanHost,
    readonly netns: string,
    /** the container's name in the host's storage */
    readonly container: string,
  ) {}

  async waitReady(options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    for (;;) {
      // an aborted signal cancels `podman logs` at once, so without this the loop would poll until the
      // deadline (5 min for a migration campaign: Ctrl-C during a source's start took that long to answer)
      if (options.signal?.aborted)
        throw new AbortedError(`Waiting for container ${this.container} aborted`, { cause: options.signal.reason });
      const logs = await podman(this.host, ['logs', this.container], {
        netns: this.netns,
        signal: options.signal,
        timeoutMs: 30_000,
      });
      if (String(logs.stdout).includes(CONTAINER_READY_MARKER)) return;
      if ((await this.status()) === 'stopped') {
        throw new BackendError(
          `Container ${this.container} stopped before printing its ready marker: ${firstLine(String(logs.stderr) || String(logs.stdout) || 'no output')}`,
          { backend: 'podman' },
        );
      }
      if (Date.now() > deadline)
        throw new BackendError(`Container ${this.container} printed no ready marker within the timeout`, {
          backend: 'podman',
        });
      await pause(50, options.signal);
    }
  }

  async exec(argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const startedNs = process.hrtime.bigint();
    const run = await podman(this.host, ['exec', this.container, ...argv], {
      netns: this.netns,
      signal: options.signal,
      timeoutMs: options.timeoutMs,
    });
    return {
      argv,
      exitCode: run.exitCode ?? -1,
      stdout: String(run.stdout),
      stderr: String(run.stderr),
      startedNs,
      endedNs: process.hrtime.bigint(),
    };
  }

  async status(): Promise<GuestState> {
    const inspect = await podman(this.host, ['inspect', '--format', '{{.State.Status}}', this.container], {
      netns: this.netns,
      timeoutMs: 30_000,
    });
    const state = String(inspect.stdout).trim();
    return state === 'running' ? 'running' : state === 'created' || state === 'initialized' ? 'starting' : 'stopped';
  }

  async stop(): Promise<void> {
    await podman(this.host, ['rm', '-f', '-t', '0', '-v', this.container], { netns: this.netns, timeoutMs: 60_000 });
  }

  /** The counter in the container's memory, as its main process last wrote it. */
  async counter(): Promise<number> {
    const read = await this.exec(['cat', COUNTER_FILE], { timeoutMs: 30_000 });
    return Number(read.stdout.trim());
  }
}

// a locally administered MAC, the same on both hosts (the container keeps its address)
function guestMac(): string {
  return `52:54:00:${[...randomBytes(3)].map((byte) => byte.toString(16).padStart(2, '0')).join(':')}`;
}

/** µs in CRIU's statistics -> ms. */
const ms = (value: unknown): number | undefined => (typeof value === 'number' ? value / 1000 : undefined);

/** CRIU's figures out of podman's checkpoint and restore statistics (`--print-stats`). */
export function criuFigures(checkpoint: unknown, restore: unknown): MeasuredValues {
  const stats = (printed: unknown): Record<string, unknown> =>
    ((printed as { container_statistics?: Array<{ criu_statistics?: Record<string, unknown> }> })
      ?.container_statistics?.[0]?.criu_statistics ?? {}) as Record<string, unknown>;
  const dumped = stats(checkpoint);
  const restored = stats(restore);
  const values: MeasuredValues = [];
  const push = (metric: MeasuredValues[number][0], value: number | undefined): void => {
    if (value !== undefined && Number.isFinite(value)) values.push([metric, value]);
  };
  push('criu_frozen_time', ms(dumped.frozen_time));
  const memdump = ms(dumped.memdump_time);
  const memwrite = ms(dumped.memwrite_time);
  push('criu_dump_time', memdump !== undefined && memwrite !== undefined ? memdump + memwrite : undefined);
  push('pages_written', typeof dumped.pages_written === 'number' ? dumped.pages_written : undefined);
  push('criu_restore_time', ms(restored.restore_time));
  return values;
}

/** One container migrated between the pair's hosts. */
class ContainerMigration implements MigrationSession {
  #target: PodmanCliGuest | undefined;
  #counterBefore: number | undefined;

  private constructor(
    private readonly pair: HostPair,
    private readonly targetHost: PodmanHost,
    private readonly dir: string,
    private readonly network: string,
    private readonly mac: string,
    readonly source: PodmanCliGuest,
    /** whether CRIU could pre-dump here, and why not */
    private readonly preDump: string,
  ) {}

  static async open(
    sourceHost: PodmanHost,
    targetHost: PodmanHost,
    images: ImageSet,
    spec: GuestSpec,
    options: { pair: HostPair; preDump: string; campaign?: string; signal?: AbortSignal },
  ): Promise<ContainerMigration> {
    const { pair } = options;
    const dir = transferRoot(pair.owner);
    sweepStaleMigrations([sourceHost, targetHost]);
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    mkdirSync(path.join(dir, 'dst'), { recursive: true });
    preparePodmanHost(targetHost);
    await ensureSameImage(sourceHost, targetHost, images);
    let network = '';
    for (const [host, side] of [
      [sourceHost, pair.source],
      [targetHost, pair.target],
    ] as const) {
      const made = pairNetwork(pair, host, side.bridge);
      writeFileSync(path.join(host.networkDir, `${made.name}.conflist`), made.conflist);
      network = made.name;
    }
    const mac = guestMac();
    const container = `guestbench-${spec.name}`;
    const labels = [
      '--label',
      'org.guestbench=1',
      ...(options.campaign ? ['--label', `org.guestbench.campaign=${options.campaign}`] : []),
    ];
    const run = await podman(
      sourceHost,
      [
        'run',
        '-d',
        '--name',
        container,
        ...labels,
        '--network',
        network,
        '--ip',
        pair.lan.guestAddress,
        '--mac-address',
        mac,
        '--volume',
        `${migrationVolume(container)}:${VOLUME_DIR}`,
        // the configuration's size, as cgroup limits: what a VM's vCPUs and memory are to it
        '--memory',
        `${spec.memoryMiB}m`,
        '--cpus',
        String(spec.vcpus),
        images.dockerImage,
        'sh',
        '-c',
        migratingContainerScript(),
      ],
      // not cancelled: a podman killed while it changes a container's state can leave its lock held, and every
      // later podman command on that storage hangs (podman#11283); `run -d` returns within seconds
      { netns: pair.source.netns, timeoutMs: 120_000 },
    );
    if (run.exitCode !== 0) {
      rmSync(dir, { recursive: true, force: true });
      for (const host of [sourceHost, targetHost])
        rmSync(path.join(host.networkDir, `${network}.conflist`), { force: true });
      throw new BackendError(`podman run on the source host failed: ${podmanFailure(run)}`, { backend: 'podman' });
    }
    const source = new PodmanCliGuest(spec, sourceHost, pair.source.netns, container);
    return new ContainerMigration(pair, targetHost, dir, network, mac, source, options.preDump);
  }

  get target(): PodmanCliGuest | undefined {
    return this.#target;
  }

  #channel: LinkTransferChannel | undefined;

  // the target's storage has the image and its network the pair's LAN; the archive's two ends start listening
  async prepareTarget(signal?: AbortSignal): Promise<void> {
    this.#channel = await openLinkTransfer(this.pair, this.#received(), signal);
  }

  #received(): string {
    return path.join(this.dir, 'dst', 'checkpoint.tar');
  }

  async migrate(options: MigrateOptions): Promise<MigrationOutcome> {
    const { signal } = options;
    const archive = path.join(this.dir, 'src', 'checkpoint.tar');
    const received = this.#received();
    const channel = this.#channel;
    if (!channel) throw new BackendError('migrate: prepare the target first', { backend: 'podman' });
    this.#counterBefore = await this.source.counter();
    const issuedNs = process.hrtime.bigint();
    // checkpoint and restore run to their end on Ctrl-C (a podman killed mid-way can leave the container's lock
    // held, podman#11283); the abort is honoured between the steps
    const interrupted = (): void => {
      if (signal?.aborted) throw new AbortedError('Migration interrupted', { cause: signal.reason });
    };
    interrupted();
    const dumped = await podman(
      this.source.host,
      ['container', 'checkpoint', '--export', archive, '--print-stats', this.source.container],
      { netns: this.pair.source.netns, timeoutMs: options.timeoutMs },
    );
    interrupted();
    if (dumped.exitCode !== 0)
      throw new BackendError(`podman container checkpoint failed: ${podmanFailure(dumped)}`, { backend: 'podman' });
    const checkpointedNs = process.hrtime.bigint();
    const moved = await channel.send(archive);
    const transferredNs = process.hrtime.bigint();
    // the container is frozen on the source since the checkpoint: from the restore on, only the target can answer
    const switchedNs = process.hrtime.bigint();
    interrupted();
    const restored = await podman(this.targetHost, ['container', 'restore', '--import', received, '--print-stats'], {
      netns: this.pair.target.netns,
      timeoutMs: options.timeoutMs,
    });
    if (restored.exitCode !== 0)
      throw new BackendError(`podman container restore on the target failed: ${podmanFailure(restored)}`, {
        backend: 'podman',
      });
    const restoredNs = process.hrtime.bigint();
    this.#target = new PodmanCliGuest(this.source.spec, this.targetHost, this.pair.target.netns, this.source.container);
    const checkpointStats = parsePodmanStats(String(dumped.stdout));
    const restoreStats = parsePodmanStats(String(restored.stdout));
    const archiveBytes = statSync(archive).size;
    const values: MeasuredValues = [...criuFigures(checkpointStats, restoreStats), ['snapshot_size', archiveBytes]];
    const since = (ns: bigint): number => Number(ns - issuedNs) / 1e6;
    const between = (from: bigint, to: bigint): number => Number(to - from) / 1e6;
    return {
      issuedNs,
      switchedNs,
      measuredBy: 'criu',
      values,
      phases: [
        ['phase_checkpoint', between(issuedNs, checkpointedNs)],
        ['phase_transfer', between(checkpointedNs, transferredNs)],
        ['phase_restore', between(switchedNs, restoredNs)],
      ],
      record: {
        ...this.#record(),
        checkpoint: { stats: checkpointStats, doneMs: since(checkpointedNs), archiveBytes },
        transfer: { ...moved, doneMs: since(transferredNs) },
        restore: { stats: restoreStats, startedMs: since(switchedNs), doneMs: since(restoredNs) },
      },
    };
  }

  /** The counter in the container's memory before the checkpoint and on the target now. */
  async continuity(): Promise<Continuity> {
    const before = this.#counterBefore;
    const target = this.#target;
    if (before === undefined || !target)
      throw new BackendError('continuity: the container has not migrated', { backend: 'podman' });
    const after = await target.counter();
    const volume = await target.exec(['sh', '-c', `cd ${VOLUME_DIR} && sha256sum -c sum`], { timeoutMs: 30_000 });
    // a container started afresh would count from 1 again
    return {
      what: `the counter in the container's memory (${COUNTER_FILE}, +1 every 0.1 s); the ${VOLUME_DATA_MIB} MiB in its volume (${VOLUME_DIR}) ${volume.exitCode === 0 ? 'matches' : 'does NOT match'} its checksum on the target`,
      before,
      after,
      kept: Number.isFinite(after) && after >= before && volume.exitCode === 0,
    };
  }

  #record(): RawRecord {
    return {
      preDump: this.preDump,
      container: this.source.container,
      network: this.network,
      mac: this.mac,
      sourceHost: this.source.host.dir,
      targetHost: this.targetHost.dir,
    };
  }

  async failureRecord(): Promise<RawRecord> {
    const logs = async (guest: PodmanCliGuest | undefined) =>
      guest
        ? String(
            (
              await podman(guest.host, ['logs', '--tail', '20', guest.container], {
                netns: guest.netns,
                timeoutMs: 30_000,
              })
            ).stdout,
          )
        : undefined;
    return { ...this.#record(), sourceLogs: await logs(this.source), targetLogs: await logs(this.#target) };
  }

  async close(): Promise<void> {
    this.#channel?.close();
    await Promise.allSettled([this.source.stop(), this.#target?.stop()]);
    // the target's copy of the volume is a named volume of its own, left by `rm -v`
    const volume = migrationVolume(this.source.container);
    await Promise.allSettled(
      [this.source.host, this.targetHost].map((host) =>
        podman(host, ['volume', 'rm', '-f', volume], { timeoutMs: 60_000 }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
    for (const host of [this.source.host, this.targetHost])
      rmSync(path.join(host.networkDir, `${this.network}.conflist`), { force: true });
  }
}

/** Can CRIU copy memory while the container runs (iterative pre-dump)? It needs the kernel's dirty tracking. */
export async function preDumpSupport(): Promise<{ usable: boolean; reason: string }> {
  const run = await execa(criuBinary(), ['check', '--feature', 'mem_dirty_track'], {
    reject: false,
    all: true,
    stdin: 'ignore',
  });
  return run.exitCode === 0
    ? { usable: true, reason: 'CRIU can track dirty memory here' }
    : {
        usable: false,
        reason: `\`criu check --feature mem_dirty_track\` fails (${firstLine(String(run.all).trim() || 'no output')}): no iterative pre-dump, the checkpoint is one stop-and-copy`,
      };
}

/** The podman backend's live migration. */
export function podmanLiveMigration(sourceHost: PodmanHost, images: ImageSet, campaign?: string): LiveMigration {
  const targetHost = podmanHost('migration-target', sourceHost.runtime);
  let preDump: ReturnType<typeof preDumpSupport> | undefined;
  return {
    method: `podman container checkpoint --export on the source host (CRIU: processes, memory, changed files and the container's volume, ${VOLUME_DATA_MIB} MiB of random data at ${VOLUME_DIR}, in one archive), the archive sent over the shaped migration link, podman container restore --import on the target host (its own storage); same LAN address and MAC, announced by the CNI bridge plugin; one stop-and-copy (no pre-dump where the kernel lacks dirty tracking)`,
    measuredBy: 'criu',
    ownsTiming: false,
    async check() {
      const criu = await checkCriu();
      if (!criu.usable) return { usable: false, reason: criu.problem ?? 'CRIU does not work here', fix: CRIU_FIX };
      const support = await (preDump ??= preDumpSupport());
      return { usable: true, detail: `criu ${criu.version ?? ''}; ${support.reason}` };
    },
    open: async (spec, options) =>
      ContainerMigration.open(sourceHost, targetHost, images, spec, {
        pair: options.pair,
        preDump: (await (preDump ??= preDumpSupport())).reason,
        ...(campaign ? { campaign } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      }),
  };
}

/** The hosts a podman migration uses, for cleanup. */
export function podmanMigrationHosts(runtime: PodmanHost['runtime']): PodmanHost[] {
  return [podmanHost('default', runtime), podmanHost('migration-target', runtime)];
}
