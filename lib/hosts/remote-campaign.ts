/**
 * `guestbench run EXP --host NAME`: the campaign runs ON the host, with that host's clock, engines
 * and guests (no SSH round trip inside a timed interval), by the guestbench installed there, and is
 * driven from here.
 *
 * 1. check the host before anything starts: reachable, root or passwordless sudo, this commit
 *    installed there (unless `hostCommit: 'any'`): a HostError (exit 2) otherwise;
 * 2. start `guestbench run` there detached (`setsid nohup`), writing its own store under
 *    ROOT/campaigns/<session>/results, its progress to run.log, its exit status to exit-code;
 * 3. follow: run.log's lines relayed (`tail --pid` ends with the campaign), and every few seconds the
 *    complete new lines of its samples.jsonl appended to the local store under the same campaign id
 *    (by byte offset: no row twice);
 * 4. at the end: the last rows, campaign.json (with `ranOn`: the host's name, the remote campaign
 *    directory) and raw/ copied back.
 *
 * An abort (Ctrl-C here) sends SIGINT to the remote campaign's process group, which stops its
 * guests as a local Ctrl-C does, waits for it to end, and fetches what it recorded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { META_FILE, RAW_DIR, SAMPLES_FILE } from '../results/store.js';
import type { CampaignMeta } from '../results/campaign-meta.js';
import { HostError } from '../util/errors.js';
import { readHostFacts, requireRoot, rootPrefix, type HostFacts } from './host-facts.js';
import { remotePathWord } from './remote-dir.js';
import { localCommit } from './setup-host.js';
import { shellQuote, SshConnection, type SshOptions } from './ssh.js';

/** What {@link runRemoteCampaign} needs. */
export interface RemoteCampaignOptions extends SshOptions {
  host: string;
  /** the remote root (remote-dir.ts) */
  root: string;
  /** `guestbench run` arguments for the remote run (experiment and options, without --results) */
  runArgs: string[];
  /** the local results directory the rows land in */
  resultsDir: string;
  /** 'same' (default): the host must run this checkout's commit; 'any': whatever is installed */
  hostCommit: 'same' | 'any';
  signal?: AbortSignal;
  /** a line of the remote campaign's progress, or of the driver */
  log: (line: string) => void;
  /** milliseconds between fetches of new rows (default 2000) */
  pollMs?: number;
}

/** How the remote campaign ended, as seen from here. */
export interface RemoteCampaignOutcome {
  /** the campaign id (the same there and here) */
  id: string;
  /** the local campaign directory */
  dir: string;
  /** rows copied here */
  rows: number;
  /** the remote `guestbench run`'s exit status (130: interrupted) */
  exitCode: number;
  state: CampaignMeta['state'];
}

/** Checks the host before anything starts there; returns the connection and facts. */
export async function prepareHost(
  options: Pick<RemoteCampaignOptions, 'host' | 'root' | 'hostCommit' | 'configFile' | 'connectTimeoutSeconds'>,
): Promise<{ ssh: SshConnection; facts: HostFacts }> {
  const ssh = await SshConnection.open(options.host, options);
  try {
    const facts = await readHostFacts(ssh, { root: options.root });
    requireRoot(facts);
    if (!facts.installedCommit)
      throw new HostError(`Host \`${options.host}\` has no guestbench installed (in ${options.root})`, {
        host: options.host,
        fix: `run \`guestbench hosts setup ${options.host}\``,
      });
    if (options.hostCommit === 'same') {
      const here = await localCommit();
      if (facts.installedCommit !== here)
        throw new HostError(
          `Host \`${options.host}\` runs guestbench ${facts.installedCommit.slice(0, 12)}, this checkout is ${here.slice(0, 12)}`,
          {
            host: options.host,
            fix: `run \`guestbench hosts setup ${options.host}\`, or pass \`--host-commit any\` to use what is installed there`,
          },
        );
    }
    return { ssh, facts };
  } catch (error) {
    await ssh.close();
    throw error;
  }
}

/** The remote session's files (shell words). */
function sessionFiles(root: string, session: string) {
  const dir = `${remotePathWord(root)}/campaigns/${shellQuote(session)}`;
  return { dir, results: `${dir}/results`, log: `${dir}/run.log`, exit: `${dir}/exit-code`, pid: `${dir}/pid` };
}

/** Starts the campaign there, detached; returns the pid of its process group leader. */
async function startDetached(ssh: SshConnection, facts: HostFacts, root: string, session: string, runArgs: string[]) {
  const files = sessionFiles(root, session);
  const run = `node bin/guestbench.js run ${runArgs.map(shellQuote).join(' ')} --results ${files.results}`;
  // the exit status lands in a file: the campaign outlives this connection
  const inner = `cd ${remotePathWord(root)}/current && ${run}; echo $? > ${files.exit}`;
  const script = [
    `mkdir -p ${files.results}`,
    `${rootPrefix(facts)}setsid nohup sh -c ${shellQuote(inner)} > ${files.log} 2>&1 < /dev/null &`,
    `echo $! > ${files.pid}`,
    `echo $!`,
  ].join('\n');
  const pid = Number((await ssh.output(script, 'Starting the campaign', `see ${files.log} on ${ssh.host}`)).trim());
  if (!Number.isInteger(pid) || pid <= 1)
    throw new HostError(`No pid for the campaign on \`${ssh.host}\``, { host: ssh.host });
  return pid;
}

/** The byte offset after the last whole line of `text` (pure). */
export function wholeLinesEnd(text: string): number {
  return text.lastIndexOf('\n') + 1;
}

/** Appends the new whole lines of the remote samples.jsonl to the local one; returns the new offset and rows. */
async function fetchRows(
  ssh: SshConnection,
  resultsWord: string,
  localDir: string,
  offset: number,
): Promise<{ offset: number; rows: number; id: string | undefined }> {
  // the one campaign directory of this session's results, and its bytes from `offset` on
  const script = `for d in ${resultsWord}/*/; do [ -f "\${d}${META_FILE}" ] || continue; basename "$d"; tail -c +${offset + 1} "\${d}${SAMPLES_FILE}" 2>/dev/null; break; done`;
  const result = await ssh.run(script);
  const newline = result.stdout.indexOf('\n');
  if (newline < 0) return { offset, rows: 0, id: undefined };
  const id = result.stdout.slice(0, newline);
  const chunk = result.stdout.slice(newline + 1);
  const end = wholeLinesEnd(chunk);
  if (end === 0) return { offset, rows: 0, id };
  const lines = chunk.slice(0, end);
  fs.mkdirSync(path.join(localDir, id, RAW_DIR), { recursive: true });
  const file = path.join(localDir, id, SAMPLES_FILE);
  const fd = fs.openSync(file, 'a');
  try {
    fs.writeSync(fd, lines);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { offset: offset + Buffer.byteLength(lines), rows: lines.split('\n').length - 1, id };
}

/** Copies campaign.json (with `ranOn`) and raw/ back. */
async function fetchMetaAndRaw(
  ssh: SshConnection,
  resultsWord: string,
  id: string,
  localDir: string,
  host: string,
  remoteDir: string,
  installedCommit: string | undefined,
): Promise<CampaignMeta> {
  const campaignDir = path.join(localDir, id);
  const metaText = await ssh.output(`cat ${resultsWord}/${shellQuote(id)}/${META_FILE}`, 'Reading campaign.json', '');
  const recorded = JSON.parse(metaText) as CampaignMeta;
  const meta: CampaignMeta = {
    ...recorded,
    // the install there is `git archive` of one commit, not a checkout: its commit is the install's
    git: recorded.git ?? (installedCommit ? { commit: installedCommit, dirty: false } : null),
    ranOn: { host, transport: 'ssh', remoteDir },
  };
  const tmp = path.join(campaignDir, `${META_FILE}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(meta, null, 2) + '\n');
  fs.renameSync(tmp, path.join(campaignDir, META_FILE));
  const tar = ssh.spawn(`tar -c -C ${resultsWord}/${shellQuote(id)} ${RAW_DIR}`);
  const untar = execa('tar', ['-x', '-C', campaignDir], { input: tar.stdout, reject: false });
  const [sent, unpacked] = await Promise.all([tar, untar]);
  if (sent.exitCode !== 0 || unpacked.exitCode !== 0)
    throw new HostError(`Copying raw/ back from \`${host}\` failed: ${String(sent.stderr || unpacked.stderr).trim()}`, {
      host,
    });
  return meta;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends SIGINT to the campaign's process group there and waits (up to 2 min) for it to end. */
async function stopRemote(ssh: SshConnection, facts: HostFacts, pid: number, log: (line: string) => void) {
  const sudo = rootPrefix(facts);
  log(`stopping the campaign on ${ssh.host} (SIGINT to its process group ${pid})`);
  await ssh.run(`${sudo}env kill -s INT -- -${pid} 2>/dev/null; true`);
  const script = `for i in $(seq 1 240); do ${sudo}kill -0 ${pid} 2>/dev/null || exit 0; sleep 0.5; done; exit 1`;
  if ((await ssh.run(script)).exitCode !== 0) {
    log(`the campaign on ${ssh.host} did not stop within 2 min: killing its process group`);
    await ssh.run(`${sudo}env kill -s KILL -- -${pid} 2>/dev/null; true`);
  }
}

/** Runs the campaign on the host and copies its results here (see the module comment). */
export async function runRemoteCampaign(
  options: RemoteCampaignOptions,
  prepared: { ssh: SshConnection; facts: HostFacts },
): Promise<RemoteCampaignOutcome> {
  const { ssh, facts } = prepared;
  const session = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
  const files = sessionFiles(options.root, session);
  const pid = await startDetached(ssh, facts, options.root, session, options.runArgs);
  options.log(`campaign started on ${options.host} (pid ${pid}, ${options.root}/campaigns/${session})`);
  // progress: run.log's lines as they come, until the campaign's process ends
  const follow = ssh.spawn(`tail --pid=${pid} -n +1 -F ${files.log} 2>/dev/null`, { signal: options.signal });
  const relay = (async () => {
    for await (const line of follow.iterable({ from: 'stdout' })) options.log(`${options.host}: ${String(line)}`);
  })().catch(() => undefined);
  let offset = 0;
  let rows = 0;
  let id: string | undefined;
  const alive = async () =>
    (await ssh.run(`kill -0 ${pid} 2>/dev/null || ${rootPrefix(facts)}kill -0 ${pid}`)).exitCode === 0;
  const aborted = abortPromise(options.signal);
  try {
    while (!options.signal?.aborted && (await alive())) {
      const fetched = await fetchRows(ssh, files.results, options.resultsDir, offset);
      ({ offset } = fetched);
      rows += fetched.rows;
      id ??= fetched.id;
      await Promise.race([sleep(options.pollMs ?? 2000), aborted]);
    }
  } finally {
    if (options.signal?.aborted) await stopRemote(ssh, facts, pid, options.log);
  }
  follow.kill();
  await relay;
  const last = await fetchRows(ssh, files.results, options.resultsDir, offset);
  rows += last.rows;
  id ??= last.id;
  const exitText = (await ssh.run(`cat ${files.exit} 2>/dev/null`)).stdout.trim();
  const exitCode = exitText === '' ? 1 : Number(exitText);
  if (!id)
    throw new HostError(
      `The campaign on \`${options.host}\` wrote no campaign (exit status ${exitText || 'unknown'})`,
      {
        host: options.host,
        fix: `see ${options.root}/campaigns/${session}/run.log on ${options.host}`,
      },
    );
  const meta = await fetchMetaAndRaw(
    ssh,
    files.results,
    id,
    options.resultsDir,
    options.host,
    `${options.root}/campaigns/${session}`,
    facts.installedCommit,
  );
  return { id, dir: path.join(options.resultsDir, id), rows, exitCode, state: meta.state };
}

function abortPromise(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
