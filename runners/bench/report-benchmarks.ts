/**
 * (d) The report's speed targets, measured in one run on the committed example campaigns (an
 * empty results directory), each build timed once (a full build of seven notebooks takes a
 * minute or more on a 2-core host):
 *   (d1) a full report (concurrent workers each reusing one kernel, one plotly.min.js) / the
 *        report as it was built when its speed target was set: one notebook after another, each
 *        executed by `jupyter nbconvert --execute` (its own Python, kernel and library import)
 *        and rendered by `jupyter nbconvert --to html`, plotly embedded: target <= 0.25
 *   (d2) an unchanged re-report / that full report: target < 0.05
 *   (d3) the full report / the same workers' way with a fresh worker per notebook, one after
 *        another (what reusing kernels adds to concurrency): target <= 0.5, below what two cores'
 *        concurrency alone could give
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { executeNotebook, JUPYTER, notebookErrors } from '../../lib/notebook/execute-notebook.js';
import { readNotebook } from '../../lib/notebook/notebook-file.js';
import { injectParameters } from '../../lib/notebook/parameters.js';
import { packageRoot } from '../../lib/util/paths.js';
import { buildReport, type ReportOptions } from '../report/build-report.js';
import { planNotebook } from '../report/report-plan.js';
import { meets, type RatioResult } from './ratio.js';

function once(
  name: string,
  a: [string, number],
  b: [string, number],
  target: NonNullable<RatioResult['target']>,
): RatioResult {
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
    met: meets(ratio, target),
  };
}

/** Times the four builds and returns (d1), (d2) and (d3). */
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
    const plans = notebooks.map((name) => {
      const source = path.join(root, 'notebooks', name);
      return { name, source, plan: planNotebook(source, { named: [], resultsDir: path.join(work, 'results') }) };
    });
    const seconds = (began: number): number => (Date.now() - began) / 1000;
    // the report as it was when the target was set: nbconvert executes, nbconvert renders
    let began = Date.now();
    const nbconvertDir = path.join(work, 'nbconvert');
    for (const { name, source, plan } of plans) {
      const base = path.basename(name, '.ipynb');
      const input = injectParameters(readNotebook(source), plan.parameters, name);
      await execa(
        JUPYTER,
        [
          'nbconvert',
          '--to',
          'notebook',
          '--execute',
          '--allow-errors',
          '--ExecutePreprocessor.kernel_name=tslab',
        ].concat(['--ExecutePreprocessor.timeout=900', '--stdin', '--output-dir', nbconvertDir, '--output', base]),
        { cwd: path.dirname(source), input: JSON.stringify(input) },
      );
      const executed = path.join(nbconvertDir, `${base}.ipynb`);
      if (notebookErrors(readNotebook(executed)).length > 0) throw new Error(`nbconvert: failing cells in ${name}`);
      await execa(JUPYTER, ['nbconvert', '--to', 'html', executed], { cwd: nbconvertDir });
    }
    const before = seconds(began);
    log(`one at a time, jupyter nbconvert per notebook, plotly embedded: ${before.toFixed(1)} s`);
    // the workers' way, but a fresh worker (Python, kernel, library) per notebook, one at a time
    began = Date.now();
    for (const { name, source, plan } of plans) {
      const result = await executeNotebook(source, {
        outDir: path.join(work, 'fresh'),
        parameters: plan.parameters,
        plotly: { mode: 'embed' },
      });
      if (result.errors.length > 0) throw new Error(`fresh workers: failing cells in ${name}`);
    }
    const fresh = seconds(began);
    log(`one at a time, a fresh worker per notebook: ${fresh.toFixed(1)} s`);
    const full = await timed('full report', options('report'));
    const again = await timed('unchanged re-report', options('report'));
    const jobs = os.availableParallelism();
    return [
      once(
        `(d1) full report of ${notebooks.length} notebooks: concurrent reused kernels + one plotly / nbconvert one at a time + embedded`,
        [`${jobs} at a time, plotly.min.js`, full],
        ['one at a time, jupyter nbconvert per notebook, plotly in every page', before],
        { op: '<=', value: 0.25 },
      ),
      once('(d2) unchanged re-report / full report', ['re-report, nothing changed', again], ['full report', full], {
        op: '<=',
        value: 0.05,
      }),
      once(
        '(d3) full report / a fresh worker per notebook, one at a time',
        [`${jobs} at a time, kernels reused`, full],
        ['one at a time, a fresh worker each', fresh],
        { op: '<=', value: 0.5 },
      ),
    ];
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
