/**
 * The `guestbench` command: dispatches to one subcommand per job.
 */
import { parseCommandArgs, reportError, type Command } from './cli.js';
import { benchCommand } from './commands/bench.js';
import { cleanupCommand } from './commands/cleanup.js';
import { doctorCommand } from './commands/doctor.js';
import { imagesCommand } from './commands/images.js';
import { reportCommand } from './commands/report.js';
import { runCommand } from './commands/run.js';
import { UsageError } from '../lib/util/errors.js';

const COMMANDS: Command[] = [doctorCommand, imagesCommand, runCommand, reportCommand, benchCommand, cleanupCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((command) => command.name.length));
  return `Usage: guestbench COMMAND [options]

Re-runs the VM-vs-container evaluation of Dhar (2016) on this host.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Run \`guestbench COMMAND --help\` for a command's options.
`;
}

/** Runs the CLI with argv (without node and script); resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(overview());
    return name === undefined ? 2 : 0;
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
