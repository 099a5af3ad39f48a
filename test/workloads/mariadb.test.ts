import { describe, expect, it } from 'vitest';
import {
  backgroundServerCommand,
  foregroundServerCommand,
  installDbCommand,
  MAX_SOCKET_PATH,
  mariadbLayout,
  nativePasswordHash,
  newCredentials,
  pingCommand,
  setupSql,
  shutdownCommand,
  sqlCommand,
  startMariadb,
  writeSysbenchConfigCommand,
} from '../../lib/workloads/mariadb.js';
import type { ExecResult, Guest } from '../../lib/backends/guest.js';
import { inDirectory, redactor, shellQuote } from '../../lib/workloads/guest-exec.js';

const layout = mariadbLayout('/scratch/mariadb');
const credentials = { user: 'sbtest', password: 'Secret_pw-1234567890' };

describe('MariaDB credentials', () => {
  it('are random per call, 144 bits in base64url', () => {
    const a = newCredentials({});
    const b = newCredentials({});
    expect(a.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(a.password).not.toBe(b.password);
    expect(a.user).toBe('sbtest');
  });

  it('can be fixed by $GUESTBENCH_MYSQL_PASSWORD, which is validated', () => {
    expect(newCredentials({ GUESTBENCH_MYSQL_PASSWORD: 'abcdefghijkl_1' }).password).toBe('abcdefghijkl_1');
    expect(() => newCredentials({ GUESTBENCH_MYSQL_PASSWORD: "x'; DROP" })).toThrow(/GUESTBENCH_MYSQL_PASSWORD/);
    expect(() => newCredentials({ GUESTBENCH_MYSQL_PASSWORD: 'short' })).toThrow(/12-128/);
  });

  it('hash like MySQL PASSWORD() (mysql_native_password)', () => {
    // MySQL's documented PASSWORD('password'); and the hash a MariaDB 10.11 guest accepted for pw123
    expect(nativePasswordHash('password')).toBe('*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
    expect(nativePasswordHash('pw123')).toBe('*0E3F627084AC4D30F4C5CE29E94187DCD60A7F21');
  });
});

describe('MariaDB commands', () => {
  it('never carry the password, except the option-file writer', () => {
    const sql = setupSql(credentials, 'sbtest');
    expect(sql).toContain(`IDENTIFIED BY PASSWORD '${nativePasswordHash(credentials.password)}'`);
    for (const argv of [
      installDbCommand(layout),
      backgroundServerCommand(layout),
      foregroundServerCommand(layout),
      pingCommand(layout),
      sqlCommand(layout, sql),
      shutdownCommand(layout),
    ]) {
      expect(argv.join(' ')).not.toContain(credentials.password);
    }
    const writer = writeSysbenchConfigCommand(layout, credentials, 'sbtest');
    expect(writer).toContain(`mysql-password=${credentials.password}`);
    expect(writer[2]).toMatch(/^umask 077;/);
    expect(writer).toContain('mysql-socket=/scratch/mariadb/mysqld.sock');
  });

  it('run the server on a unix socket only, with compiled-in defaults, as the calling OS user', () => {
    const argv = backgroundServerCommand(layout);
    expect(argv).toEqual(
      expect.arrayContaining([
        'mariadbd',
        '--no-defaults',
        '--skip-networking',
        '--datadir=/scratch/mariadb/data',
        '--socket=/scratch/mariadb/mysqld.sock',
      ]),
    );
    // a private tmpdir: servers started at once on the bare host collide in a shared /tmp
    expect(argv).toContain('--tmpdir=/scratch/mariadb/tmp');
    expect(installDbCommand(layout)[2]).toContain('--tmpdir="$3"');
    expect(installDbCommand(layout).slice(-3)).toEqual([
      '/scratch/mariadb',
      '/scratch/mariadb/data',
      '/scratch/mariadb/tmp',
    ]);
    expect(argv[2]).toContain('--user="$(id -un)"');
    // detached from the exec's pipes, so the agent / engine sees the command end
    expect(argv[2]).toMatch(/<\/dev\/null >\/dev\/null 2>&1 &$/);
    expect(foregroundServerCommand(layout)[2]).toContain('setpriv --pdeathsig TERM');
  });

  it('keep the socket path well under the 107-byte limit', () => {
    expect(
      mariadbLayout('/var/tmp/guestbench-scratch-2026-11-22T00-27-38Z-30f1-ab12-native-n12-g12/mariadb').socket.length,
    ).toBeLessThan(108);
  });
});

describe('guest exec helpers', () => {
  it('mask every occurrence of a secret', () => {
    expect(redactor('s3cret', '')('a s3cret and s3cret')).toBe('a *** and ***');
  });

  it('quote for sh and run in a directory', () => {
    expect(shellQuote('/scratch/fileio')).toBe('/scratch/fileio');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(inDirectory('/scratch/fileio', ['sysbench', 'fileio', 'run'])).toEqual([
      'sh',
      '-c',
      'cd /scratch/fileio && exec "$@"',
      'sh',
      'sysbench',
      'fileio',
      'run',
    ]);
  });
});

describe('startMariadb (against a scripted guest)', () => {
  function scriptedGuest(
    backend: Guest['backend'],
    answer: (argv: readonly string[]) => Partial<ExecResult>,
  ): { guest: Guest; calls: string[][] } {
    const calls: string[][] = [];
    const guest = {
      backend,
      accel: 'none',
      spec: { name: 'g1', vcpus: 1, memoryMiB: 1024 },
      async exec(argv: readonly string[]) {
        calls.push([...argv]);
        return { argv, exitCode: 0, stdout: '', stderr: '', startedNs: 0n, endedNs: 0n, ...answer(argv) };
      },
    } as unknown as Guest;
    return { guest, calls };
  }

  it('creates, starts, waits, sets up and writes the option file; only that last step sees the password', async () => {
    const { guest, calls } = scriptedGuest('docker', (argv) =>
      argv.join(' ').includes('SELECT VERSION()') ? { stdout: '10.11.18-MariaDB-0+deb12u1\n' } : {},
    );
    const server = await startMariadb(guest, { base: '/scratch/mariadb', credentials, database: 'sbtest' });
    expect(server.version).toBe('10.11.18-MariaDB-0+deb12u1');
    expect(server.layout.sysbenchConfig).toBe('/scratch/mariadb/sysbench.cnf');
    const withPassword = calls.filter((argv) => argv.join(' ').includes(credentials.password));
    expect(withPassword).toEqual([writeSysbenchConfigCommand(layout, credentials, 'sbtest')]);
    expect(calls.some((argv) => argv.join(' ').includes(nativePasswordHash(credentials.password)))).toBe(true);
  });

  it('masks the password in the error of a failing step', async () => {
    const { guest } = scriptedGuest('kvm', (argv) =>
      argv.join(' ').includes('umask 077')
        ? { exitCode: 1, stderr: `cannot write mysql-password=${credentials.password}` }
        : {},
    );
    const failure = await startMariadb(guest, { base: '/scratch/mariadb', credentials, database: 'sbtest' }).then(
      () => new Error('startMariadb succeeded'),
      (error: unknown) => error as Error,
    );
    expect(failure.message).toContain('write the sysbench option file failed in g1');
    expect(failure.message).toContain('mysql-password=***');
    expect(failure.message).not.toContain(credentials.password);
  });

  it('names the fix when the guest has no MariaDB server', async () => {
    const { guest } = scriptedGuest('native', (argv) =>
      argv.join(' ').includes('command -v mariadbd') ? { exitCode: 1 } : {},
    );
    await expect(startMariadb(guest, { base: '/var/tmp/x/mariadb', credentials, database: 'sbtest' })).rejects.toThrow(
      /No MariaDB server in g1 \(native\).*apt-get install mariadb-server/,
    );
  });
});

describe('mariadbLayout socket path', () => {
  it('keeps the socket beside the data while the path fits a unix socket', () => {
    expect(mariadbLayout('/var/tmp/guestbench-scratch-1-abcd-native-n1-g1/mariadb').socket).toBe(
      '/var/tmp/guestbench-scratch-1-abcd-native-n1-g1/mariadb/mysqld.sock',
    );
  });

  it('moves the socket to a short, per-server path when the scratch directory is deep', () => {
    const base = '/tmp/guestbench-e2e-mysql-scratch-BHuXtN/guestbench-scratch-14989-832e-5ca4-native-n1-g1/mariadb';
    const layout = mariadbLayout(base);
    expect(Buffer.byteLength(`${base}/mysqld.sock`)).toBeGreaterThan(MAX_SOCKET_PATH);
    expect(layout.socket).toMatch(/^\/tmp\/guestbench-mysqld-[0-9a-f]{16}\.sock$/);
    expect(layout.socket).not.toBe(mariadbLayout(`${base}x`).socket);
    expect(layout.datadir).toBe(`${base}/data`);
  });
});
