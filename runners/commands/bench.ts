/**
 * `guestbench bench` (npm run bench): the speed targets, as ratios measured in one run.
 */
import { formatRatio } from '../bench/ratio.js';
import { containerStart, harnessOverhead, vmRestoreVsColdBoot } from '../bench/harness-benchmarks.js';
import { reportSpeed } from '../bench/report-benchmarks.js';
import { startupSpeed } from '../bench/startup-benchmarks.js';
import { probeAccelCached } from '../../lib/backends/accel-probe.js';
import { findImages } from '../../lib/images/index.js';
import { parsePositiveInt } from '../../lib/util/cli-args.js';
import { UsageError } from '../../lib/util/errors.js';
import { logLine, type Command } from '../cli.js';

export const benchCommand: Command = {
  name: 'bench',
  summary: 'measure the harness against its targets (ratios, one run)',
  usage: `Usage: guestbench bench [--pairs N] [--only harness|report|startup]

Prints, as ratios measured in one run with A and B alternating:
  (a) sysbench cpu events/s through the native backend / the same command run directly (target >= 0.98)
  (b) container start to first output: docker backend / \`docker run --rm IMAGE\` (target <= 1.0)
  (c) VM start until the guest agent answers: cold boot / restore from a saved state
      (target >= 3, the speed-up the thesis saw; under TCG both are emulated)
  (d) the report, on the committed example campaigns, each build timed once:
      (d1) a full report / the same notebooks one at a time through jupyter nbconvert with plotly
           embedded, as reports were built when the target was set (target <= 0.25)
      (d2) an unchanged re-report / the full report (target <= 0.05)
      (d3) a full report / a fresh notebook worker per notebook, one at a time (target <= 0.5)
  (e) the command line's start-up, each over \`node -e 0\` spawned in the same loop:
      (e1) \`guestbench --version\` (target <= 3)   (e2) \`guestbench --help\` (target <= 3)
      (e3) \`guestbench report\` with nothing changed (target <= 5; the report is built once first)
      (e4) \`guestbench run density-cpu\` on the native backend until its first progress line (no target)

Options:
  --pairs N   alternating A/B pairs per ratio (default 5 for (a), 15 for (b): container start is noisier,
              3 for (c): each cold boot takes seconds, 7 for (e))
  --only WHAT harness: (a)-(c) only; report: (d) only (needs Jupyter, not Docker or QEMU);
              startup: (e) only (needs Jupyter for (e3))
  -h, --help  show this help

Exit status: 0 when measured (whether or not targets are met), 1 when a measurement failed.`,
  options: { pairs: { type: 'string' }, only: { type: 'string' } },
  async run(values) {
    const pairs = typeof values.pairs === 'string' ? parsePositiveInt(values.pairs, '--pairs') : undefined;
    const only = values.only;
    if (only !== undefined && only !== 'harness' && only !== 'report' && only !== 'startup')
      throw new UsageError(`Expected \`--only\` to be one of harness, report, startup, got \`${String(only)}\``, {
        fix: 'for example `guestbench bench --only report`',
      });
    if (only === undefined || only === 'startup') {
      logLine('(e) start-up ...');
      for (const result of await startupSpeed(logLine, pairs)) process.stdout.write(formatRatio(result) + '\n');
      if (only === 'startup') return 0;
    }
    if (only !== 'harness') {
      logLine('(d) report: full, one at a time, unchanged ...');
      for (const result of await reportSpeed(logLine)) process.stdout.write(formatRatio(result) + '\n');
      if (only === 'report') return 0;
    }
    logLine('(a) harness overhead ...');
    const overhead = await harnessOverhead(pairs);
    process.stdout.write(formatRatio(overhead) + '\n');
    logLine('(b) container start ...');
    const start = await containerStart(findImages().dockerImage, pairs);
    process.stdout.write(formatRatio(start) + '\n');
    logLine('(c) VM restore vs cold boot ...');
    const images = findImages();
    const probe = await probeAccelCached(images);
    if (probe.state !== 'ok') {
      process.stdout.write(`(c) VM restore vs cold boot: not measured: ${probe.reason}\n`);
      return 1;
    }
    const restore = await vmRestoreVsColdBoot(images, probe.accel, pairs);
    process.stdout.write(formatRatio(restore) + '\n');
    return 0;
  },
};
