/**
 * The `guestbench` command: dispatches to one subcommand per job.
 */
import { parseCommandArgs, reportError, type Command } from './cli.js';
import { benchCommand } from './commands/bench.js';
import { claimsCommand } from './commands/claims.js';
import { cleanupCommand } from './commands/cleanup.js';
import { compareCommand } from './commands/compare.js';
import { exportCommand } from './commands/export.js';
import { hostsCommand } from './commands/hosts.js';
import { doctorCommand } from './commands/doctor.js';
import { imagesCommand } from './commands/images.js';
import { packCommand } from './commands/pack.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { execaSync } from 'execa';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../lib/util/errors.js';
import { packageRoot } from '../lib/util/paths.js';

const COMMANDS: Command[] = [
  doctorCommand,
  imagesCommand,
  runCommand,
  reportCommand,
  compareCommand,
  claimsCommand,
  exportCommand,
  packCommand,
  benchCommand,
  cleanupCommand,
  hostsCommand,
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
  const git = fs.existsSync(path.join(root, '.git'))
    ? execaSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], { reject: false })
    : undefined;
  const commit = git?.exitCode === 0 ? String(git.stdout).trim() : 'not a git checkout';
  return `guestbench ${version} (commit ${commit})\n`;
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
    const command = COMMANDS.find((candidate) => candidate.name === name);
    if (!command)
      throw new UsageError(`Unknown command \`${name}\``, {
        fix: `one of: ${COMMANDS.map((candidate) => candidate.name).join(', ')} (see \`guestbench --help\`)`,
      });
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
