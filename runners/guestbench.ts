/**
 * The `guestbench` command: dispatches to one subcommand per job. A command's module (and the
 * library it needs: dockerode, danfojs-backed analysis, the report's executor) is imported only
 * when that command runs, so `--version`, `--help` and each command load what they use and no more.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseCommandArgs, reportError, type Command } from './cli.js';
import { UsageError } from '../lib/util/errors.js';
import { shortHeadCommit } from '../lib/util/git-head.js';
import { packageRoot } from '../lib/util/paths.js';

/** A command as the overview lists it, and how to load its module when it runs. */
export interface CommandEntry {
  name: string;
  /** the overview's line; equal to the loaded command's own summary (a test keeps them equal) */
  summary: string;
  load: () => Promise<Command>;
}

/** Every command, in the overview's order. */
export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'doctor',
    summary: 'check which backends this host can run, and why not',
    load: async () => (await import('./commands/doctor.js')).doctorCommand,
  },
  {
    name: 'images',
    summary: 'build the guest images (Docker image and VM kernel/initrd/disk from one rootfs)',
    load: async () => (await import('./commands/images.js')).imagesCommand,
  },
  {
    name: 'run',
    summary: 'run (or resume) a campaign of one experiment',
    load: async () => (await import('./commands/run.js')).runCommand,
  },
  {
    name: 'report',
    summary: 'execute the notebooks against campaigns and write an offline HTML report',
    load: async () => (await import('./commands/report.js')).reportCommand,
  },
  {
    name: 'compare',
    summary: 'compare two campaigns cell by cell: ratio with its 95% CI, rank test, BH q-values, flagged changes',
    load: async () => (await import('./commands/compare.js')).compareCommand,
  },
  {
    name: 'claims',
    summary: "check the thesis's quantitative claims against campaigns (holds, fails, inconclusive, not measured)",
    load: async () => (await import('./commands/claims.js')).claimsCommand,
  },
  {
    name: 'export',
    summary: "write campaigns' tidy rows as CSV or JSON lines (for pandas, R)",
    load: async () => (await import('./commands/export.js')).exportCommand,
  },
  {
    name: 'pack',
    summary: 'campaigns + notebooks + report in one .tar.gz a reviewer re-runs with Node and Jupyter',
    load: async () => (await import('./commands/pack.js')).packCommand,
  },
  {
    name: 'bench',
    summary: 'measure the harness against its targets (ratios, one run)',
    load: async () => (await import('./commands/bench.js')).benchCommand,
  },
  {
    name: 'cleanup',
    summary: 'remove containers and migration network namespaces left by a campaign that was killed (kill -9)',
    load: async () => (await import('./commands/cleanup.js')).cleanupCommand,
  },
  {
    name: 'hosts',
    summary: 'check or set up the hosts you reach over SSH, for campaigns there',
    load: async () => (await import('./commands/hosts.js')).hostsCommand,
  },
];

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `Usage: guestbench COMMAND [options]

Re-runs the VM-vs-container evaluation of Dhar (2016) on this host.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Run \`guestbench COMMAND --help\` for a command's options; \`guestbench --version\` (-V) prints the
version and the git commit.
`;
}

/** "guestbench 0.1.0 (commit 669c291)": the package's version and, in a git checkout, its commit. */
function versionLine(): string {
  const root = packageRoot();
  const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
  return `guestbench ${version} (commit ${shortHeadCommit(root) ?? 'not a git checkout'})\n`;
}

/** Runs the CLI with argv (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(versionLine());
    return 0;
  }
  try {
    const entry = COMMANDS.find((candidate) => candidate.name === name);
    if (!entry)
      throw new UsageError(`Unknown command \`${name}\``, {
        fix: `one of: ${COMMANDS.map((candidate) => candidate.name).join(', ')} (see \`guestbench --help\`)`,
      });
    const command = await entry.load();
    const { values, positionals, help } = parseCommandArgs(command, rest);
    if (help) {
      process.stdout.write(command.usage + '\n');
      return 0;
    }
    return await command.run(values, positionals);
  } catch (error) {
    return reportError(error);
  }
}
