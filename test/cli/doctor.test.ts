/**
 * `guestbench doctor` on this host: a line per backend with what its check found, and under each
 * usable backend the checks of its save/restore and live migration, which say why and the fix when
 * the host lacks what they need (here: a CRIU that runs, taken away with $GUESTBENCH_CRIU).
 */
import * as path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { backendProviders } from '../../lib/backends/registry.js';
import { imagesState } from '../helpers/capabilities.js';

const BIN = path.resolve(import.meta.dirname, '../../bin/guestbench.js');
const doctor = (env: Record<string, string> = {}) => execa('node', [BIN, 'doctor', '--cached'], { reject: false, env });

/** The lines doctor printed for `backend`: its own and the indented ones under it. */
function section(stdout: string, backend: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => new RegExp(`^ {2}(ok|FAIL) +${backend} `).test(line));
  if (start < 0) return [];
  const end = lines.findIndex((line, index) => index > start && /^ {2}\S/.test(line));
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('guestbench doctor (real checks on this host)', () => {
  it('reports every backend, with its capability checks under each usable one, and exits 0 only when all are usable', async () => {
    const run = await doctor();
    const usable = await Promise.all(
      backendProviders().map(async (provider) => (await provider.check({ images: imagesState.images })).usable),
    );
    expect(run.exitCode).toBe(usable.every(Boolean) ? 0 : 1);
    for (const provider of backendProviders()) expect(section(run.stdout, provider.name).length).toBeGreaterThan(0);
    const kvm = section(run.stdout, 'kvm');
    if (kvm[0]?.startsWith('  ok')) {
      expect(kvm).toContain('      ok  live migration between two hosts: QEMU live migration over QMP');
    }
  }, 120_000);

  it("says a container backend's save/restore and migration are unavailable without CRIU, with the fix", async () => {
    const run = await doctor({ GUESTBENCH_CRIU: '/nonexistent/criu' });
    const podman = section(run.stdout, 'podman');
    if (!podman[0]?.startsWith('  ok')) {
      console.warn(`SKIPPED the podman part: podman is not usable here: ${podman[0] ?? 'no line'}`);
      return;
    }
    const unavailable = podman.filter((line) => line.startsWith('      --  '));
    expect(unavailable).toEqual([
      '      --  save/restore of a running guest unavailable (its rows are recorded unsupported): CRIU is not installed (`/nonexistent/criu --version` does not run)',
      '      --  live migration between two hosts unavailable (its rows are recorded unsupported): CRIU is not installed (`/nonexistent/criu --version` does not run)',
    ]);
    expect(podman.filter((line) => line.startsWith('          fix: run `bash scripts/setup.sh`'))).toHaveLength(2);
    // an optional capability does not fail doctor
    expect(run.exitCode).toBe((await doctor()).exitCode);
  }, 120_000);
});
