/**
 * `guestbench hosts check|setup` against a namespace host running its own sshd, known only as an
 * alias of a test ssh config: before an install, the install of this checkout's commit (into a temp
 * remote directory: the namespace host shares this machine's filesystem), its idempotence, and the
 * verdict after, including the accelerator probe of the guestbench installed there.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileIfStale } from '../helpers/compiled-library.js';
import { campaignContainers } from '../helpers/leftovers.js';
import {
  createSshTestHosts,
  prepareRemoteInstall,
  processesLeftOn,
  sshTestHostsUnavailable,
  type SshTestHosts,
} from '../helpers/ssh-host.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/guestbench.js');
const unavailable = sshTestHostsUnavailable();
if (unavailable) console.warn(`skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('guestbench hosts on a namespace host', () => {
  let hosts: SshTestHosts;
  let remoteDir: string;
  let commit: string;
  const cli = (...args: string[]) =>
    execa('node', [BIN, 'hosts', ...args, '--remote-dir', remoteDir, '--connect-timeout', '5'], {
      reject: false,
      stdin: 'ignore',
      env: { GUESTBENCH_SSH_CONFIG: hosts.configFile },
    });

  beforeAll(async () => {
    await compileIfStale();
    hosts = await createSshTestHosts(2);
    remoteDir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-remote-'));
    commit = await prepareRemoteInstall(remoteDir, ROOT);
  });
  afterAll(async () => {
    await hosts?.remove();
    if (remoteDir) fs.rmSync(remoteDir, { recursive: true, force: true });
    if (localResults) fs.rmSync(localResults, { recursive: true, force: true });
  });

  it('checks a host before any install: its facts, and that guestbench is not installed there', async () => {
    const host = hosts.hosts[0]!;
    const result = await cli('check', host.alias, host.refusingAlias);
    const lines = String(result.stdout).split('\n').filter(Boolean);
    expect(lines[0]).toMatch(
      new RegExp(`^ok    ${host.alias}: root, .*, kernel ${os.release()} ${os.arch() === 'x64' ? 'x86_64' : ''}`),
    );
    expect(lines[0]).toContain(`${os.cpus().length} cores`);
    expect(lines[0]).toContain(`guestbench not installed: run \`guestbench hosts setup ${host.alias}\``);
    expect(lines[1]).toMatch(
      new RegExp(`^FAIL  ${host.refusingAlias}: Host \`${host.refusingAlias}\` accepted none of your keys`),
    );
    expect(lines[2]).toContain(`fix: authorise a key there (\`ssh-copy-id ${host.refusingAlias}\`)`);
    expect(result.exitCode).toBe(1);
  });

  it('installs this commit, then says it is already there, then reports it and the accelerator there', async () => {
    const host = hosts.hosts[0]!;
    const first = await cli('setup', host.alias, '--no-images');
    expect(first.stdout, String(first.stderr)).toMatch(
      new RegExp(`^ok    ${host.alias}: installed ${commit.slice(0, 12)} and ran its set-up \\(\\d+ s\\)$`),
    );
    expect(first.exitCode).toBe(0);
    expect(fs.readlinkSync(path.join(remoteDir, 'current'))).toBe(commit);
    expect(fs.readFileSync(path.join(remoteDir, commit, '.guestbench-installed'), 'utf8').trim()).toBe(commit);
    expect(fs.existsSync(path.join(remoteDir, commit, 'dist/runners/guestbench.js'))).toBe(true);

    const compiled = path.join(remoteDir, commit, 'dist/runners/guestbench.js');
    const builtAt = fs.statSync(compiled).mtimeMs;
    const second = await cli('setup', host.alias);
    expect(second.stdout).toBe(`ok    ${host.alias}: already at ${commit.slice(0, 12)}`);
    // nothing ran again: no rebuild
    expect(fs.statSync(compiled).mtimeMs).toBe(builtAt);

    const check = await cli('check', host.alias, '--json');
    expect(check.exitCode, String(check.stderr)).toBe(0);
    const [verdict] = JSON.parse(String(check.stdout)) as Array<{
      state: string;
      facts: { installedCommit: string; kernel: string; sudo: string; memoryMiB: number };
      accel: { state: string; accel?: string };
    }>;
    expect(verdict?.state).toBe('ok');
    expect(verdict?.facts).toMatchObject({ installedCommit: commit, kernel: os.release(), sudo: 'root' });
    expect(verdict?.facts.memoryMiB).toBe(Math.round(os.totalmem() / 1024 / 1024));
    // the installed guestbench's own probe answered (this machine: TCG only, a KVM host: kvm)
    expect(['probed', 'no-vm']).toContain(verdict?.accel.state);
  }, 300_000);

  const runOnHost = (args: string[], host = hosts.hosts[0]!.alias) =>
    execa('node', [BIN, 'run', 'density-cpu', '--host', host, '--results', localResults, ...args], {
      reject: false,
      stdin: 'ignore',
      env: { GUESTBENCH_SSH_CONFIG: hosts.configFile, GUESTBENCH_REMOTE_DIR: remoteDir },
    });
  let localResults: string;

  it('runs density-cpu on the host, its rows, campaign.json and raw/ copied here, and leaves nothing running there', async () => {
    const host = hosts.hosts[0]!;
    localResults = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-local-results-'));
    const result = await runOnHost(['--backends', 'native,docker', '--guests', '1', '--repeats', '2']);
    expect(result.exitCode, `${String(result.stdout)}\n${String(result.stderr)}`).toBe(0);
    const match = new RegExp(`^campaign (\\S+) complete on ${host.alias}: (\\d+) rows in (\\S+)$`, 'm').exec(
      String(result.stdout),
    );
    expect(match, String(result.stdout)).not.toBeNull();
    const [, id, rows, dir] = match!;
    expect(dir).toBe(path.join(localResults, id!));
    // progress relayed, each line naming the host
    expect(String(result.stderr)).toMatch(new RegExp(`${host.alias}: .*progress: 4/4`));
    // the rows here are exactly the rows there: none lost, none twice
    const sessions = fs.readdirSync(path.join(remoteDir, 'campaigns')).sort();
    const remoteCampaign = path.join(remoteDir, 'campaigns', sessions.at(-1)!, 'results', id!);
    const here = fs.readFileSync(path.join(dir!, 'samples.jsonl'), 'utf8');
    expect(here).toBe(fs.readFileSync(path.join(remoteCampaign, 'samples.jsonl'), 'utf8'));
    const lines = here.trim().split('\n');
    expect(lines).toHaveLength(Number(rows));
    expect(new Set(lines).size).toBe(lines.length);
    const samples = lines.map((line) => JSON.parse(line) as { backend: string; repeat: number; state: string });
    expect(new Set(samples.map((sample) => sample.backend))).toEqual(new Set(['native', 'docker']));
    expect(new Set(samples.map((sample) => sample.repeat))).toEqual(new Set([1, 2]));
    const meta = JSON.parse(fs.readFileSync(path.join(dir!, 'campaign.json'), 'utf8')) as {
      state: string;
      ranOn: { host: string; transport: string };
      host: { kernel: string };
      git: { commit: string };
    };
    expect(meta.state).toBe('complete');
    expect(meta.ranOn).toMatchObject({ host: host.alias, transport: 'ssh' });
    expect(meta.host.kernel).toBe(os.release());
    expect(meta.git.commit).toBe(commit);
    const raw = fs.readdirSync(path.join(dir!, 'raw'));
    expect(raw.length).toBeGreaterThan(0);
    expect(raw.sort()).toEqual(fs.readdirSync(path.join(remoteCampaign, 'raw')).sort());
    expect(await processesLeftOn(hosts)).toEqual([]);
    expect(await campaignContainers(id!)).toEqual([]);
  });

  it('Ctrl-C here stops the campaign there, keeps what it recorded, and leaves nothing running there', async () => {
    const subprocess = runOnHost(['--backends', 'native', '--guests', '1', '--repeats', '50']);
    let stderr = '';
    subprocess.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // interrupt once the remote campaign has recorded a repeat
    const deadline = Date.now() + 120_000;
    while (!/progress: [1-9]/.test(stderr) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 250));
    subprocess.kill('SIGINT');
    const result = await subprocess;
    expect(result.exitCode, stderr).toBe(130);
    const match = /^campaign (\S+) interrupted on /m.exec(String(result.stdout));
    expect(match, `${String(result.stdout)}\n${stderr}`).not.toBeNull();
    expect(stderr).toContain(`stopping the campaign on ${hosts.hosts[0]!.alias}`);
    const here = fs.readFileSync(path.join(localResults, match![1]!, 'samples.jsonl'), 'utf8');
    const sessions = fs.readdirSync(path.join(remoteDir, 'campaigns')).sort();
    const there = path.join(remoteDir, 'campaigns', sessions.at(-1)!, 'results', match![1]!);
    // what it recorded before the stop, here as there
    expect(here).toBe(fs.readFileSync(path.join(there, 'samples.jsonl'), 'utf8'));
    const repeats = new Set(
      here
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { repeat: number }).repeat),
    );
    expect(repeats.size).toBeGreaterThan(0);
    expect(repeats.size).toBeLessThan(50);
    const meta = JSON.parse(fs.readFileSync(path.join(localResults, match![1]!, 'campaign.json'), 'utf8')) as {
      state: string;
    };
    expect(meta.state).toBe('interrupted');
    expect(await processesLeftOn(hosts)).toEqual([]);
  }, 300_000);

  it('runs one campaign on two hosts at once, each labelled with its host, nothing left on either', async () => {
    // both namespace hosts share this machine's disk, so the one install serves both
    const aliases = hosts.hosts.map((host) => host.alias);
    const result = await runOnHost(['--backends', 'native', '--guests', '1', '--repeats', '2'], aliases.join(','));
    expect(result.exitCode, `${String(result.stdout)}\n${String(result.stderr)}`).toBe(0);
    const finished = [...String(result.stdout).matchAll(/^campaign (\S+) complete on (\S+): \d+ rows in (\S+)$/gm)];
    expect(finished.map((match) => match[2]).sort()).toEqual([...aliases].sort());
    expect(new Set(finished.map((match) => match[1])).size).toBe(2);
    for (const [, , host, dir] of finished) {
      const meta = JSON.parse(fs.readFileSync(path.join(dir!, 'campaign.json'), 'utf8')) as { ranOn: { host: string } };
      expect(meta.ranOn.host).toBe(host);
      expect(fs.readFileSync(path.join(dir!, 'samples.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThan(0);
      expect(String(result.stderr)).toMatch(new RegExp(`${host}: .*progress: 2/2`));
    }
    expect(await processesLeftOn(hosts)).toEqual([]);
  }, 300_000);

  it('refuses a host with another commit, naming the fix, with exit 2 before anything starts', async () => {
    const other = path.join(remoteDir, 'other');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, '.guestbench-installed'), '0123456789abcdef0123456789abcdef01234567\n');
    fs.renameSync(path.join(remoteDir, 'current'), path.join(remoteDir, 'current.real'));
    fs.symlinkSync('other', path.join(remoteDir, 'current'));
    try {
      const result = await runOnHost(['--backends', 'native', '--guests', '1', '--repeats', '1']);
      expect(result.exitCode).toBe(2);
      expect(String(result.stderr)).toContain(
        `Host \`${hosts.hosts[0]!.alias}\` runs guestbench 0123456789ab, this checkout is ${commit.slice(0, 12)}`,
      );
      expect(String(result.stderr)).toContain('--host-commit any');
    } finally {
      fs.rmSync(path.join(remoteDir, 'current'));
      fs.renameSync(path.join(remoteDir, 'current.real'), path.join(remoteDir, 'current'));
    }
  });

  it('refuses bad input with exit 2 before connecting anywhere', async () => {
    const noHost = await cli('check');
    expect(noHost.exitCode).toBe(2);
    expect(String(noHost.stderr)).toContain('Expected at least one host');
    const option = await cli('check', '-oProxyCommand=x');
    expect(option.exitCode).toBe(2);
    const action = await cli('reboot', 'x');
    expect(action.exitCode).toBe(2);
    expect(String(action.stderr)).toContain('check|setup');
  });
});
