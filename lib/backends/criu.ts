/**
 * Does CRIU work on this kernel? The engines checkpoint containers with it (runc finds `criu` on
 * its PATH); set-up installs a CRIU that does (scripts/setup-criu.sh: Debian 12's 3.17 fails on
 * kernels >= 6.x, CRIU < 4.2 cannot dump inet sockets on kernels >= 6.16) under the project's own
 * prefix, first on the engines' PATH.
 *
 * ```ts
 * const criu = await checkCriu();
 * if (!criu.usable) console.log(criu.problem); // "`criu check` fails on kernel 6.18 (criu 3.17.1): ..."
 * ```
 */
import * as fs from 'node:fs';
import os from 'node:os';
import { execa } from 'execa';

/** Where set-up installs its CRIU (scripts/setup-criu.sh): first on the engines' PATH. */
export const PROJECT_CRIU = '/opt/guestbench/bin/criu';

/**
 * The CRIU guestbench checks: $GUESTBENCH_CRIU (a file named `criu`: podman's runc is given its directory first on
 * PATH; dockerd keeps the PATH it was started with), else the project's, else `criu` from PATH.
 */
export function criuBinary(): string {
  return process.env.GUESTBENCH_CRIU ?? (fs.existsSync(PROJECT_CRIU) ? PROJECT_CRIU : 'criu');
}

/** What `criu --version` and `criu check` said. */
export interface CriuCheck {
  /** the binary asked */
  binary: string;
  installed: boolean;
  /** e.g. "4.2.1" */
  version: string | null;
  /** `criu check` passed */
  checkPassed: boolean;
  /** the error lines of `criu check`, deduplicated */
  checkErrors: string[];
  /** installed, check passed, and new enough for this kernel */
  usable: boolean;
  /** one line: why it is not usable (undefined when it is) */
  problem: string | undefined;
}

/** The distinct error lines of `criu check` output, without their source locations. */
export function criuCheckErrors(output: string): string[] {
  const errors = output
    .split(/(?=Error \()/)
    .map((line) => line.trim())
    .filter((line) => line.startsWith('Error'))
    .map((line) => line.replace(/^Error \([^)]*\):\s*/, '').trim());
  return [...new Set(errors)];
}

/** [major, minor] of a version string, or undefined. */
function majorMinor(version: string): [number, number] | undefined {
  const match = /^(\d+)\.(\d+)/.exec(version);
  return match ? [Number(match[1]), Number(match[2])] : undefined;
}

/**
 * Kernels 6.16 and later refuse SO_PASSCRED/SO_PASSSEC on inet sockets, which CRIU before 4.2 asks
 * for on every socket: `criu check` passes, but no process holding a TCP or UDP socket can be dumped
 * (checkpoint-restore/criu#2705). Returns the reason when `version` is too old for `kernel`.
 */
export function criuTooOldFor(version: string, kernel: string): string | undefined {
  const criu = majorMinor(version);
  const linux = majorMinor(kernel);
  if (!criu || !linux) return undefined;
  const newKernel = linux[0] > 6 || (linux[0] === 6 && linux[1] >= 16);
  const oldCriu = criu[0] < 4 || (criu[0] === 4 && criu[1] < 2);
  return newKernel && oldCriu
    ? `criu ${version} predates kernel ${kernel}'s socket options (no TCP/UDP socket can be dumped before CRIU 4.2)`
    : undefined;
}

/** Runs `criu --version` and `criu check` (needs root). */
export async function checkCriu(binary = criuBinary()): Promise<CriuCheck> {
  const versionRun = await execa(binary, ['--version'], { reject: false, stdin: 'ignore', timeout: 10_000 });
  const installed = versionRun.exitCode === 0;
  const version = /Version:\s*(\S+)/.exec(String(versionRun.stdout))?.[1] ?? null;
  let checkPassed = false;
  let checkErrors: string[] = [];
  if (installed) {
    const check = await execa(binary, ['check'], { reject: false, stdin: 'ignore', all: true, timeout: 30_000 });
    checkPassed = check.exitCode === 0;
    checkErrors = checkPassed ? [] : criuCheckErrors(String(check.all ?? ''));
    if (!checkPassed && checkErrors.length === 0) {
      checkErrors = [
        String(check.all ?? check.shortMessage)
          .trim()
          .split('\n')
          .at(-1) ?? `exit code ${check.exitCode ?? '?'}`,
      ];
    }
  }
  const tooOld = version && checkPassed ? criuTooOldFor(version, os.release()) : undefined;
  const problem = !installed
    ? `CRIU is not installed (\`${binary} --version\` does not run)`
    : !checkPassed
      ? `\`criu check\` fails on kernel ${os.release()} (criu ${version ?? 'unknown version'}): ${checkErrors.join('; ')}`
      : tooOld;
  return { binary, installed, version, checkPassed, checkErrors, usable: problem === undefined, problem };
}

/** What to do when CRIU is not usable. */
export const CRIU_FIX =
  "run `bash scripts/setup.sh`: it builds CRIU 4.2 or newer from Debian's source package into /opt/guestbench when the distribution's does not work on this kernel";
