import * as os from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Test files that use what the whole host shares: guests on the Docker engine, podman, LXC and QEMU,
 * network namespaces, the guest image cache, notebook kernels and a browser. They run one file at
 * a time (project `real`): two at once would compete for two cores and time each other out, and
 * some of them stop the engine or count the containers left. Every other file (project `unit`:
 * parsers, statistics, figures, thesis data, the CLI's arguments and its bare-host runs, fixtures
 * replayed through in-process fakes) runs in parallel first. A file that starts one of the shared
 * things belongs here.
 */
const REAL = [
  'test/backends/container-engines.test.ts',
  'test/backends/containerd-content.test.ts',
  'test/backends/criu.test.ts',
  'test/backends/kvm.test.ts',
  'test/backends/latency-docker.test.ts',
  'test/backends/lxc.test.ts',
  'test/backends/microvm.test.ts',
  'test/backends/migrate-kvm.test.ts',
  'test/backends/restore-kvm.test.ts',
  'test/cli/doctor.test.ts',
  'test/cli/pack.test.ts',
  'test/experiments/*.e2e.test.ts',
  'test/hosts/ansible-fleet.test.ts',
  'test/hosts/hosts-command.test.ts',
  'test/hosts/ssh-test-hosts.test.ts',
  'test/hosts/ssh.test.ts',
  'test/images/*.test.ts',
  'test/network/host-pair.test.ts',
  'test/notebooks/*.test.ts',
  'test/report/figure-fallback.test.ts',
  'test/report/report-browser.test.ts',
];

const shared = {
  testTimeout: 120_000,
  hookTimeout: 300_000,
  env: { TZ: 'UTC' },
};

export default defineConfig({
  test: {
    // the unit project's files at once: at least two, since vitest's default on a 2-core host is one
    maxWorkers: Math.max(2, os.availableParallelism()),
    minWorkers: 1,
    projects: [
      {
        test: { ...shared, name: 'unit', include: ['test/**/*.test.ts'], exclude: REAL },
      },
      {
        // one child process runs these files one after another, after the unit files
        test: {
          ...shared,
          name: 'real',
          include: REAL,
          pool: 'forks',
          poolOptions: { forks: { singleFork: true } },
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
