/**
 * The campaign cell loop, on a fake backend (no Docker, no QEMU): every experiment runs on it, so
 * resume, unsupported and errored cells, --fail-fast, an abort, and progress are tested here once,
 * through the density experiment and through the loop itself.
 */
import { getEventListeners } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend } from '../../lib/backends/guest.js';
import { runCells } from '../../lib/experiments/cell-loop.js';
import { doneCells, type ExperimentContext } from '../../lib/experiments/context.js';
import { runDensity, type DensityParams } from '../../lib/experiments/density.js';
import { ProgressTracker, formatDuration, type ProgressState } from '../../lib/experiments/progress.js';
import type { Workload } from '../../lib/experiments/workload.js';
import type { BackendName } from '../../lib/model/backends.js';
import type { CellStop, MissingCapability } from '../../lib/results/campaign-meta.js';
import { valuelessRow } from '../../lib/results/rows.js';
import type { Sample } from '../../lib/results/schema.js';
import { createCampaignStore, readSamples, type CampaignStore } from '../../lib/results/store.js';
import { AbortedError, CapabilityError, GuestbenchError } from '../../lib/util/errors.js';
import { FakeBackend, type FakeScript } from '../helpers/fake-backend.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function newStore(): CampaignStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-cell-loop-'));
  dirs.push(dir);
  return createCampaignStore(dir, {
    id: '2026-12-01T00-00-00Z-test',
    experiment: 'density-cpu',
    profile: 'quick',
    parameters: {},
    backends: ['native', 'docker', 'kvm'],
    accel: {},
    host: {} as never,
    versions: {},
    image: null,
    git: null,
    startedAt: 'T',
    state: 'running',
    sessions: [],
    missing: [],
  });
}

interface Harness {
  context: ExperimentContext;
  logs: string[];
  progress: ProgressState[];
  missing: MissingCapability[];
  rows(): Sample[];
  abort(): void;
}

function harness(options: {
  store?: CampaignStore;
  backends?: Partial<Record<BackendName, Backend>>;
  unusable?: Partial<Record<BackendName, string>>;
  failFast?: boolean;
}): Harness {
  const store = options.store ?? newStore();
  const controller = new AbortController();
  const logs: string[] = [];
  const progress: ProgressState[] = [];
  const missing: MissingCapability[] = [];
  const before = readSamples(store.dir).samples;
  return {
    context: {
      store,
      backends: options.backends ?? {},
      unusable: options.unusable ?? {},
      done: doneCells(before),
      signal: controller.signal,
      failFast: options.failFast ?? false,
      log: (line) => logs.push(line),
      progress: (state) => progress.push(state),
      noteMissing: (item) => missing.push(item),
    },
    logs,
    progress,
    missing,
    rows: () => readSamples(store.dir).samples,
    abort: () => controller.abort(),
  };
}

/** A workload that prints `total_time 0.5` (the fake guests answer it) and parses it. */
const workload: Workload = {
  name: 'fake',
  command: ['work'],
  parse: (stdout) => {
    const value = /total_time (\S+)/.exec(stdout)?.[1];
    if (value === undefined) throw new GuestbenchError(`no total_time in ${JSON.stringify(stdout)}`);
    return [['total_time', Number(value)]];
  },
};

const answers: FakeScript = { exec: () => ({ stdout: 'total_time 0.5\n' }) };

function density(guests: Partial<Record<BackendName, number[]>>, repeats = 2): DensityParams {
  return {
    experiment: 'density-cpu',
    workload,
    guests,
    repeats,
    vcpus: 1,
    memoryMiB: 1024,
    runTimeoutMs: 10_000,
    readyTimeoutMs: 10_000,
  };
}

const cells = (rows: readonly Sample[]) => [
  ...new Set(rows.map((row) => `${row.backend}/${row.guests}/${row.repeat}:${row.state}`)),
];

describe('the campaign cell loop', () => {
  it('runs every cell, each guest of a repeat its own row, and stops every guest it started', async () => {
    const docker = new FakeBackend('docker', answers);
    const h = harness({ backends: { docker } });
    await runDensity(h.context, density({ docker: [1, 2] }));
    expect(cells(h.rows())).toEqual(['docker/1/1:ok', 'docker/1/2:ok', 'docker/2/1:ok', 'docker/2/2:ok']);
    expect(
      h
        .rows()
        .filter((row) => row.guests === 2 && row.repeat === 1)
        .map((row) => row.guest),
    ).toEqual([1, 2]);
    expect(h.rows().every((row) => row.state === 'ok' && row.value === 0.5)).toBe(true);
    // guests stay up across the repeats of one N: 1 + 2 guests, each ran the workload twice
    expect(docker.started.map((guest) => guest.commands.length)).toEqual([2, 2, 2]);
    expect(docker.running()).toEqual([]);
  });

  it('on resume, skips the cells already recorded and runs only the rest', async () => {
    const store = newStore();
    const first = harness({ store, backends: { docker: new FakeBackend('docker', answers) } });
    await runDensity(first.context, density({ docker: [1] }, 1));
    const docker = new FakeBackend('docker', answers);
    const again = harness({ store, backends: { docker } });
    await runDensity(again.context, density({ docker: [1, 2] }, 2));
    expect(cells(again.rows())).toEqual(['docker/1/1:ok', 'docker/1/2:ok', 'docker/2/1:ok', 'docker/2/2:ok']);
    // N=1 repeat 1 was not run again
    expect(docker.started.filter((guest) => guest.spec.name.includes('-n1-'))[0]?.commands).toHaveLength(1);
  });

  it('records an unusable backend as unsupported, with the reason, and goes on with the others', async () => {
    const native = new FakeBackend('native', answers);
    const h = harness({ backends: { native }, unusable: { kvm: 'qemu-system-x86_64 is not installed' } });
    await runDensity(h.context, density({ native: [1], kvm: [1, 2] }, 1));
    const kvm = h.rows().filter((row) => row.backend === 'kvm');
    expect(kvm.map((row) => [row.guests, row.state, row.accel, row.guest, row.reason])).toEqual([
      [1, 'unsupported', 'unknown', 0, 'qemu-system-x86_64 is not installed'],
      [2, 'unsupported', 'unknown', 0, 'qemu-system-x86_64 is not installed'],
    ]);
    expect(
      h
        .rows()
        .filter((row) => row.backend === 'native')
        .map((row) => row.state),
    ).toEqual(['ok']);
    // unsupported cells are tried again on resume: the capability may have been fixed since
    expect(doneCells(h.rows()).has('kvm/1/1')).toBe(false);
  });

  it('records a backend without the capability the experiment needs as unsupported, naming the capability', async () => {
    const h = harness({ backends: { docker: new FakeBackend('docker', answers) } });
    await runDensity(h.context, {
      ...density({ docker: [1] }, 1),
      scratch: { sizeMiB: 64, cache: 'none', hostRoot: '/var/tmp' },
    });
    expect(h.rows()).toMatchObject([{ state: 'unsupported', reason: 'docker lacks private scratch storage' }]);
  });

  it('records a failing guest as errored and goes on; an unparsable output too', async () => {
    let run = 0;
    const docker = new FakeBackend('docker', {
      exec: () => {
        run += 1;
        if (run === 2) return { exitCode: 1, stderr: 'sysbench: out of memory\n' };
        if (run === 3) return { stdout: 'garbage' };
        return { stdout: 'total_time 0.5\n' };
      },
    });
    const h = harness({ backends: { docker } });
    await runDensity(h.context, density({ docker: [1] }, 4));
    expect(h.rows().map((row) => [row.repeat, row.state, row.reason])).toEqual([
      [1, 'ok', undefined],
      [2, 'errored', 'exited with code 1: work: sysbench: out of memory'],
      [3, 'errored', 'no total_time in "garbage"'],
      [4, 'ok', undefined],
    ]);
    expect(h.logs.some((line) => line.includes('1 errored: exited with code 1'))).toBe(true);
  });

  it('when a guest dies mid-repeat, records that repeat errored and starts the group afresh for the rest', async () => {
    const docker = new FakeBackend('docker', {
      exec: (_argv, guest) => {
        // the first N=2 group loses its second guest during repeat 2 (killed from outside)
        if (guest.spec.name.endsWith('-g2') && guest.commands.length === 2 && docker.started.length === 2) {
          guest.state = 'stopped';
          return new Error('QEMU exited while running `work ...` (signal SIGKILL)');
        }
        return { stdout: 'total_time 0.5\n' };
      },
    });
    const h = harness({ backends: { docker } });
    await runDensity(h.context, density({ docker: [2] }, 4));
    // repeat 2: the first guest's run is kept, the second's is errored
    expect(cells(h.rows())).toEqual([
      'docker/2/1:ok',
      'docker/2/2:ok',
      'docker/2/2:errored',
      'docker/2/3:ok',
      'docker/2/4:ok',
    ]);
    expect(h.rows().find((row) => row.state === 'errored')?.reason).toMatch(/^QEMU exited while running/);
    // two guests, then two fresh ones for repeats 3 and 4; none left running
    expect(docker.started.map((guest) => guest.commands.length)).toEqual([2, 2, 2, 2]);
    expect(docker.running()).toEqual([]);
    expect(
      h.logs.some((line) => /1 of its 2 guest\(s\) no longer running .*starting the group's guests again/.test(line)),
    ).toBe(true);
  });

  it('keeps a group whose guests are all still running after an errored repeat', async () => {
    let run = 0;
    const docker = new FakeBackend('docker', {
      exec: () => ((run += 1) === 1 ? { exitCode: 1 } : { stdout: 'total_time 0.5\n' }),
    });
    const h = harness({ backends: { docker } });
    await runDensity(h.context, density({ docker: [1] }, 3));
    expect(cells(h.rows())).toEqual(['docker/1/1:errored', 'docker/1/2:ok', 'docker/1/3:ok']);
    expect(docker.started).toHaveLength(1);
  });

  it('records a group whose guests cannot start as errored for each of its repeats, and goes on', async () => {
    const docker = new FakeBackend('docker', {
      ...answers,
      start: (spec) => (spec.name.includes('-n2-') ? new Error('engine refused: out of disk') : undefined),
    });
    const h = harness({ backends: { docker } });
    await runDensity(h.context, density({ docker: [2, 1] }, 2));
    expect(cells(h.rows())).toEqual(['docker/2/1:errored', 'docker/2/2:errored', 'docker/1/1:ok', 'docker/1/2:ok']);
    expect(h.rows()[0]).toMatchObject({ guest: 0, reason: 'could not start guests: engine refused: out of disk' });
    expect(docker.running()).toEqual([]);
  });

  it('with --fail-fast, stops at the first errored cell, keeping what it recorded, stopping every guest', async () => {
    const docker = new FakeBackend('docker', {
      exec: (_argv, guest) => (guest.commands.length === 2 ? { exitCode: 2 } : { stdout: 'total_time 0.5\n' }),
    });
    const h = harness({ backends: { docker }, failFast: true });
    await expect(runDensity(h.context, density({ docker: [1, 2] }, 3))).rejects.toThrow(
      /A measurement failed \(--fail-fast\): exited with code 2/,
    );
    expect(cells(h.rows())).toEqual(['docker/1/1:ok', 'docker/1/2:errored']);
    expect(docker.running()).toEqual([]);
  });

  it('on an abort, keeps every finished repeat, records nothing of the one running, and stops every guest', async () => {
    const h = harness({});
    const docker = new FakeBackend('docker', {
      exec: (_argv, guest) => {
        if (guest.commands.length < 3) return { stdout: 'total_time 0.5\n' };
        h.abort();
        return 'hang';
      },
    });
    h.context.backends.docker = docker;
    await expect(runDensity(h.context, density({ docker: [1, 2] }, 5))).rejects.toBeInstanceOf(AbortedError);
    expect(cells(h.rows())).toEqual(['docker/1/1:ok', 'docker/1/2:ok']);
    expect(docker.running()).toEqual([]);
  });

  it('leaves no listener, timer or handle behind after a campaign of many repeats, and no leak warning', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(`${warning.name}: ${warning.message}`);
    process.on('warning', onWarning);
    const resources = () =>
      process
        .getActiveResourcesInfo()
        .filter((kind) => kind !== 'TTYWrap')
        .sort();
    const before = resources();
    try {
      const docker = new FakeBackend('docker', answers);
      const h = harness({ backends: { docker } });
      await runDensity(h.context, density({ docker: [1, 2] }, 300));
      expect(h.rows().filter((row) => row.state === 'ok')).toHaveLength(900);
      expect(getEventListeners(h.context.signal, 'abort')).toHaveLength(0);
      // warnings are emitted on the next tick
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
      expect(resources()).toEqual(before);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('--repeats auto: adds repeats while the interval is wide, stops when precise or at the cap, and records why', async () => {
    // N=1 settles after one slow repeat; N=2 never does
    const series: Record<string, number[]> = { '-n1-': [1, 1.1, 1, 1, 1, 1], '-n2-': [1, 3, 1, 3, 1, 3] };
    const docker = new FakeBackend('docker', {
      exec: (_argv, guest) => {
        const key = guest.spec.name.includes('-n1-') ? '-n1-' : '-n2-';
        const value = series[key]?.[guest.commands.length - 1] ?? 1;
        return { stdout: `total_time ${value}\n` };
      },
    });
    const store = newStore();
    const h = harness({ store, backends: { docker } });
    const stops: CellStop[] = [];
    h.context.repeatRule = { minRepeats: 3, maxRepeats: 6, precision: 0.1 };
    h.context.noteStop = (stop) => stops.push(stop);
    await runDensity(h.context, density({ docker: [1, 2] }, 6));
    const repeatsOf = (guests: number) =>
      [
        ...new Set(
          h
            .rows()
            .filter((row) => row.guests === guests)
            .map((row) => row.repeat),
        ),
      ].length;
    // N=1: [1, 1.1, 1]: RSD 5.6%, 95% interval ±exp(4.303·0.0557/√3) − 1 = ±14.8%; [1, 1.1, 1, 1]:
    // RSD 4.9%, ±exp(3.182·0.0488/2) − 1 = ±8.1% <= ±10%: four repeats
    expect(repeatsOf(1)).toBe(4);
    expect(repeatsOf(2)).toBe(6);
    expect(stops.map((stop) => [stop.guests, stop.reason, stop.repeats])).toEqual([
      [1, 'precise', 4],
      [2, 'cap', 6],
    ]);

    // a cell steady from the start stops at the minimum
    const steady = new FakeBackend('docker', answers);
    const again = harness({ backends: { docker: steady } });
    const steadyStops: CellStop[] = [];
    again.context.repeatRule = { minRepeats: 3, maxRepeats: 6, precision: 0.05 };
    again.context.noteStop = (stop) => steadyStops.push(stop);
    await runDensity(again.context, density({ docker: [1] }, 6));
    expect(cells(again.rows())).toEqual(['docker/1/1:ok', 'docker/1/2:ok', 'docker/1/3:ok']);
    expect(steadyStops).toMatchObject([{ reason: 'precise', repeats: 3, rsd: 0, halfWidth: 0 }]);
    expect(again.progress.at(-1)).toMatchObject({ done: 6, total: 6 });

    // resumed, a cell already precise gets no more repeats
    const resumed = harness({ store: again.context.store, backends: { docker: new FakeBackend('docker', answers) } });
    resumed.context.repeatRule = again.context.repeatRule;
    await runDensity(resumed.context, density({ docker: [1] }, 6));
    expect(resumed.rows()).toHaveLength(3);
  });

  it('reports progress: cells done of the total, the one running, and time left once a cell is measured', async () => {
    const h = harness({ backends: { docker: new FakeBackend('docker', answers) }, unusable: { kvm: 'no QEMU' } });
    await runDensity(h.context, density({ kvm: [1], docker: [1, 2] }, 2));
    const last = h.progress.at(-1);
    expect(last).toMatchObject({ done: 6, total: 6, running: undefined });
    expect(h.progress.every((state) => state.total === 6)).toBe(true);
    expect(h.progress.find((state) => state.done === 2)?.etaMs).toBeUndefined();
    expect(h.progress.find((state) => state.done === 3)?.etaMs).toBeGreaterThanOrEqual(0);
    expect(h.progress.some((state) => state.running === 'docker N=2 repeat 1/2')).toBe(true);
  });

  it('makes a backend whose shared set-up lacks a capability unsupported, noting it in campaign.json', async () => {
    const h = harness({ backends: { kvm: new FakeBackend('kvm', answers, {}, 'tcg') } });
    const opened: string[] = [];
    await runCells(h.context, {
      experiment: 'migration',
      groups: [{ backend: 'kvm', guests: 1, config: 'clean-1cpu-256m', repeats: 2 }],
      valuelessRows: (cell, state, reason) => [
        valuelessRow({ campaign: 'c', experiment: 'migration', ...cell, guest: 0 }, 'total_time', state, reason),
      ],
      openBackend: async () => {
        throw new CapabilityError('no two hosts: this kernel has no veth', { fix: 'modprobe veth' });
      },
      openGroup: async () => {
        opened.push('group');
        return { measure: async () => [], close: async () => {} };
      },
    });
    expect(opened).toEqual([]);
    expect(h.rows().map((row) => [row.config, row.repeat, row.state, row.accel, row.reason])).toEqual([
      ['clean-1cpu-256m', 1, 'unsupported', 'tcg', 'no two hosts: this kernel has no veth'],
      ['clean-1cpu-256m', 2, 'unsupported', 'tcg', 'no two hosts: this kernel has no veth'],
    ]);
    expect(h.missing).toEqual([
      { capability: 'migration:kvm', reason: 'no two hosts: this kernel has no veth', fix: 'modprobe veth' },
    ]);
  });

  it('turns a measurement that throws into an errored row and closes the group', async () => {
    const h = harness({ backends: { docker: new FakeBackend('docker', answers) } });
    let closed = 0;
    await runCells(h.context, {
      experiment: 'latency',
      groups: [{ backend: 'docker', guests: 0, repeats: 2 }],
      valuelessRows: (cell, state, reason) => [
        valuelessRow({ campaign: 'c', experiment: 'latency', ...cell, guest: 1 }, 'boot_time', state, reason),
      ],
      openGroup: async () => ({
        measure: async (cell) => {
          if (cell.repeat === 1) throw new Error('the engine hung up');
          return [
            valuelessRow({ campaign: 'c', experiment: 'latency', ...cell, guest: 1 }, 'boot_time', 'errored', 'second'),
          ];
        },
        close: async () => {
          closed += 1;
        },
      }),
    });
    expect(h.rows().map((row) => [row.repeat, row.reason])).toEqual([
      [1, 'the engine hung up'],
      [2, 'second'],
    ]);
    expect(closed).toBe(1);
  });
});

describe('progress', () => {
  it('estimates the time left per backend from the time spent on it, set-up included', () => {
    let now = 0;
    const tracker = new ProgressTracker(
      [{ backend: 'docker' }, { backend: 'docker' }, { backend: 'kvm' }, { backend: 'kvm' }],
      undefined,
      () => now,
    );
    expect(tracker.etaMs()).toBeUndefined();
    tracker.beginBackend('docker');
    now = 1000;
    tracker.finished('docker', 1, true);
    // docker: 1 s a cell; kvm not measured yet: the campaign's pace, 1 s a cell
    expect(tracker.etaMs()).toBe(3000);
    now = 2000;
    tracker.finished('docker', 1, true);
    tracker.beginBackend('kvm');
    now = 12_000;
    tracker.finished('kvm', 1, true);
    // kvm: 10 s a cell, one left
    expect(tracker.etaMs()).toBe(10_000);
    expect(tracker.state()).toMatchObject({ done: 3, total: 4, elapsedMs: 12_000 });
  });

  it('counts skipped (unsupported) cells as done without taking them as the pace', () => {
    let now = 0;
    const tracker = new ProgressTracker(
      [{ backend: 'native' }, { backend: 'kvm' }, { backend: 'kvm' }],
      undefined,
      () => now,
    );
    tracker.finished('native', 1, false);
    expect(tracker.etaMs()).toBeUndefined();
    tracker.beginBackend('kvm');
    now = 4000;
    tracker.finished('kvm', 1, true);
    expect(tracker.etaMs()).toBe(4000);
  });

  it('says durations the way a progress line does', () => {
    expect(formatDuration(12_400)).toBe('12 s');
    expect(formatDuration(250_000)).toBe('4 min 10 s');
    expect(formatDuration(3_900_000)).toBe('1 h 05 min');
  });
});
