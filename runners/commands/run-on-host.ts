/**
 * `guestbench run EXP --host NAME`: the campaign runs on the named host (lib/hosts/remote-campaign.ts),
 * its progress relayed here, its rows, campaign.json and raw/ copied into the local results directory.
 */
import { prepareHost, runRemoteCampaign } from '../../lib/hosts/remote-campaign.js';
import { remoteRoot } from '../../lib/hosts/remote-dir.js';
import { validateHostName } from '../../lib/hosts/ssh.js';
import { UsageError } from '../../lib/util/errors.js';
import { logLine } from '../cli.js';
import { interruptOnStop } from '../interruption.js';

/** Options of `run` that drive from here and are not passed to the remote run. */
const LOCAL_ONLY = new Set(['host', 'host-commit', 'results', 'help']);

/** The remote `guestbench run` arguments: the experiment and every option given, except the local ones (pure). */
export function remoteRunArgs(experiment: string, values: Record<string, string | boolean | undefined>): string[] {
  const args = [experiment];
  for (const [name, value] of Object.entries(values)) {
    if (LOCAL_ONLY.has(name) || value === undefined || value === false) continue;
    args.push(`--${name}`, ...(value === true ? [] : [value]));
  }
  return args;
}

/** Checks `--host` and `--host-commit` (pure). */
export function parseHostOptions(values: Record<string, string | boolean | undefined>): {
  host: string;
  hostCommit: 'same' | 'any';
} {
  if (typeof values.host !== 'string')
    throw new UsageError('Expected `--host-commit` only with `--host`', {
      fix: 'add `--host NAME`, or drop --host-commit',
    });
  const host = values.host;
  if (host.includes(','))
    throw new UsageError(`Expected one host in \`--host\` for now, got \`${host}\``, {
      fix: 'run one `guestbench run --host NAME` per host (several hosts at once are not built yet: docs/hosts.md)',
    });
  validateHostName(host);
  const commit = values['host-commit'];
  if (commit !== undefined && commit !== 'any' && commit !== 'same')
    throw new UsageError(`Expected \`--host-commit\` to be same or any, got \`${String(commit)}\``, {
      fix: '`--host-commit any` runs whatever guestbench is installed on the host',
    });
  if (values.resume !== undefined)
    throw new UsageError('Expected `--resume` without `--host`: resuming a campaign on a host is not built yet', {
      fix: 'resume it on the host itself (docs/hosts.md), or start a new campaign',
    });
  return { host, hostCommit: commit === 'any' ? 'any' : 'same' };
}

/** Runs the campaign on the host; resolves to the exit code. */
export async function runOnHost(
  experiment: string,
  values: Record<string, string | boolean | undefined>,
  resultsDir: string,
): Promise<number> {
  const { host, hostCommit } = parseHostOptions(values);
  const root = remoteRoot();
  // every check of the host before anything starts there: a HostError is exit 2
  const prepared = await prepareHost({ host, root, hostCommit });
  const stop = interruptOnStop('campaign', {
    onStop: (cause) => logLine(`${cause}: stopping the campaign on ${host}, keeping its finished samples`),
  });
  try {
    const outcome = await runRemoteCampaign(
      {
        host,
        root,
        hostCommit,
        runArgs: remoteRunArgs(experiment, values),
        resultsDir,
        signal: stop.signal,
        log: logLine,
      },
      prepared,
    );
    process.stdout.write(
      `campaign ${outcome.id} ${outcome.state} on ${host}: ${outcome.rows} rows in ${outcome.dir}\n`,
    );
    return stop.signal.aborted ? 130 : outcome.exitCode;
  } finally {
    stop.dispose();
    await prepared.ssh.close();
  }
}
