/**
 * The fleet playbook (ansible/campaign.yml) run by Debian's ansible-playbook against an inventory of
 * two namespace hosts, each with its own sshd, known only as aliases of a test ssh config: both get
 * this checkout installed (the hosts share this machine's disk, so one install into one temp remote
 * directory serves both and the second set-up finds it there), both run a native density-cpu
 * campaign at once, each campaign comes back into the local results directory, and the playbook
 * prints the campaign id per host.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileIfStale } from '../helpers/compiled-library.js';
import {
  createSshTestHosts,
  prepareRemoteInstall,
  processesLeftOn,
  sshTestHostsUnavailable,
  type SshTestHosts,
} from '../helpers/ssh-host.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PLAYBOOK = path.join(ROOT, 'ansible/campaign.yml');

function ansibleUnavailable(): string | undefined {
  const hosts = sshTestHostsUnavailable();
  if (hosts) return hosts;
  const found = execFileSync('sh', ['-c', 'command -v ansible-playbook || true'], { encoding: 'utf8' }).trim();
  return found ? undefined : 'no ansible-playbook: apt-get install ansible (scripts/setup.sh does)';
}

const unavailable = ansibleUnavailable();
if (unavailable) console.warn(`skipped: ${unavailable}`);

/** One task's result for one host, as Ansible's json callback reports it. */
interface TaskResult {
  rc?: number;
  stdout?: string;
  changed?: boolean;
  failed?: boolean;
  msg?: unknown;
}

/** The part of the json callback's output this test reads. */
interface PlaybookReport {
  plays: Array<{ tasks: Array<{ task: { name: string }; hosts: Record<string, TaskResult> }> }>;
  stats: Record<string, { failures: number; unreachable: number; ok: number }>;
}

describe.skipIf(unavailable !== undefined)('the Ansible fleet playbook on two namespace hosts', () => {
  let hosts: SshTestHosts;
  let work: string;
  let remoteDir: string;
  let results: string;
  let commit: string;

  beforeAll(async () => {
    await compileIfStale();
    hosts = await createSshTestHosts(2);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-fleet-'));
    remoteDir = path.join(work, 'remote');
    results = path.join(work, 'results');
    commit = await prepareRemoteInstall(remoteDir, ROOT);
  });
  afterAll(async () => {
    await hosts?.remove();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** ansible-playbook with the fleet playbook against `inventory`, its report by the json callback. */
  const playbook = (inventory: string, extra: string[]) =>
    execa(
      'ansible-playbook',
      [
        '-i',
        inventory,
        PLAYBOOK,
        '-e',
        'experiment=density-cpu',
        '-e',
        'fleet=bench',
        '-e',
        `ssh_config=${hosts.configFile}`,
        '-e',
        `remote_dir=${remoteDir}`,
        '-e',
        `results=${results}`,
        '-e',
        'setup_args=--no-images',
        // one disk under both hosts: the second set-up must find the first's install
        '-e',
        'setup_throttle=1',
        ...extra,
      ],
      {
        reject: false,
        stdin: 'ignore',
        cwd: work,
        env: {
          ANSIBLE_STDOUT_CALLBACK: 'json',
          ANSIBLE_LOCALHOST_WARNING: 'False',
          ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False',
          ANSIBLE_NOCOWS: '1',
          ANSIBLE_RETRY_FILES_ENABLED: 'False',
          ANSIBLE_HOME: path.join(work, 'ansible-home'),
          ANSIBLE_LOCAL_TEMP: path.join(work, 'ansible-tmp'),
        },
      },
    );

  /** One task's results per host, by the start of its name. */
  const taskOf = (report: PlaybookReport, prefix: string) =>
    report.plays.flatMap((play) => play.tasks).find((entry) => entry.task.name.startsWith(prefix))!.hosts;

  it('installs once, runs a campaign on both hosts at once, fetches both and prints the ids per host', async () => {
    const aliases = hosts.hosts.map((host) => host.alias);
    const inventory = path.join(work, 'inventory.ini');
    fs.writeFileSync(inventory, ['[bench]', ...aliases, ''].join('\n'));
    const result = await playbook(inventory, ['-e', 'run_args="--backends native --guests 1 --repeats 2"']);
    expect(result.exitCode, `${String(result.stdout).slice(-4000)}\n${String(result.stderr)}`).toBe(0);
    const report = JSON.parse(String(result.stdout)) as PlaybookReport;
    for (const alias of aliases) expect(report.stats[alias]).toMatchObject({ failures: 0, unreachable: 0 });
    const task = (prefix: string) => ({ hosts: taskOf(report, prefix) });

    // one install, and the other host's set-up found it
    const setups = aliases.map((alias) => String(task('Install this checkout').hosts[alias]?.stdout));
    const short = commit.slice(0, 12);
    expect(setups.filter((line) => line.includes(`: installed ${short} and ran its set-up`))).toHaveLength(1);
    expect(setups.filter((line) => line.endsWith(`: already at ${short}`))).toHaveLength(1);
    expect(fs.readlinkSync(path.join(remoteDir, 'current'))).toBe(commit);

    // the ids printed at the end, one line per host
    const summary = task('Print one line per host').hosts.localhost?.msg as string[];
    expect(summary).toHaveLength(2);
    const spans: Array<[number, number]> = [];
    for (const host of hosts.hosts) {
      const line = summary.find((entry) => entry.startsWith(`${host.alias}: `));
      const match = /^\S+: campaign (\S+) complete, (\d+) rows in (\S+)$/.exec(line ?? '');
      expect(match, summary.join('\n')).not.toBeNull();
      const [, id, rows, dir] = match!;
      expect(dir).toBe(path.join(results, id!));
      // the campaign ran there: its progress and its own store on the host
      const run = String(task('Run the campaign').hosts[host.alias]?.stdout);
      expect(run).toContain(`campaign ${id} complete on ${host.alias}`);
      const samples = fs.readFileSync(path.join(dir!, 'samples.jsonl'), 'utf8').trim().split('\n');
      expect(samples).toHaveLength(Number(rows));
      expect(samples.length).toBeGreaterThan(0);
      const parsed = samples.map((line) => JSON.parse(line) as { backend: string; repeat: number });
      expect(new Set(parsed.map((sample) => sample.backend))).toEqual(new Set(['native']));
      expect(new Set(parsed.map((sample) => sample.repeat))).toEqual(new Set([1, 2]));
      const meta = JSON.parse(fs.readFileSync(path.join(dir!, 'campaign.json'), 'utf8')) as {
        state: string;
        startedAt: string;
        endedAt: string;
        ranOn: { host: string; transport: string; remoteDir: string };
        git: { commit: string };
      };
      expect(meta.state).toBe('complete');
      expect(meta.ranOn).toMatchObject({ host: host.alias, transport: 'ssh' });
      expect(meta.git.commit).toBe(commit);
      expect(fs.readdirSync(path.join(dir!, 'raw')).length).toBeGreaterThan(0);
      spans.push([Date.parse(meta.startedAt), Date.parse(meta.endedAt)]);
    }
    // at once (Ansible's forks): each campaign started before the other ended
    expect(Math.max(...spans.map(([start]) => start))).toBeLessThan(Math.min(...spans.map(([, end]) => end)));
    // two campaigns, not one campaign twice
    expect(fs.readdirSync(results).filter((entry) => !entry.startsWith('.'))).toHaveLength(2);
    expect(await processesLeftOn(hosts)).toEqual([]);
  }, 300_000);

  it('a host that cannot be reached drops out with its fix; the other runs its campaign; exit 2', async () => {
    const [host] = hosts.hosts;
    const inventory = path.join(work, 'inventory-refusing.ini');
    fs.writeFileSync(inventory, ['[bench]', host!.alias, host!.refusingAlias, ''].join('\n'));
    const before = new Set(fs.readdirSync(results));
    const result = await playbook(inventory, ['-e', 'run_args="--backends native --guests 1 --repeats 1"']);
    // ansible-playbook's status when some host failed
    expect(result.exitCode, String(result.stderr)).toBe(2);
    const report = JSON.parse(String(result.stdout)) as PlaybookReport;
    expect(report.stats[host!.refusingAlias]).toMatchObject({ failures: 1 });
    expect(report.stats[host!.alias]).toMatchObject({ failures: 0 });
    const refused = taskOf(report, 'Install this checkout')[host!.refusingAlias];
    expect(String(refused?.stdout)).toContain(`Host \`${host!.refusingAlias}\` accepted none of your keys`);
    const summary = taskOf(report, 'Print one line per host').localhost?.msg as string[];
    expect(summary).toContain(`${host!.refusingAlias}: no campaign (its failure is above)`);
    const line = summary.find((entry) => entry.startsWith(`${host!.alias}: campaign `));
    const id = /campaign (\S+) complete/.exec(line ?? '')?.[1];
    expect(id, summary.join('\n')).toBeDefined();
    expect([...fs.readdirSync(results)].filter((entry) => !before.has(entry))).toEqual([id]);
    expect(await processesLeftOn(hosts)).toEqual([]);
  }, 300_000);
});
