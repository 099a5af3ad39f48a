/**
 * Unit tests of the latency experiments' pure parts: timings -> metric values and rows, the
 * parameters each profile and command line give, and the phase breakdown / restore summary of the
 * analysis layer (the thesis's claims: test/analysis/claims).
 */
import { describe, expect, it } from 'vitest';
import { rowMaker } from '../helpers/samples.js';
import { bootPhases, phaseMeans, VM_RESTORE_PHASES } from '../../lib/analysis/latency-phases.js';
import { summarizeRestore } from '../../lib/analysis/latency-restore-summary.js';
import { summarize } from '../../lib/analysis/summarize.js';
import { containerCommand } from '../../lib/backends/docker.js';
import { latency, LATENCY_PROFILES } from '../../lib/experiments/latency.js';
import { latencyRestore } from '../../lib/experiments/latency-restore.js';
import {
  containerBootValues,
  containerShutdownValues,
  containerStartTiming,
} from '../../lib/backends/docker-latency.js';
import { dockerEngine } from '../../lib/backends/docker-provider.js';
import { DockerBackend } from '../../lib/backends/docker.js';
import { vmBootValues, vmShutdownValues } from '../../lib/backends/kvm-latency.js';
import { okRows, valuelessRow } from '../../lib/experiments/latency-rows.js';
import { seconds } from '../../lib/util/clock.js';
import { experimentNamed } from '../../lib/experiments/registry.js';
import { METRICS, type Sample } from '../../lib/results/schema.js';

const ms = (value: number) => BigInt(Math.round(value * 1e6));

describe('latency rows from timings', () => {
  it('computes seconds from nanosecond BigInts without losing precision at large clock values', () => {
    const base = 10n ** 15n; // a monotonic clock 11.6 days after boot
    expect(seconds(base, base + 1_234_567_891n)).toBe(1.234567891);
  });

  it('splits a VM boot at QMP and the marker; the agent step comes after ready', () => {
    const values = vmBootValues({
      requestedNs: ms(0),
      qmpNs: ms(80),
      markerNs: ms(5080),
      agentNs: ms(5300),
      guestUptimeAtMarker: 4.1,
    });
    expect(Object.fromEntries(values)).toEqual({
      boot_time: 5.08,
      phase_vmm: 0.08,
      phase_guest: 5,
      phase_agent: 0.22,
      guest_uptime_at_marker: 4.1,
    });
    const [boot, vmm, guest] = values.map(([, value]) => value);
    expect((vmm as number) + (guest as number)).toBeCloseTo(boot as number, 12);
  });

  it('ends a container start at its marker (which arrives before the start reply) and sets the engine beside it', () => {
    const values = Object.fromEntries(
      containerBootValues({
        requestedNs: ms(0),
        createdNs: ms(20),
        attachedNs: ms(23),
        startedNs: ms(300),
        markerNs: ms(290),
        engineStartNs: ms(296),
      }),
    );
    expect(values).toEqual({
      boot_time: 0.29,
      phase_create: 0.02,
      phase_attach: 0.003,
      phase_start: 0.267,
      engine_start_time: 0.296,
      harness_overhead: 0.004,
    });
    expect(values.phase_create! + values.phase_attach! + values.phase_start!).toBeCloseTo(values.boot_time!, 12);
    // without the engine's event there is no engine-side view, not a made-up one
    expect(
      Object.keys(
        Object.fromEntries(
          containerBootValues({
            requestedNs: 0n,
            createdNs: 1n,
            attachedNs: 2n,
            startedNs: 4n,
            markerNs: 3n,
            engineStartNs: undefined,
          }),
        ),
      ),
    ).toEqual(['boot_time', 'phase_create', 'phase_attach', 'phase_start']);
  });

  it('times shutdowns and says whether the engine had to kill the container', () => {
    expect(
      Object.fromEntries(vmShutdownValues({ requestedNs: ms(0), poweredOffNs: ms(290), exitedNs: ms(300) })),
    ).toEqual({ shutdown_time: 0.3, phase_poweroff: 0.29, phase_vmm_exit: 0.01 });
    expect(vmShutdownValues({ requestedNs: ms(0), poweredOffNs: undefined, exitedNs: ms(300) })).toEqual([
      ['shutdown_time', 0.3],
    ]);
    expect(containerShutdownValues({ requestedNs: ms(0), stoppedNs: ms(110), exitCode: 0 })).toEqual([
      ['shutdown_time', 0.11],
      ['shutdown_killed', 0],
    ]);
    expect(containerShutdownValues({ requestedNs: ms(0), stoppedNs: ms(10_200), exitCode: 137 })).toEqual([
      ['shutdown_time', 10.2],
      ['shutdown_killed', 1],
    ]);
  });

  it('writes tidy rows: the measured guest is guest N + 1, units from METRICS, a reason on valueless rows', () => {
    const cell = {
      campaign: 'c',
      experiment: 'latency',
      backend: 'kvm' as const,
      accel: 'tcg' as const,
      guests: 2,
      repeat: 3,
      raw: 'raw/x.txt',
    };
    const [row] = okRows(cell, [['boot_time', 5.5]], 'T');
    expect(row).toEqual({ ...cell, guest: 3, metric: 'boot_time', value: 5.5, unit: 's', at: 'T', state: 'ok' });
    expect(valuelessRow(cell, 'restore_time', 'unsupported', 'no CRIU', 'T')).toMatchObject({
      guest: 0,
      value: null,
      state: 'unsupported',
      reason: 'no CRIU',
      unit: 's',
    });
    expect(METRICS.snapshot_size).toBe('bytes');
  });
});

describe('latency experiment definitions', () => {
  it('are registered; every backend asked for gets its N, the bare host one to say it does not boot', () => {
    expect(experimentNamed('latency')).toBe(latency);
    expect(experimentNamed('latency-restore')).toBe(latencyRestore);
    expect(latency.uses).toEqual(['startTiming']);
    const params = latency.parameters({ profile: 'thesis', backends: ['native', 'docker', 'kvm'] });
    expect(params.guests).toEqual({ native: [0], docker: [0, 1, 2, 4, 8, 16], kvm: [0, 1, 2, 4, 8, 12] });
    expect(Object.keys(params.guests)).toEqual(['native', 'docker', 'kvm']);
    expect(params.repeats).toBe(10);
    expect(latency.parameters({ profile: 'quick', backends: ['kvm'], guests: [1], repeats: 1 })).toMatchObject({
      guests: { kvm: [1] },
      repeats: 1,
    });
    expect(LATENCY_PROFILES.quick.guests).toEqual({
      native: [0],
      kvm: [0, 1, 2],
      microvm: [0, 1, 2],
      docker: [0, 1, 2, 4, 8, 16],
      podman: [0, 1, 2, 4, 8, 16],
      lxc: [0, 1, 2, 4, 8, 16],
    });
    expect(latencyRestore.parameters({ profile: 'quick', backends: ['docker', 'kvm'] })).toMatchObject({
      guests: { docker: [0], kvm: [0] },
      repeats: 3,
    });
  });

  it("a container's timed start says what ready and gone mean, and its main process exits on SIGTERM", () => {
    const timing = containerStartTiming(
      new DockerBackend({ engine: dockerEngine('runc 1.1.5'), image: 'guestbench/bookworm:test' }),
    );
    expect(timing.readiness).toContain(containerCommand(true).join(' '));
    expect(timing.readiness).toMatch(/prints "guestbench-ready" on stdout/);
    expect(timing.shutdown).toMatch(/SIGTERM/);
  });

  it('containers either exit on SIGTERM or, as before, ignore it', () => {
    expect(containerCommand(false)).toEqual(['sh', '-c', 'echo guestbench-ready; exec sleep infinity']);
    expect(containerCommand(true)[2]).toBe("trap 'exit 0' TERM; echo guestbench-ready; sleep infinity & wait");
  });
});

const sample = rowMaker({
  campaign: 'c',
  experiment: 'latency-restore',
  backend: 'kvm',
  accel: 'tcg',
  guests: 0,
  guest: 1,
  repeat: 1,
  metric: 'cold_boot_time',
  at: 'T',
});

describe('latency analysis', () => {
  const restoreRows: Sample[] = [
    sample({ repeat: 1, value: 5 }),
    sample({ repeat: 1, metric: 'restore_time', value: 0.5 }),
    sample({ repeat: 2, value: 6 }),
    sample({ repeat: 2, metric: 'restore_time', value: 0.4 }),
    sample({ repeat: 1, metric: 'snapshot_size', unit: 'bytes', value: 2 * 2 ** 20 }),
    sample({ backend: 'docker', accel: 'none', value: 0.3 }),
    sample({
      backend: 'docker',
      accel: 'none',
      guest: 0,
      metric: 'restore_time',
      value: null,
      state: 'unsupported',
      reason: 'criu check fails',
    }),
  ];

  it('pairs cold boot and restore per repeat, and keeps the reason where a kind cannot restore', () => {
    // in legend order: containers, then VMs
    const [container, vm] = summarizeRestore(restoreRows);
    expect(vm).toMatchObject({ backend: 'kvm', accel: 'tcg', restoreState: 'ok', reason: null });
    expect(vm?.speedup?.mean).toBeCloseTo((10 + 15) / 2, 12);
    expect(vm?.saving?.mean).toBeCloseTo(5.05, 12);
    expect(vm?.stateMiB?.mean).toBe(2);
    expect(container).toMatchObject({
      backend: 'docker',
      restore: null,
      speedup: null,
      restoreState: 'unsupported',
      reason: 'criu check fails',
    });
    expect(container?.cold?.mean).toBe(0.3);
  });

  it('breaks a VM boot into phases, deriving the firmware step from the host and guest clocks', () => {
    const rows: Sample[] = [
      ['phase_vmm', 0.1],
      ['phase_guest', 5],
      ['guest_uptime_at_marker', 4],
      ['phase_agent', 0.2],
      ['boot_time', 5.1],
    ].map(([metric, value]) =>
      sample({
        experiment: 'latency',
        guests: 1,
        guest: 2,
        metric: metric as Sample['metric'],
        value: value as number,
      }),
    );
    const means = phaseMeans(summarize(rows), { backend: 'kvm', phases: bootPhases('kvm', 'latency'), what: 'boot' });
    expect(means.map((mean) => [mean.metric, mean.mean, mean.inHeadline])).toEqual([
      ['phase_vmm', 0.1, true],
      ['derived:firmware', 1, true],
      ['guest_uptime_at_marker', 4, true],
      ['phase_agent', 0.2, false],
    ]);
    expect(phaseMeans(summarize(rows), { backend: 'kvm', phases: VM_RESTORE_PHASES, what: 'restore' })).toEqual([]);
  });
});
