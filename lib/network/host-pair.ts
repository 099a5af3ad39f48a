/**
 * Two "hosts" on one machine for live migration (thesis chapter 6): a source and a target network
 * namespace joined by a veth pair (the migration link, shaped with `tc`), and a LAN the observer
 * shares with the guest: a bridge in the initial namespace (the observer's side, outside both hosts)
 * with an uplink veth into each namespace, where a bridge joins it to the VM's tap device. The VM's
 * address stays the same when it moves; the target QEMU announces it after the switch-over (RARP),
 * so the LAN bridge learns the new port, as a real switch would.
 *
 * ```
 *   observer 10.213.X.1 ── gbm<pid>b (bridge) ──┬── gbm<pid>s ═ uplink ── br0 ── tap0 (VM on source)
 *                                               └── gbm<pid>d ═ uplink ── br0 ── tap0 (VM on target)
 *   source ns: mig 192.168.213.1/30 ═══════ shaped link (tbf) ═══════ mig 192.168.213.2/30 :target ns
 * ```
 *
 * Names carry the owner's pid (`gbm-<pid>-src`, `gbm<pid>b`): a pair whose owner died (SIGKILL) is
 * swept by the next {@link createHostPair} or by `guestbench cleanup`; a pair whose owner exits any
 * other way is removed by an exit hook. {@link removeHostPair} deletes both namespaces (which takes
 * every interface and qdisc in them along) and the LAN bridge.
 *
 * ```ts
 * const pair = await createHostPair({ link: { rateMbit: 1000, delayMs: 0 } });
 * try { ... } finally { await removeHostPair(pair); }
 * ```
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { execa } from 'execa';
import { CapabilityError, UsageError } from '../util/errors.js';
import { isProcessAlive } from '../util/signals.js';

/** How the migration link is shaped. */
export interface LinkShape {
  /** bandwidth each way, Mbit/s (the thesis: a 1 Gbit/s LAN) */
  rateMbit: number;
  /** added one-way latency, milliseconds (0: none; more needs the kernel's sch_netem) */
  delayMs: number;
}

/** One side of the pair. */
export interface HostSide {
  /** network namespace name (`ip netns`) */
  netns: string;
  /** the side's address on the migration link */
  migrationAddress: string;
  /** tap device inside the namespace the VM's NIC is plugged into */
  tap: string;
  /** the bridge inside the namespace that joins the LAN uplink (and the VM's tap, a container's veth) */
  bridge: string;
}

/** A created pair: names and addresses. */
export interface HostPair {
  /** pid of the process that created it (part of every name) */
  owner: number;
  source: HostSide;
  target: HostSide;
  lan: {
    /** bridge in the initial namespace */
    bridge: string;
    /** the observer's address, on the bridge */
    observerAddress: string;
    /** the address the VM's init puts on its NIC, CIDR (`10.213.7.10/24`) */
    guestCidr: string;
    /** the same without the prefix length */
    guestAddress: string;
    /** the LAN's subnet, CIDR (`10.213.7.0/24`) */
    subnet: string;
  };
  link: LinkShape;
  /** the `tc qdisc` line the link got, as given to tc */
  qdisc: string;
}

const PREFIX = 'gbm';
// the LAN's /24s are taken from 10.213.0.0/16, skipping any the host already routes
const LAN_BASE = '10.213';
const MIGRATION_SOURCE = '192.168.213.1';
const MIGRATION_TARGET = '192.168.213.2';
const TAP = 'tap0';
const HOST_BRIDGE = 'br0';

/**
 * argv that runs `argv` in network namespace `netns` and nothing else: unlike `ip netns exec`, which
 * also remounts /sys (hiding the cgroup hierarchies a container engine needs), nsenter switches only
 * the network namespace.
 */
export function inNetns(netns: string, argv: readonly string[]): string[] {
  return ['nsenter', `--net=/run/netns/${netns}`, '--', ...argv];
}

/** The names of the pair a process owns (pure; nothing is created). */
export function hostPairNames(owner: number): {
  source: string;
  target: string;
  bridge: string;
  sourcePort: string;
  targetPort: string;
} {
  return {
    source: `${PREFIX}-${owner}-src`,
    target: `${PREFIX}-${owner}-dst`,
    // interface names are at most 15 characters: 3 + 7 pid digits + 1
    bridge: `${PREFIX}${owner}b`,
    sourcePort: `${PREFIX}${owner}s`,
    targetPort: `${PREFIX}${owner}d`,
  };
}

/**
 * What a pair owned by `owner` consists of that must be deleted: both namespaces (taking everything in them) and the
 * LAN's interfaces.
 */
function pairResources(owner: number): { namespaces: string[]; links: string[] } {
  const names = hostPairNames(owner);
  return { namespaces: [names.source, names.target], links: [names.sourcePort, names.targetPort, names.bridge] };
}

/** The `tc qdisc add` arguments after `dev DEV` that shape one direction of the link (pure). */
export function shapingQdisc(link: LinkShape): string[] {
  validateLink(link);
  // a token bucket that holds 4 ms of traffic (at least 64 KiB): enough for a 250 Hz kernel timer
  const burstBytes = Math.max(64 * 1024, Math.round(((link.rateMbit * 1e6) / 8) * 0.004));
  if (link.delayMs > 0) return ['root', 'netem', 'delay', `${link.delayMs}ms`, 'rate', `${link.rateMbit}mbit`];
  return ['root', 'tbf', 'rate', `${link.rateMbit}mbit`, 'burst', String(burstBytes), 'latency', '100ms'];
}

function validateLink(link: LinkShape): void {
  if (!Number.isFinite(link.rateMbit) || link.rateMbit <= 0 || link.rateMbit > 100_000) {
    throw new UsageError(`Expected the link rate to be a number of Mbit/s from 0 to 100000, got \`${link.rateMbit}\``);
  }
  if (!Number.isFinite(link.delayMs) || link.delayMs < 0 || link.delayMs > 10_000) {
    throw new UsageError(
      `Expected the link delay to be a number of milliseconds from 0 to 10000, got \`${link.delayMs}\``,
    );
  }
}

const livePairs = new Set<HostPair>();
let exitHookRegistered = false;

/**
 * Creates the two namespaces, the shaped migration link and the LAN (see the module comment).
 * Root only. On any failure everything made so far is removed and a CapabilityError says what the
 * host lacks.
 */
export async function createHostPair(options: { link: LinkShape; owner?: number }): Promise<HostPair> {
  const qdiscArgs = shapingQdisc(options.link);
  const owner = options.owner ?? process.pid;
  sweepStaleHostPairs();
  const names = hostPairNames(owner);
  const lanNet = await freeLanSubnet();
  const pair: HostPair = {
    owner,
    source: { netns: names.source, migrationAddress: MIGRATION_SOURCE, tap: TAP, bridge: HOST_BRIDGE },
    target: { netns: names.target, migrationAddress: MIGRATION_TARGET, tap: TAP, bridge: HOST_BRIDGE },
    lan: {
      bridge: names.bridge,
      observerAddress: `${lanNet}.1`,
      guestCidr: `${lanNet}.10/24`,
      guestAddress: `${lanNet}.10`,
      subnet: `${lanNet}.0/24`,
    },
    link: { ...options.link },
    qdisc: qdiscArgs.join(' '),
  };
  livePairs.add(pair);
  registerExitHook();
  try {
    await ip('netns', 'add', names.source);
    await ip('netns', 'add', names.target);
    // the LAN: the observer's bridge, one uplink into each namespace, a bridge there for the tap
    await ip('link', 'add', names.bridge, 'type', 'bridge');
    await ip('addr', 'add', `${pair.lan.observerAddress}/24`, 'dev', names.bridge);
    await ip('link', 'set', names.bridge, 'up');
    for (const [side, port] of [
      [pair.source, names.sourcePort],
      [pair.target, names.targetPort],
    ] as const) {
      await ip('link', 'add', port, 'type', 'veth', 'peer', 'name', 'uplink', 'netns', side.netns);
      await ip('link', 'set', port, 'master', names.bridge, 'up');
      await ip('-n', side.netns, 'link', 'add', side.bridge, 'type', 'bridge');
      await ip('-n', side.netns, 'tuntap', 'add', 'dev', side.tap, 'mode', 'tap');
      await ip('-n', side.netns, 'link', 'set', 'uplink', 'master', side.bridge, 'up');
      await ip('-n', side.netns, 'link', 'set', side.tap, 'master', side.bridge, 'up');
      await ip('-n', side.netns, 'link', 'set', side.bridge, 'up');
      await ip('-n', side.netns, 'link', 'set', 'lo', 'up');
    }
    // the migration link, shaped the same way in both directions
    await ip(
      '-n',
      pair.source.netns,
      'link',
      'add',
      'mig',
      'type',
      'veth',
      'peer',
      'name',
      'mig',
      'netns',
      pair.target.netns,
    );
    for (const side of [pair.source, pair.target]) {
      await ip('-n', side.netns, 'addr', 'add', `${side.migrationAddress}/30`, 'dev', 'mig');
      await ip('-n', side.netns, 'link', 'set', 'mig', 'up');
      await tc(side.netns, ['qdisc', 'add', 'dev', 'mig', ...qdiscArgs], options.link);
    }
  } catch (error) {
    await removeHostPair(pair);
    throw error;
  }
  return pair;
}

/**
 * Forgets the guest address's link-layer address in the observer's neighbour table: each repeat
 * boots a new guest (a new MAC) at the same address, and a cached entry would send the probes to
 * the last one for half a minute.
 */
export async function forgetGuestAddress(pair: HostPair): Promise<void> {
  await ip('neigh', 'flush', 'to', pair.lan.guestAddress, 'dev', pair.lan.bridge);
}

/** Bytes the source has sent on the migration link so far (its interface counter). */
export async function linkSentBytes(pair: HostPair): Promise<number> {
  const result = await execa('ip', ['-n', pair.source.netns, '-j', '-s', 'link', 'show', 'dev', 'mig'], {
    reject: false,
    stdin: 'ignore',
  });
  const bytes = (
    JSON.parse(result.failed ? '[]' : String(result.stdout)) as Array<{ stats64?: { tx?: { bytes?: number } } }>
  )[0]?.stats64?.tx?.bytes;
  if (typeof bytes !== 'number')
    throw new CapabilityError(
      `Could not read the migration link's counters: ip -n ${pair.source.netns} -j -s link show dev mig: ${String(result.stderr).trim() || 'no tx bytes in the answer'}`,
      { fix: 'apt-get install iproute2 (a version with -j)' },
    );
  return bytes;
}

/** Removes both namespaces and the LAN bridge (uplinks, taps and qdiscs go with them). Safe to call twice. */
export async function removeHostPair(pair: HostPair): Promise<void> {
  const { namespaces, links } = pairResources(pair.owner);
  for (const netns of namespaces) await execa('ip', ['netns', 'del', netns], { reject: false, stdin: 'ignore' });
  for (const link of links) await execa('ip', ['link', 'del', link], { reject: false, stdin: 'ignore' });
  livePairs.delete(pair);
}

/** Whether this host can make the two migration hosts (a real pair is made and removed). */
export interface HostPairSupport {
  usable: boolean;
  /** what works, or why not (one line) */
  detail: string;
  fix?: string;
}

/** Makes a host pair with the default 1 Gbit/s link and removes it again. */
export async function checkHostPair(): Promise<HostPairSupport> {
  try {
    const pair = await createHostPair({ link: { rateMbit: 1000, delayMs: 0 } });
    await removeHostPair(pair);
    return {
      usable: true,
      detail: `two network namespaces, a veth link shaped by tc (${pair.qdisc}), tap devices on bridges`,
    };
  } catch (error) {
    if (!(error instanceof CapabilityError || error instanceof UsageError)) throw error;
    return {
      usable: false,
      detail: error.message.split('\n')[0] ?? error.message,
      ...(error.fix ? { fix: error.fix } : {}),
    };
  }
}

/** What a host pair left behind: namespaces and interfaces of guestbench (any owner). */
export interface HostPairLeftovers {
  namespaces: string[];
  links: string[];
}

/** Namespaces and initial-namespace interfaces named like a host pair, with their owner pid. */
export function listHostPairLeftovers(): HostPairLeftovers & { owners: Set<number> } {
  const owners = new Set<number>();
  let namespaces: string[] = [];
  try {
    namespaces = readdirSync('/run/netns').filter((name) => {
      const pid = new RegExp(`^${PREFIX}-(\\d+)-(src|dst)$`).exec(name)?.[1];
      if (pid) owners.add(Number(pid));
      return pid !== undefined;
    });
  } catch {
    // no /run/netns: no namespace was ever added
  }
  let links: string[] = [];
  try {
    links = readdirSync('/sys/class/net').filter((name) => {
      const pid = new RegExp(`^${PREFIX}(\\d+)[bsd]$`).exec(name)?.[1];
      if (pid) owners.add(Number(pid));
      return pid !== undefined;
    });
  } catch {
    // no sysfs: nothing to list
  }
  return { namespaces, links, owners };
}

/**
 * Removes the host pairs of processes that no longer run (a SIGKILLed campaign), or of every
 * process with `all` (for `guestbench cleanup` when no campaign runs). Returns what it removed.
 */
export function sweepStaleHostPairs(options: { all?: boolean } = {}): HostPairLeftovers {
  const found = listHostPairLeftovers();
  const removed: HostPairLeftovers = { namespaces: [], links: [] };
  for (const owner of found.owners) {
    if (owner === process.pid || (!options.all && isProcessAlive(owner))) continue;
    const { namespaces, links } = pairResources(owner);
    for (const netns of namespaces) {
      if (found.namespaces.includes(netns) && runQuietly(['netns', 'del', netns])) removed.namespaces.push(netns);
    }
    for (const link of links) {
      if (found.links.includes(link) && runQuietly(['link', 'del', link])) removed.links.push(link);
    }
  }
  return removed;
}

function runQuietly(args: string[]): boolean {
  try {
    execFileSync('ip', args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function registerExitHook(): void {
  if (exitHookRegistered) return;
  exitHookRegistered = true;
  // the synchronous last resort: a normal exit, or an uncaught error, after the runner's own cleanup
  process.once('exit', () => {
    for (const pair of livePairs) {
      const { namespaces, links } = pairResources(pair.owner);
      for (const netns of namespaces) runQuietly(['netns', 'del', netns]);
      for (const link of links) runQuietly(['link', 'del', link]);
    }
  });
}

// the first 10.213.X.0/24 (X from 1) that no address or route of the host overlaps
async function freeLanSubnet(): Promise<string> {
  const routes = await execa('ip', ['-4', 'route', 'show', 'table', 'all'], { reject: false, stdin: 'ignore' });
  const addresses = await execa('ip', ['-4', '-o', 'addr', 'show'], { reject: false, stdin: 'ignore' });
  if (routes.failed && addresses.failed) {
    throw new CapabilityError(
      `Cannot list the host's routes: ip -4 route show: ${String(routes.stderr).trim() || routes.shortMessage}`,
      { fix: 'apt-get install iproute2' },
    );
  }
  const used = `${String(routes.stdout)}\n${String(addresses.stdout)}`;
  for (let x = 1; x < 255; x++) {
    const net = `${LAN_BASE}.${x}`;
    if (!used.includes(`${net}.`) && !used.includes(`${LAN_BASE}.0.0/16`)) return net;
  }
  throw new CapabilityError(`Every ${LAN_BASE}.X.0/24 is in use on this host: no free subnet for the migration LAN`, {
    fix: 'run `guestbench cleanup` to remove host pairs of finished campaigns',
  });
}

async function ip(...args: string[]): Promise<void> {
  const result = await execa('ip', args, { reject: false, stdin: 'ignore' });
  if (result.failed) {
    const stderr = String(result.stderr).trim();
    throw new CapabilityError(
      `Could not set up the migration hosts: ip ${args.join(' ')}: ${stderr || result.shortMessage}`,
      {
        fix: /Operation not permitted|permission/i.test(stderr)
          ? 'run as root: network namespaces, veth pairs and tap devices need CAP_NET_ADMIN'
          : /tun|tap/i.test(args.join(' '))
            ? 'load the tun module (modprobe tun) so /dev/net/tun exists'
            : 'check that the kernel has network namespaces, veth and bridge support (modprobe veth bridge)',
      },
    );
  }
}

async function tc(netns: string, args: string[], link: LinkShape): Promise<void> {
  const result = await execa('ip', ['netns', 'exec', netns, 'tc', ...args], { reject: false, stdin: 'ignore' });
  if (result.failed) {
    const stderr = String(result.stderr).trim();
    const kind = link.delayMs > 0 ? 'netem' : 'tbf';
    throw new CapabilityError(
      `Could not shape the migration link: tc ${args.join(' ')}: ${stderr || result.shortMessage}`,
      {
        fix: /unknown/i.test(stderr)
          ? `this kernel lacks the sch_${kind} qdisc (modprobe sch_${kind})${kind === 'netem' ? ', or run with no added delay' : ''}`
          : 'apt-get install iproute2 (tc), and run as root',
      },
    );
  }
}
