/**
 * Container checkpoint/restore support: the parser of `criu check` on a real transcript (Debian 12's
 * criu 3.17.1 on kernel 6.18), and the real check on this host, whose answer must be consistent
 * with what the host really has.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { criuBinary, criuCheckErrors, criuTooOldFor } from '../../lib/backends/criu.js';
import { checkContainerCheckpoint } from '../../lib/backends/docker-checkpoint.js';
import { dockerClient } from '../../lib/util/docker-client.js';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/criu/check-3.17.1-kernel-6.18.txt');

describe('criu check output', () => {
  it('keeps the distinct error messages without source locations', () => {
    expect(criuCheckErrors(fs.readFileSync(FIXTURE, 'utf8'))).toEqual([
      'vdso: Unexpected rt vDSO area bounds',
      'vdso: Failed to fill self vdso symtable',
      'kerndat_vdso_fill_symtable failed when initializing kerndat.',
      'Could not initialize kernel features detection.',
    ]);
    expect(criuCheckErrors('Looks good.\n')).toEqual([]);
  });

  it('knows CRIU before 4.2 cannot dump inet sockets on kernels from 6.16 (SO_PASSCRED/SO_PASSSEC)', () => {
    expect(criuTooOldFor('4.1.1', '6.18.44-fc')).toMatch(/before CRIU 4\.2/);
    expect(criuTooOldFor('3.17.1', '6.16.0')).toMatch(/predates kernel 6\.16\.0/);
    expect(criuTooOldFor('4.2.1', '6.18.44')).toBeUndefined();
    expect(criuTooOldFor('4.1.1', '6.1.0-30-amd64')).toBeUndefined();
  });
});

describe('container checkpoint support on this host (real criu and Docker engine)', () => {
  it('answers from what the host has: an experimental engine and a passing criu check, or the reasons', async () => {
    const support = await checkContainerCheckpoint();
    console.log(`container checkpoint/restore: ${support.supported ? 'supported' : `unsupported: ${support.reason}`}`);
    const binary = criuBinary();
    expect(support.criu.binary).toBe(binary);
    const criu = await execa(binary, ['--version'], { reject: false });
    expect(support.criu.installed).toBe(criu.exitCode === 0);
    if (support.criu.installed) {
      const check = await execa(binary, ['check'], { reject: false });
      expect(support.criu.checkPassed).toBe(check.exitCode === 0);
      if (!support.criu.checkPassed) expect(support.reason).toContain(support.criu.checkErrors[0]);
    } else {
      expect(support.reason).toContain('CRIU is not installed');
    }
    const info = (await dockerClient()
      .info()
      .catch(() => undefined)) as { ExperimentalBuild?: boolean } | undefined;
    expect(support.engine.reachable).toBe(info !== undefined);
    if (info) expect(support.engine.experimental).toBe(info.ExperimentalBuild === true);
    if (info && !info.ExperimentalBuild) expect(support.reason).toMatch(/runs without --experimental/);
    expect(support.supported).toBe(support.engine.experimental && support.criu.usable);
    if (!support.supported) expect(support.fix.length).toBeGreaterThan(10);
  });
});
