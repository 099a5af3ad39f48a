/**
 * Test hosts on this machine: each is a network namespace joined to the initial namespace by a veth
 * pair on a private /30 (10.214.K.0/30: the host's end .1, the namespace's .2; the migration host
 * pair of lib/network/host-pair.ts uses 10.213.x and 192.168.213.x), running Debian's own `sshd`
 * inside it with a config, a host key and an authorised client key made for the test in a temp
 * directory. The client side is one ssh config file (`ssh -F`) with a `Host` alias per test host, so
 * guestbench reaches a test host exactly as it reaches a user's: by an alias its OpenSSH knows, and
 * only at the namespace's address.
 *
 * Names carry the owning process's pid (`gbh-<pid>-<K>`, veth `gbh<pid>k<K>`): {@link createSshTestHosts}
 * first sweeps namespaces whose owner died, and a process exit hook removes the live ones, so a
 * failing or killed test leaves no sshd, namespace, veth or temp file behind.
 *
 * ```ts
 * const hosts = await createSshTestHosts(1);
 * try { await execa('ssh', ['-F', hosts.configFile, hosts.hosts[0].alias, 'true']); }
 * finally { await hosts.remove(); }
 * ```
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';

/** One namespace host. */
export interface SshTestHost {
  /** the `Host` alias in {@link SshTestHosts.configFile} */
  alias: string;
  /** an alias for the same address whose key sshd does not accept (a host that would ask for a password) */
  refusingAlias: string;
  /** the namespace's address, where sshd listens */
  address: string;
  /** network namespace name (`ip netns`) */
  netns: string;
  /** the initial namespace's end of the veth */
  veth: string;
  /** sshd's pid (in the initial pid namespace) */
  sshdPid: number;
}

/** A set of namespace hosts sharing one client config. */
export interface SshTestHosts {
  /** ssh client config naming every host's aliases: pass it as `ssh -F` (or GUESTBENCH_SSH_CONFIG) */
  configFile: string;
  /** the temp directory holding keys, configs and logs (removed by {@link SshTestHosts.remove}) */
  dir: string;
  hosts: SshTestHost[];
  /** stops sshd on one host (its namespace stays: connecting is then refused) */
  stopSshd(host: SshTestHost): Promise<void>;
  /** stops every sshd, deletes the namespaces, veths and the temp directory; safe to call twice */
  remove(): Promise<void>;
}

const PREFIX = 'gbh';
const SUBNET = '10.214';
const SSHD = '/usr/sbin/sshd';

/** The namespace and veth names of test host `index` owned by `owner` (pure). */
export function sshTestHostNames(owner: number, index: number): { netns: string; veth: string } {
  // interface names are at most 15 characters: 3 + 7 pid digits + 1 + 2 index digits
  return { netns: `${PREFIX}-${owner}-${index}`, veth: `${PREFIX}${owner}k${index}` };
}

/** Whether sshd and ssh are installed (a test skips with this reason when not). */
export function sshTestHostsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'namespace ssh hosts need root (ip netns)';
  if (!fs.existsSync(SSHD)) return 'no sshd: apt-get install openssh-server (scripts/setup.sh does)';
  const ssh = execFileSync('sh', ['-c', 'command -v ssh || true'], { encoding: 'utf8' }).trim();
  if (!ssh) return 'no ssh client: apt-get install openssh-client';
  return undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Kills every process in a namespace, then deletes it and the veth (synchronous: usable in an exit hook). */
function removeNamespaceSync(netns: string, veth: string): void {
  const pids = execFileSync('sh', ['-c', `ip netns pids ${netns} 2>/dev/null || true`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  execFileSync('sh', ['-c', `ip netns del ${netns} 2>/dev/null; ip link del ${veth} 2>/dev/null; true`]);
}

/** Namespaces (and their veths) of test hosts whose owning process is gone. */
function sweepStale(): void {
  const listed = execFileSync('sh', ['-c', 'ip netns list 2>/dev/null || true'], { encoding: 'utf8' });
  for (const line of listed.split('\n')) {
    const match = /^gbh-(\d+)-(\d+)\b/.exec(line);
    if (!match) continue;
    const owner = Number(match[1]);
    if (owner === process.pid || isAlive(owner)) continue;
    const names = sshTestHostNames(owner, Number(match[2]));
    removeNamespaceSync(names.netns, names.veth);
  }
}

const live = new Set<() => void>();
// names are unique per process: a second set made while the first lives gets the next indexes
let nextIndex = 0;
let hookRegistered = false;

function registerExitHook(): void {
  if (hookRegistered) return;
  hookRegistered = true;
  process.on('exit', () => {
    for (const remove of live) remove();
  });
}

/** The lowest K (0-63) whose 10.214.K.0/30 no interface of this machine holds. */
function freeSubnets(count: number): number[] {
  const addresses = execFileSync('ip', ['-o', 'addr', 'show'], { encoding: 'utf8' });
  const free: number[] = [];
  for (let k = 0; k < 64 && free.length < count; k += 1) {
    if (!addresses.includes(` ${SUBNET}.${k}.`)) free.push(k);
  }
  if (free.length < count) throw new Error(`no free ${SUBNET}.K.0/30 for ${count} test hosts`);
  return free;
}

async function run(file: string, args: string[]): Promise<void> {
  await execa(file, args, { stdin: 'ignore' });
}

function sshdConfig(dir: string, address: string, index: number): string {
  return [
    `ListenAddress ${address}`,
    'Port 22',
    `HostKey ${dir}/host_key`,
    `PidFile ${dir}/sshd-${index}.pid`,
    `AuthorizedKeysFile ${dir}/authorized_keys`,
    // the temp directory sits under /tmp, which StrictModes would refuse as world-writable
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PrintMotd no',
    'AllowTcpForwarding no',
    'X11Forwarding no',
    '',
  ].join('\n');
}

function clientConfig(dir: string, hosts: Array<{ alias: string; refusingAlias: string; address: string }>): string {
  const common = (key: string) => [
    `  User ${os.userInfo().username}`,
    `  IdentityFile ${dir}/${key}`,
    '  IdentitiesOnly yes',
    '  IdentityAgent none',
    `  UserKnownHostsFile ${dir}/known_hosts`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  PasswordAuthentication no',
  ];
  return (
    hosts
      .flatMap((host) => [
        `Host ${host.alias}`,
        `  HostName ${host.address}`,
        ...common('client_key'),
        `Host ${host.refusingAlias}`,
        `  HostName ${host.address}`,
        ...common('unauthorised_key'),
      ])
      .join('\n') + '\n'
  );
}

async function waitForSshd(address: string, logFile: string, pid: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new Error(`sshd exited at start: ${fs.readFileSync(logFile, 'utf8').trim()}`);
    const probe = await execa('bash', ['-c', `exec 3<>/dev/tcp/${address}/22`], { reject: false, stdin: 'ignore' });
    if (probe.exitCode === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`sshd did not listen on ${address}:22 within 10 s: ${fs.readFileSync(logFile, 'utf8').trim()}`);
}

/**
 * Creates `count` namespace hosts, each running its own sshd, and one client config with their
 * aliases (`gbh<K>`, `gbh<K>-refusing`). On any failure everything made so far is removed.
 */
export async function createSshTestHosts(count: number): Promise<SshTestHosts> {
  sweepStale();
  registerExitHook();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-sshhosts-'));
  const hosts: SshTestHost[] = [];
  // the sshd subprocesses: awaited after a kill, so none stays a zombie of this process
  const daemons = new Map<number, Promise<unknown>>();
  const removeSync = () => {
    for (const host of hosts) removeNamespaceSync(host.netns, host.veth);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  live.add(removeSync);
  const remove = async () => {
    removeSync();
    live.delete(removeSync);
    await Promise.all(daemons.values());
  };
  try {
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'guestbench-test-host', '-f', `${dir}/host_key`]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'guestbench-test', '-f', `${dir}/client_key`]);
    await run('ssh-keygen', [
      '-q',
      '-t',
      'ed25519',
      '-N',
      '',
      '-C',
      'guestbench-test',
      '-f',
      `${dir}/unauthorised_key`,
    ]);
    fs.copyFileSync(`${dir}/client_key.pub`, `${dir}/authorized_keys`);
    fs.chmodSync(`${dir}/authorized_keys`, 0o600);
    // sshd's privilege separation directory (Debian's ssh service makes it at boot)
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    const hostKey = fs.readFileSync(`${dir}/host_key.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    const subnets = freeSubnets(count);
    const known: string[] = [];
    for (const k of subnets) {
      const index = nextIndex++;
      const names = sshTestHostNames(process.pid, index);
      const hostEnd = `${SUBNET}.${k}.1`;
      const address = `${SUBNET}.${k}.2`;
      await run('ip', ['netns', 'add', names.netns]);
      const partial: SshTestHost = {
        alias: `gbh${k}`,
        refusingAlias: `gbh${k}-refusing`,
        address,
        netns: names.netns,
        veth: names.veth,
        sshdPid: 0,
      };
      hosts.push(partial);
      await run('ip', ['link', 'add', names.veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', names.netns]);
      await run('ip', ['addr', 'add', `${hostEnd}/30`, 'dev', names.veth]);
      await run('ip', ['link', 'set', names.veth, 'up']);
      await run('ip', ['-n', names.netns, 'addr', 'add', `${address}/30`, 'dev', 'eth0']);
      await run('ip', ['-n', names.netns, 'link', 'set', 'eth0', 'up']);
      await run('ip', ['-n', names.netns, 'link', 'set', 'lo', 'up']);
      const configFile = `${dir}/sshd-${index}.conf`;
      fs.writeFileSync(configFile, sshdConfig(dir, address, index));
      const logFile = `${dir}/sshd-${index}.log`;
      // nsenter rather than `ip netns exec`: the same network namespace without remounting /sys
      const sshd = execa('nsenter', [`--net=/run/netns/${names.netns}`, '--', SSHD, '-D', '-e', '-f', configFile], {
        stdin: 'ignore',
        stdout: 'ignore',
        stderr: { file: logFile },
        detached: true,
        reject: false,
      });
      sshd.unref();
      partial.sshdPid = sshd.pid ?? 0;
      daemons.set(partial.sshdPid, sshd);
      await waitForSshd(address, logFile, partial.sshdPid);
      known.push(`${address} ${hostKey}`);
    }
    fs.writeFileSync(`${dir}/known_hosts`, known.join('\n') + '\n');
    const configFile = `${dir}/ssh_config`;
    fs.writeFileSync(configFile, clientConfig(dir, hosts));
    return {
      configFile,
      dir,
      hosts,
      stopSshd: async (host) => {
        try {
          process.kill(host.sshdPid, 'SIGTERM');
        } catch {
          // already stopped
        }
        await daemons.get(host.sshdPid);
      },
      remove,
    };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** Namespaces of test hosts owned by `owner` that still exist (for leak assertions). */
export function sshTestHostLeftovers(owner: number = process.pid): string[] {
  const listed = execFileSync('sh', ['-c', 'ip netns list 2>/dev/null || true'], { encoding: 'utf8' });
  return listed
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(`${PREFIX}-${owner}-`));
}

/**
 * The processes left in the hosts' network namespaces other than their sshd (a campaign's
 * guestbench, a sysbench...): what a campaign on a test host must not leave behind.
 */
export async function processesLeftOn(hosts: SshTestHosts): Promise<string[]> {
  const left: string[] = [];
  for (const host of hosts.hosts) {
    const pids = (await execa('ip', ['netns', 'pids', host.netns])).stdout.split('\n').filter(Boolean);
    for (const pid of pids) {
      let command: string;
      try {
        command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      } catch {
        continue; // ended meanwhile
      }
      if (!/^sshd[: ]|\/sshd /.test(command)) left.push(`${host.alias} ${pid} ${command}`);
    }
  }
  return left;
}

/**
 * Readies `remoteDir` for an install of this checkout's HEAD on namespace hosts, which share this
 * machine's disk: the install reuses this checkout's npm dependencies (set-up then finds them up to
 * date) instead of downloading them again. Resolves to the commit.
 */
export async function prepareRemoteInstall(remoteDir: string, checkout: string): Promise<string> {
  const commit = (await execa('git', ['rev-parse', 'HEAD'], { cwd: checkout })).stdout.trim();
  fs.mkdirSync(path.join(remoteDir, commit), { recursive: true });
  fs.symlinkSync(fs.realpathSync(path.join(checkout, 'node_modules')), path.join(remoteDir, commit, 'node_modules'));
  return commit;
}
