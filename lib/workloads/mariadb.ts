/**
 * A MariaDB server inside a guest, for the OLTP workload: a fresh data directory on the guest's
 * scratch storage, the server on a unix socket only (VMs have no network), a database and a user
 * for sysbench whose password is random per campaign and never leaves memory except inside the
 * guest (a 0600 sysbench option file there). Only the password's hash crosses a command line.
 *
 * ```ts
 * const credentials = newCredentials();
 * const server = await startMariadb(guest, { dir: '/scratch/mariadb', credentials, database: 'sbtest' });
 * await guest.exec(['sysbench', `--config-file=${server.layout.sysbenchConfig}`, 'oltp_read_write', 'run']);
 * await server.stop();
 * ```
 */
import { createHash, randomBytes } from 'node:crypto';
import type { ExecResult, Guest } from '../backends/guest.js';
import { backendDescriptor } from '../model/backends.js';
import { UsageError } from '../util/errors.js';
import { execChecked, redactor, WorkloadError, type Redact } from './guest-exec.js';

/** The account sysbench uses. */
export interface MariadbCredentials {
  user: string;
  /** random, [A-Za-z0-9_-]; never written to results, raw output or logs */
  password: string;
}

/** Environment variable that fixes the password instead of a random one (tests use it to look for leaks). */
export const PASSWORD_ENV = 'GUESTBENCH_MYSQL_PASSWORD';

/** A random password (144 bits), or $GUESTBENCH_MYSQL_PASSWORD when set. */
export function newCredentials(env: NodeJS.ProcessEnv = process.env): MariadbCredentials {
  const fixed = env[PASSWORD_ENV];
  if (fixed !== undefined && !/^[A-Za-z0-9_-]{12,128}$/.test(fixed)) {
    throw new UsageError(`Expected $${PASSWORD_ENV} to be 12-128 letters, digits, '_' or '-'`, {
      fix: `unset ${PASSWORD_ENV} for a random password`,
    });
  }
  return { user: 'sbtest', password: fixed ?? randomBytes(18).toString('base64url') };
}

/** The `mysql_native_password` hash of a password: `*` + SHA1(SHA1(password)) in upper-case hex. */
export function nativePasswordHash(password: string): string {
  const inner = createHash('sha1').update(password, 'utf8').digest();
  return `*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`;
}

/** Files of one server under its base directory. */
export interface MariadbLayout {
  base: string;
  datadir: string;
  /**
   * the server's own temporary directory: servers started at once on one host must not share /tmp (their temp table
   * names collide)
   */
  tmpdir: string;
  socket: string;
  pidFile: string;
  errorLog: string;
  /** sysbench option file with the connection (and the password), mode 0600 */
  sysbenchConfig: string;
}

/** Longest unix socket path Linux accepts (sun_path is 108 bytes with its terminating NUL). */
export const MAX_SOCKET_PATH = 107;

/**
 * The layout under `base`. The socket lives there too unless that path would exceed
 * MAX_SOCKET_PATH (a deep scratch directory), in which case it goes to /tmp under a name derived
 * from `base`, so it stays unique per server and the server removes it when it stops.
 */
export function mariadbLayout(base: string): MariadbLayout {
  const beside = `${base}/mysqld.sock`;
  const socket =
    Buffer.byteLength(beside) <= MAX_SOCKET_PATH
      ? beside
      : `/tmp/guestbench-mysqld-${createHash('sha256').update(base).digest('hex').slice(0, 16)}.sock`;
  return {
    base,
    datadir: `${base}/data`,
    tmpdir: `${base}/tmp`,
    socket,
    pidFile: `${base}/mysqld.pid`,
    errorLog: `${base}/mysqld.err`,
    sysbenchConfig: `${base}/sysbench.cnf`,
  };
}

/**
 * How the server runs, for campaign parameters. `--no-defaults`: MariaDB's compiled-in defaults
 * (128 MiB buffer pool, 96 MiB redo log, ...), identical on the host and in the guests, whatever
 * their /etc/mysql says; no TCP (the VMs have no network), no DNS.
 */
export const MARIADB_SERVER_OPTIONS: readonly string[] = ['--no-defaults', '--skip-networking', '--skip-name-resolve'];

// the OS user the steps run as: MariaDB's unix_socket account and --user must name it
const AS_SELF = '"$(id -un)"';

/** argv that creates the data directory (system tables; unix_socket authentication for the OS user). */
export function installDbCommand(layout: MariadbLayout): string[] {
  // --force: a guest's hostname does not resolve, which the script would otherwise refuse;
  // --tmpdir: bootstrap servers running at once on the bare host collide in a shared /tmp
  return [
    'sh',
    '-c',
    `mkdir -p "$1" "$3" && mariadb-install-db --no-defaults --user=${AS_SELF} --datadir="$2" --tmpdir="$3" --auth-root-authentication-method=socket --skip-test-db --force >"$1/install.log" 2>&1 || { grep -m 3 -i error "$1/install.log"; exit 1; }`,
    'sh',
    layout.base,
    layout.datadir,
    layout.tmpdir,
  ];
}

/** The server's argv (foreground). */
export function serverArgs(layout: MariadbLayout): string[] {
  return [
    'mariadbd',
    ...MARIADB_SERVER_OPTIONS,
    `--datadir=${layout.datadir}`,
    `--tmpdir=${layout.tmpdir}`,
    `--socket=${layout.socket}`,
    `--pid-file=${layout.pidFile}`,
    `--log-error=${layout.errorLog}`,
  ];
}

/** argv that starts the server in the background and returns at once (the guest's stop ends it). */
export function backgroundServerCommand(layout: MariadbLayout): string[] {
  return ['sh', '-c', `"$@" --user=${AS_SELF} </dev/null >/dev/null 2>&1 &`, 'sh', ...serverArgs(layout)];
}

/**
 * argv that runs the server in the foreground until it stops (for the bare host; see startMariadb).
 * Under `setpriv --pdeathsig TERM` where available, so the server also ends if the runner is killed.
 */
export function foregroundServerCommand(layout: MariadbLayout): string[] {
  return [
    'sh',
    '-c',
    `u=${AS_SELF}; if command -v setpriv >/dev/null 2>&1; then exec setpriv --pdeathsig TERM -- "$@" --user="$u"; fi; exec "$@" --user="$u"`,
    'sh',
    ...serverArgs(layout),
  ];
}

/** argv that exits 0 once the server accepts connections on its socket. */
export function pingCommand(layout: MariadbLayout): string[] {
  return ['mariadb-admin', '--no-defaults', `--socket=${layout.socket}`, '--connect-timeout=5', 'ping'];
}

/** argv that runs SQL as the OS user (unix_socket authentication), printing results without headers. */
export function sqlCommand(layout: MariadbLayout, sql: string): string[] {
  return ['sh', '-c', `exec mariadb --no-defaults --socket="$1" -u ${AS_SELF} -N -B -e "$2"`, 'sh', layout.socket, sql];
}

/** SQL that creates the database and the sysbench account (by password hash), then prints the server version. */
export function setupSql(credentials: MariadbCredentials, database: string): string {
  return [
    `CREATE DATABASE ${database}`,
    `CREATE USER '${credentials.user}'@'localhost' IDENTIFIED BY PASSWORD '${nativePasswordHash(credentials.password)}'`,
    `GRANT ALL PRIVILEGES ON ${database}.* TO '${credentials.user}'@'localhost'`,
    'SELECT VERSION()',
  ].join('; ');
}

/** argv that writes the sysbench option file (mode 0600). It carries the password: never log it. */
export function writeSysbenchConfigCommand(
  layout: MariadbLayout,
  credentials: MariadbCredentials,
  database: string,
): string[] {
  return [
    'sh',
    '-c',
    'umask 077; f=$1; shift; printf "%s\\n" "$@" >"$f"',
    'sh',
    layout.sysbenchConfig,
    `mysql-socket=${layout.socket}`,
    `mysql-user=${credentials.user}`,
    `mysql-password=${credentials.password}`,
    `mysql-db=${database}`,
  ];
}

/** argv that shuts the server down cleanly. */
export function shutdownCommand(layout: MariadbLayout): string[] {
  return ['sh', '-c', `exec mariadb-admin --no-defaults --socket="$1" -u ${AS_SELF} shutdown`, 'sh', layout.socket];
}

/** A started server. */
export interface MariadbServer {
  layout: MariadbLayout;
  /** `SELECT VERSION()`, e.g. 10.11.18-MariaDB-0+deb12u1 */
  version: string;
  /** shuts the server down and waits for it (a foreground server's exec to end); safe to call twice */
  stop(signal?: AbortSignal): Promise<void>;
}

/** Options of {@link startMariadb}. */
export interface StartMariadbOptions {
  /** base directory on the guest's scratch storage (created) */
  base: string;
  credentials: MariadbCredentials;
  database: string;
  signal?: AbortSignal;
  /** bound on the server accepting connections, milliseconds (default 180 000: TCG guests take ~10 s) */
  readyTimeoutMs?: number;
}

/**
 * Creates a data directory, starts the server, waits until it answers, creates the database and
 * the sysbench account, and writes the sysbench option file. On the bare host the server runs as a
 * foreground exec of the guest (so stopping the native guest, or the runner dying, ends it: see
 * NativeGuest.stop and execa's cleanup); in VMs and containers it runs in the background and dies
 * with the guest. Every error is a WorkloadError with the password masked.
 */
/**
 * On the bare host nothing takes a background server down with its guest (a VM or a container
 * does, when it stops): there the server runs as a foreground exec, which the guest's stop ends.
 */
function onBareHost(guest: Guest): boolean {
  return backendDescriptor(guest.backend).kind === 'host';
}

export async function startMariadb(guest: Guest, options: StartMariadbOptions): Promise<MariadbServer> {
  const layout = mariadbLayout(options.base);
  const redact = redactor(options.credentials.password);
  const step = (what: string) => ({ what, signal: options.signal, timeoutMs: 600_000, redact });
  const found = await guest.exec(['sh', '-c', 'command -v mariadbd && command -v mariadb-install-db'], {
    signal: options.signal,
    timeoutMs: 60_000,
  });
  if (found.exitCode !== 0) {
    const fix = onBareHost(guest)
      ? "apt-get install mariadb-server on the host (guestbench starts its own servers, never the host's)"
      : 'run `guestbench images build` (the guest image installs mariadb-server)';
    // the fix in the message too: an errored row keeps only the message
    throw new WorkloadError(
      `No MariaDB server in ${guest.spec.name} (${guest.backend}): mariadbd or mariadb-install-db is not on its PATH; ${fix}`,
      { fix },
    );
  }
  await execChecked(guest, installDbCommand(layout), step('mariadb-install-db'));

  let foreground: Promise<ExecResult | Error> | undefined;
  if (onBareHost(guest)) {
    foreground = guest
      .exec(foregroundServerCommand(layout))
      .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  } else {
    await execChecked(guest, backgroundServerCommand(layout), step('start mariadbd'));
  }
  const stop = stopper(guest, layout, foreground);
  try {
    await waitForServer(guest, layout, foreground, options, redact);
    const setup = await execChecked(
      guest,
      sqlCommand(layout, setupSql(options.credentials, options.database)),
      step('create the sysbench database and account'),
    );
    await execChecked(guest, writeSysbenchConfigCommand(layout, options.credentials, options.database), {
      ...step('write the sysbench option file'),
      shownAs: `(writes ${layout.sysbenchConfig}, password not shown)`,
    });
    return { layout, version: setup.stdout.trim().split('\n').at(-1) ?? 'unknown', stop };
  } catch (error) {
    await stop(AbortSignal.timeout(60_000)).catch(() => undefined);
    throw error;
  }
}

async function waitForServer(
  guest: Guest,
  layout: MariadbLayout,
  foreground: Promise<ExecResult | Error> | undefined,
  options: StartMariadbOptions,
  redact: Redact,
): Promise<void> {
  const timeoutMs = options.readyTimeoutMs ?? 180_000;
  const deadline = Date.now() + timeoutMs;
  let exited: ExecResult | Error | undefined;
  void foreground?.then((result) => {
    exited = result;
  });
  for (let wait = 100; ; wait = Math.min(wait * 1.5, 1_000)) {
    if (options.signal?.aborted) throw new WorkloadError(`Aborted while waiting for mariadbd in ${guest.spec.name}`);
    const ping = await guest
      .exec(pingCommand(layout), { signal: options.signal, timeoutMs: 30_000 })
      .catch(() => undefined);
    if (ping?.exitCode === 0) return;
    if (exited !== undefined || Date.now() > deadline) {
      const log = await guest.exec(['tail', '-n', '5', layout.errorLog], { timeoutMs: 30_000 }).catch(() => undefined);
      const why =
        exited !== undefined ? 'mariadbd exited' : `mariadbd did not answer within ${Math.round(timeoutMs / 1000)} s`;
      throw new WorkloadError(
        redact(
          `${why} in ${guest.spec.name}: ${serverArgs(layout).join(' ')}${log?.stdout ? `\n${log.stdout.trim()}` : ''}`,
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function stopper(
  guest: Guest,
  layout: MariadbLayout,
  foreground: Promise<ExecResult | Error> | undefined,
): (signal?: AbortSignal) => Promise<void> {
  let stopping: Promise<void> | undefined;
  return (signal) => {
    stopping ??= (async () => {
      await guest.exec(shutdownCommand(layout), { signal, timeoutMs: 60_000 }).catch(() => undefined);
      // a foreground server's exec ends when it has shut down (the timer must not keep the runner alive)
      if (foreground) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([foreground, new Promise((resolve) => (timer = setTimeout(resolve, 60_000)))]);
        clearTimeout(timer);
      }
    })();
    return stopping;
  };
}
