/**
 * `guestbench run EXP --host NAME`: the campaign runs on the named host (lib/hosts/remote-campaign.ts),
 * its progress relayed here, its rows, campaign.json and raw/ copied into the local results directory.
 */
import { prepareHost, runRemoteCampaign } from '../../lib/hosts/remote-campaign.js';
import { remoteRoot } from '../../lib/hosts/remote-dir.js';
import { validateHostName } from '../../lib/hosts/ssh.js';
import { firstLine, UsageError } from '../../lib/util/errors.js';
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

/** Checks `--host` (one host or a comma-separated list) and `--host-commit` (pure). */
export function parseHostOptions(values: Record<string, string | boolean | undefined>): {
  hosts: string[];
  hostCommit: 'same' | 'any';
} {
  if (typeof values.host !== 'string')
    throw new UsageError('Expected `--host-commit` only with `--host`', {
      fix: 'add `--host NAME`, or drop --host-commit',
    });
  const hosts = values.host.split(',').map((host) => host.trim());
  for (const host of hosts) validateHostName(host);
  if (new Set(hosts).size !== hosts.length)
    throw new UsageError(`Expected each host once in \`--host\`, got \`${values.host}\``, {
      fix: 'name each host once',
    });
  const commit = values['host-commit'];
  if (commit !== undefined && commit !== 'any' && commit !== 'same')
    throw new UsageError(`Expected \`--host-commit\` to be same or any, got \`${String(commit)}\``, {
      fix: '`--host-commit any` runs whatever guestbench is installed on the host',
    });
  if (values.resume !== undefined)
    throw new UsageError('Expected `--resume` without `--host`: resuming a campaign on a host is not built yet', {
      fix: 'resume it on the host itself (docs/hosts.md), or start a new campaign',
    });
  return { hosts, hostCommit: commit === 'any' ? 'any' : 'same' };
}

type Prepared = Awaited<ReturnType<typeof prepareHost>>;

/** Checks every host before anything starts on any: the first refusal closes the others and is thrown (exit 2). */
async function prepareAll(hosts: string[], root: string, hostCommit: 'same' | 'any'): Promise<Map<string, Prepared>> {
  const settled = await Promise.allSettled(hosts.map((host) => prepareHost({ host, root, hostCommit })));
  const prepared = new Map<string, Prepared>();
  settled.forEach((result, index) => {
    if (result.status === 'fulfilled') prepared.set(hosts[index] as string, result.value);
  });
  const refused = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (refused) {
    await Promise.all([...prepared.values()].map((each) => each.ssh.close()));
    throw refused.reason;
  }
  return prepared;
}

/** Runs the campaign on every host at once, each its own campaign; resolves to the exit code. */
export async function runOnHost(
  experiment: string,
  values: Record<string, string | boolean | undefined>,
  resultsDir: string,
): Promise<number> {
  const { hosts, hostCommit } = parseHostOptions(values);
  const root = remoteRoot();
  // every check of every host before anything starts anywhere: a HostError is exit 2
  const prepared = await prepareAll(hosts, root, hostCommit);
  const stop = interruptOnStop('campaign', {
    onStop: (cause) => logLine(`${cause}: stopping the campaign on ${hosts.join(', ')}, keeping finished samples`),
  });
  try {
    const outcomes = await Promise.allSettled(
      hosts.map((host) =>
        runRemoteCampaign(
          {
            host,
            root,
            hostCommit,
            runArgs: remoteRunArgs(experiment, values),
            resultsDir,
            signal: stop.signal,
            log: logLine,
          },
          prepared.get(host) as Prepared,
        ),
      ),
    );
    let exitCode = 0;
    outcomes.forEach((outcome, index) => {
      const host = hosts[index] as string;
      if (outcome.status === 'fulfilled') {
        const { id, state, rows, dir } = outcome.value;
        process.stdout.write(`campaign ${id} ${state} on ${host}: ${rows} rows in ${dir}\n`);
        exitCode = Math.max(exitCode, outcome.value.exitCode);
      } else {
        process.stdout.write(`FAIL  ${host}: ${firstLine(outcome.reason)}\n`);
        exitCode = Math.max(exitCode, 1);
      }
    });
    return stop.signal.aborted ? 130 : exitCode;
  } finally {
    stop.dispose();
    await Promise.all([...prepared.values()].map((each) => each.ssh.close()));
  }
}
