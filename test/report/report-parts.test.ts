/**
 * The report's parts without Jupyter: parameter injection, the notebooks' parameters cells and
 * metadata, plotly swapped for one file, the page's outside scripts, numbered cells, the pool, the
 * staged folder and the cache key.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SYSTEMS_EXPERIMENTS } from '../../lib/analysis/systems-overview.js';
import { numberExecutedCells, readNotebook, type NotebookFile } from '../../lib/notebook/notebook-file.js';
import { selfContainedPage } from '../../lib/notebook/page-html.js';
import { injectParameters, parametersCellIndex } from '../../lib/notebook/parameters.js';
import { externalizePlotly, PLOTLY_BUNDLE_MARKER } from '../../lib/notebook/plotly-html.js';
import { cacheKey } from '../../runners/report/report-cache.js';
import { stageFolder } from '../../runners/report/report-folder.js';
import { runPool } from '../../runners/report/run-pool.js';
import { repoRoot } from '../helpers/notebooks.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'guestbench-report-parts-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
const code = (source: string, tags: string[] = []) => ({ cell_type: 'code', metadata: { tags }, source, outputs: [] });

describe('notebook parameters', () => {
  const notebook: NotebookFile = {
    cells: [{ cell_type: 'markdown', source: '# t' }, code("let campaign = '';", ['parameters']), code('use(campaign)')],
  };

  it('inject a cell tagged injected-parameters right after the parameters cell', () => {
    const injected = injectParameters(notebook, { campaign: 'a,b', results: '/r "x"' }, 'n.ipynb');
    expect(injected.cells.map((cell) => cell.metadata?.tags ?? [])).toEqual([
      [],
      ['parameters'],
      ['injected-parameters'],
      [],
    ]);
    expect(injected.cells[2]?.source).toContain('let campaign = "a,b";\nlet results = "/r \\"x\\"";');
    // injecting again replaces the earlier cell
    expect(injectParameters(injected, { campaign: 'c' }, 'n.ipynb').cells).toHaveLength(4);
    expect(notebook.cells).toHaveLength(3);
  });

  it('refuse a notebook without a parameters cell, naming it', () => {
    expect(() => injectParameters({ cells: [code('x')] }, { campaign: 'a' }, 'n.ipynb')).toThrow(/n\.ipynb has no cell/);
  });

  it('are the first code cell of every notebook that reads campaigns, which lists its experiments', () => {
    for (const name of fs.readdirSync(path.join(repoRoot, 'notebooks')).filter((file) => /^(0[1-9].*|explore)\.ipynb$/.test(file))) {
      const committed = readNotebook(path.join(repoRoot, 'notebooks', name));
      expect(parametersCellIndex(committed), name).toBe(committed.cells.findIndex((cell) => cell.cell_type === 'code'));
      // 07-compare compares two campaigns of any experiment: it lists none
      if (name === '07-compare.ipynb') expect(committed.metadata?.guestbench?.experiments, name).toEqual([]);
      else expect(committed.metadata?.guestbench?.experiments?.length, name).toBeGreaterThan(0);
    }
    const systems = readNotebook(path.join(repoRoot, 'notebooks/06-systems.ipynb'));
    expect(systems.metadata?.guestbench?.experiments).toEqual([...SYSTEMS_EXPERIMENTS]);
  });
});

describe('executed copies', () => {
  it('load plotly from one file instead of embedding it', () => {
    const executed: NotebookFile = {
      cells: [
        {
          ...code('x'),
          outputs: [
            { output_type: 'display_data', data: { 'text/html': `${PLOTLY_BUNDLE_MARKER}<script>bundle</script>` } },
            { output_type: 'display_data', data: { 'text/html': '<div>figure</div>' } },
          ],
        },
      ],
    };
    const lean = JSON.stringify(externalizePlotly(executed, 'plotly.min.js'));
    expect(lean).not.toContain('bundle');
    expect(lean).toContain('<script src=\\"plotly.min.js\\"></script>');
    expect(lean).toContain('<div>figure</div>');
  });

  it('number the cells that ran', () => {
    const ran = { ...code('x'), metadata: { execution: { 'iopub.status.busy': 't' } } };
    const numbered = numberExecutedCells({
      cells: [ran, { cell_type: 'markdown', source: '' }, { ...ran, outputs: [{ output_type: 'execute_result' }] }],
    });
    expect(numbered.cells.map((cell) => cell.execution_count)).toEqual([1, undefined, 2]);
    expect(numbered.cells[2]?.outputs?.[0]?.execution_count).toBe(2);
  });

  it('render pages that load nothing from outside their folder', () => {
    const page = `<head><script src="file:///usr/share/javascript/requirejs/require.min.js"></script>
<!-- Load mathjax -->
<script src="file:///usr/share/javascript/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe"> </script>
<script type="text/x-mathjax-config">init_mathjax = function() {}</script>
<script src="plotly.min.js"></script></head>`;
    const cleaned = selfContainedPage(page);
    expect(cleaned).not.toMatch(/usr\/share|mathjax/i);
    expect(cleaned).toContain('<script src="plotly.min.js"></script>');
  });
});

describe('report building blocks', () => {
  it('run at most `limit` tasks at once, and stop at the first failure', async () => {
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = async (item: number) => {
      started.push(item);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      if (item === 2) throw new Error('boom');
      return item * 10;
    };
    await expect(runPool([0, 1], 2, task)).resolves.toEqual([0, 10]);
    await expect(runPool([0, 1, 2, 3, 4, 5, 6], 2, task)).rejects.toThrow('boom');
    expect(most).toBe(2);
    expect(started).not.toContain(6);
  });

  it('swap a staged folder in only on commit, and leave nothing behind on discard', () => {
    const out = path.join(work, 'report');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'index.html'), 'old');
    const failed = stageFolder(out);
    fs.writeFileSync(path.join(failed.dir, 'index.html'), 'half');
    failed.discard();
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toBe('old');
    const done = stageFolder(out);
    fs.writeFileSync(path.join(done.dir, 'index.html'), 'new');
    done.commit();
    done.discard();
    expect(fs.readFileSync(path.join(out, 'index.html'), 'utf8')).toBe('new');
    expect(fs.readdirSync(work)).toEqual(['report']);
  });

  it('remove folders staged by a report that was killed outright, not those of a live one', () => {
    const out = path.join(work, 'report');
    // pid 2^22 + 1 is above Linux's pid_max limit: no such process
    const dead = path.join(work, `.report.partial-${2 ** 22 + 1}-abc`);
    const live = path.join(work, `.report.partial-${process.ppid}-abc`);
    for (const dir of [dead, live]) fs.mkdirSync(dir);
    const staged = stageFolder(out);
    staged.discard();
    expect(fs.existsSync(dead)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    fs.rmSync(live, { recursive: true });
  });

  it('key a notebook on its source, parameters, plotly mode, campaign samples and library', () => {
    const campaign = path.join(work, 'campaign');
    fs.mkdirSync(campaign);
    fs.writeFileSync(path.join(campaign, 'samples.jsonl'), '{}\n');
    const source = path.join(repoRoot, 'notebooks/01-density-cpu.ipynb');
    const base = { source, parameters: {}, plotly: 'file', campaignDirs: [campaign], libraryDigest: 'lib' };
    const key = cacheKey(base);
    expect(cacheKey(base)).toBe(key);
    expect(cacheKey({ ...base, parameters: { campaign: 'x' } })).not.toBe(key);
    expect(cacheKey({ ...base, plotly: 'embed' })).not.toBe(key);
    expect(cacheKey({ ...base, libraryDigest: 'other' })).not.toBe(key);
    fs.appendFileSync(path.join(campaign, 'samples.jsonl'), '{}\n');
    expect(cacheKey(base)).not.toBe(key);
  });
});
