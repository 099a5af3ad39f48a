/**
 * density-mysql (thesis section 4.5.3, Figures 4.14-4.19, Tables 4.4-4.5): a MariaDB server in each
 * of N guests at once (on the bare host: N servers), each loaded by sysbench `oltp_read_write` with 6
 * threads over its unix socket.
 *
 * The sysbench account's password is random per campaign session (or $GUESTBENCH_MYSQL_PASSWORD) and
 * is kept out of campaign.json, samples, raw output and logs: the server gets only its hash, sysbench
 * reads it from a 0600 option file inside the guest, and every message is masked.
 */
import type { Guest } from '../backends/guest.js';
import { backendDescriptor, type BackendName } from '../model/backends.js';
import type { DensityMysqlParams, OltpParams, ScratchSpec } from '../results/parameters.js';
import type { MetricName } from '../results/schema.js';
import { execChecked, redactor } from '../workloads/guest-exec.js';
import {
  MARIADB_SERVER_OPTIONS,
  newCredentials,
  startMariadb,
  type MariadbCredentials,
  type MariadbServer,
} from '../workloads/mariadb.js';
import { oltpMetrics, oltpPrepareCommand, oltpRunCommand, parseOltpOutput } from '../workloads/sysbench-oltp.js';
import { guestsFor, peakLoads, type ExperimentDefinition, type ParameterRequest } from './definition.js';
import { runDensity } from './density.js';
import { guestsPerKind, type ProfileName } from './profiles.js';
import { checkScratchRoot, nativeScratchRoot, storageNote } from './scratch-plan.js';
import { requireScratch, type Workload } from './workload.js';

export type { DensityMysqlParams };

/** A profile of density-mysql. */
export interface DensityMysqlProfile {
  oltp: OltpParams;
  /** each VM's scratch disk, MiB: data directory (~115 MiB empty, mostly redo log) plus the table */
  vmDiskMiB: number;
  guests: Record<BackendName, number[]>;
  repeats: number;
  vcpus: number;
  memoryMiB: number;
  containerLimits: boolean;
}

/** density-mysql per profile. */
export const DENSITY_MYSQL_PROFILES: Record<ProfileName, DensityMysqlProfile> = {
  thesis: {
    // thesis: 1,000,000 rows, 6 threads, read/write, 60 s, maximum requests 0
    oltp: { test: 'oltp_read_write', tables: 1, tableSize: 1_000_000, threads: 6, timeSeconds: 60 },
    vmDiskMiB: 2048,
    guests: guestsPerKind({ host: [1], container: [1, 2, 4, 8, 12], vm: [1, 2, 4, 8] }),
    repeats: 10,
    vcpus: 1,
    memoryMiB: 1024,
    containerLimits: false,
  },
  quick: {
    // a 10,000-row table loads in ~10 s in a TCG guest; 6 threads as in the thesis
    oltp: { test: 'oltp_read_write', tables: 1, tableSize: 10_000, threads: 6, timeSeconds: 5 },
    vmDiskMiB: 512,
    guests: guestsPerKind({ host: [1], container: [1, 2, 4], vm: [1, 2] }),
    repeats: 3,
    vcpus: 1,
    memoryMiB: 1024,
    containerLimits: false,
  },
};

const DATABASE = 'sbtest';

/** Derives a campaign's parameters from a profile and the command line. */
export function densityMysqlParameters(request: ParameterRequest): DensityMysqlParams {
  const profile = DENSITY_MYSQL_PROFILES[request.profile];
  const guests = guestsFor(request, profile.guests);
  const root = nativeScratchRoot();
  if (request.backends.some((backend) => backendDescriptor(backend).kind === 'host')) checkScratchRoot(root);
  // writeback: the thesis's (libvirt's default); the server's own O_DIRECT/fsync policy decides the rest
  const scratch: ScratchSpec = { sizeMiB: profile.vmDiskMiB, cache: 'writeback' };
  return {
    oltp: profile.oltp,
    server: {
      options: MARIADB_SERVER_OPTIONS,
      database: DATABASE,
      user: 'sbtest',
      connection: "unix socket in the data directory's parent on the guest's scratch storage (no TCP)",
      password:
        'random per campaign session (144 bits) or $GUESTBENCH_MYSQL_PASSWORD; never stored; the server gets its mysql_native_password hash',
    },
    guests,
    repeats: request.repeats ?? profile.repeats,
    vcpus: profile.vcpus,
    memoryMiB: profile.memoryMiB,
    containerLimits: profile.containerLimits,
    scratch,
    nativeScratchRoot: root,
    storage: storageNote(request.backends, scratch, root),
    phases:
      "untimed before the first repeat of each N, in every guest at once: mariadb-install-db into a fresh data directory on the guest's scratch storage, mariadbd started on a unix socket, database and account created, `sysbench oltp_read_write prepare`; the table is reused by the repeats; untimed after the last: mariadbd shut down, native directories removed",
  };
}

/** The OLTP workload: a MariaDB server per guest, sysbench against it. */
export function sysbenchOltpWorkload(params: DensityMysqlParams, credentials: MariadbCredentials): Workload {
  const servers = new Map<Guest, MariadbServer>();
  const redact = redactor(credentials.password);
  const serverOf = (guest: Guest): MariadbServer => {
    const server = servers.get(guest);
    if (server === undefined) throw new Error(`sysbench oltp: ${guest.spec.name} was not prepared`);
    return server;
  };
  return {
    name: 'sysbench-oltp',
    command: oltpRunCommand(params.oltp, '<option file>'),
    async prepare(guest, signal) {
      const dir = await requireScratch(guest).prepare(signal);
      const server = await startMariadb(guest, {
        base: `${dir}/mariadb`,
        credentials,
        database: params.server.database,
        signal,
      });
      servers.set(guest, server);
      await execChecked(guest, oltpPrepareCommand(params.oltp, server.layout.sysbenchConfig), {
        what: 'sysbench oltp_read_write prepare',
        signal,
        redact,
      });
    },
    // the raw output starts with the server's version: every number traces back to its server
    commandFor: (guest) => {
      const server = serverOf(guest);
      return [
        'sh',
        '-c',
        `echo "# guestbench: MariaDB server $1"; shift; exec "$@"`,
        'sh',
        server.version,
        ...oltpRunCommand(params.oltp, server.layout.sysbenchConfig),
      ];
    },
    parse: (stdout) => oltpMetrics(parseOltpOutput(stdout)),
    async cleanup(guest, signal) {
      const server = servers.get(guest);
      servers.delete(guest);
      await server?.stop(signal);
      await requireScratch(guest).cleanup(signal);
    },
  };
}

/** Metrics the notebook leads with. */
export const MYSQL_HEADLINE_METRICS: readonly MetricName[] = [
  'transactions_per_s',
  'transactions',
  'reads',
  'writes',
  'events',
];

export const densityMysql: ExperimentDefinition<DensityMysqlParams> = {
  name: 'density-mysql',
  summary: 'MariaDB in N guests at once, each loaded by sysbench oltp_read_write (6 threads)',
  thesis: 'Figures 4.14-4.19, Tables 4.4-4.5',
  minGuests: 1,
  uses: ['scratch'],
  parameters: (request) => densityMysqlParameters(request),
  containerLimits: (params) => params.containerLimits,
  resources: (params) => ({ loads: peakLoads(params.guests, params.memoryMiB), disks: [] }),
  run: (context, params) =>
    runDensity(context, {
      experiment: 'density-mysql',
      // generated here, not in parameters(): campaign.json must never hold it
      workload: sysbenchOltpWorkload(params, newCredentials()),
      guests: params.guests,
      repeats: params.repeats,
      vcpus: params.vcpus,
      memoryMiB: params.memoryMiB,
      scratch: { ...params.scratch, hostRoot: params.nativeScratchRoot },
      runTimeoutMs: params.oltp.timeSeconds * 1000 + 10 * 60_000,
      // loading 1,000,000 rows in a TCG guest takes tens of minutes
      prepareTimeoutMs: 4 * 60 * 60_000,
      readyTimeoutMs: 180_000,
    }),
};
