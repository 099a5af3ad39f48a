/**
 * (d) The report's speed targets, measured in one run on the committed example campaigns (an
 * empty results directory), each build timed once (a full build of seven notebooks takes a
 * minute or more on a 2-core host):
 *   (d1) a full report (concurrent workers each reusing one kernel, one plotly.min.js) / the
 *        report as it was built before: one notebook at a time, each in a kernel of its own (as
 *        `jupyter nbconvert --execute` ran them), plotly embedded in every page: target <= 0.25
 *   (d2) an unchanged re-report / that full report: target < 0.05
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { executeNotebook } from '../../lib/notebook/execute-notebook.js';
import { packageRoot } from '../../lib/util/paths.js';
import { buildReport, type ReportOptions } from '../report/build-report.js';
import { planNotebook } from '../report/report-plan.js';
import type { RatioResult } from './ratio.js';

function once(name: string, a: [string, number], b: [string, number], target: RatioResult['target']): RatioResult {
  const ratio = a[1] / b[1];
  return {
    name,
    a: a[0],
    b: b[0],
    unit: 's',
    aValues: [a[1]],
    bValues: [b[1]],
    ratios: [ratio],
    median: ratio,
    min: ratio,
    max: ratio,
    target,
    met: target.op === '>=' ? ratio >= target.value : ratio <= target.value,
  };
}

/** Times the three builds and returns (d1) and (d2). */
export async function reportSpeed(log: (line: string) => void): Promise<RatioResult[]> {
  const root = packageRoot();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-bench-report-'));
  try {
    fs.mkdirSync(path.join(work, 'results'));
    const notebooks = fs
      .readdirSync(path.join(root, 'notebooks'))
      .filter((name) => name.endsWith('.ipynb'))
      .sort();
    const options = (out: string): ReportOptions => ({
      root,
      notebooks,
      resultsDir: path.join(work, 'results'),
      named: [],
      outDir: path.join(work, out),
      force: false,
      singleFile: false,
    });
    const timed = async (label: string, build: ReportOptions): Promise<number> => {
      const outcome = await buildReport(build);
      const failing = outcome.entries.filter((entry) => entry.errors.length > 0).map((entry) => entry.name);
      if (failing.length > 0) throw new Error(`${label}: failing cells in ${failing.join(', ')}`);
      log(`${label}: ${outcome.seconds.toFixed(1)} s (${outcome.executed} executed)`);
      return outcome.seconds;
    };
    // the report as it was: every notebook executed alone, in a fresh kernel, one after another
    const began = Date.now();
    for (const name of notebooks) {
      const source = path.join(root, 'notebooks', name);
      const plan = planNotebook(source, { named: [], resultsDir: path.join(work, 'results') });
      const result = await executeNotebook(source, {
        outDir: path.join(work, 'sequential'),
        parameters: plan.parameters,
        plotly: { mode: 'embed' },
      });
      if (result.errors.length > 0) throw new Error(`one at a time: failing cells in ${name}`);
    }
    const before = (Date.now() - began) / 1000;
    log(`one at a time, each in a kernel of its own, plotly embedded: ${before.toFixed(1)} s`);
    const full = await timed('full report', options('report'));
    const again = await timed('unchanged re-report', options('report'));
    const jobs = os.availableParallelism();
    return [
      once(
        `(d1) full report of ${notebooks.length} notebooks: concurrent reused kernels + one plotly / one at a time + embedded`,
        [`${jobs} at a time, plotly.min.js`, full],
        ['one at a time, a kernel each, plotly in every page', before],
        { op: '<=', value: 0.25 },
      ),
      once('(d2) unchanged re-report / full report', ['re-report, nothing changed', again], ['full report', full], {
        op: '<=',
        value: 0.05,
      }),
    ];
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
