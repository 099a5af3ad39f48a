/**
 * Plotly in notebooks, offline: the bundle is embedded once as HTML (the one rich output every
 * Jupyter frontend and nbconvert keep), then each figure is a <div> plus a Plotly.newPlot call.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Figure } from '../figures/plotly-spec.js';
import type { NotebookFile } from './notebook-file.js';

const require = createRequire(import.meta.url);

/** Marks the output that holds the bundle, so a report can swap it for a <script src>. */
export const PLOTLY_BUNDLE_MARKER = '<!-- guestbench:plotly-bundle -->';

/** The plotly bundle (plotly.js-dist-min) the notebooks embed, as a file path. */
export function plotlyBundlePath(): string {
  return require.resolve('plotly.js-dist-min');
}

// plotly's UMD wrapper registers as an AMD module when require.js is on the page: hide `define`
const hideDefine = '<script>window.__guestbenchDefine = window.define; window.define = undefined;</script>';
const restoreDefine = '<script>window.define = window.__guestbenchDefine; delete window.__guestbenchDefine;</script>';

/**
 * A <script> holding the whole plotly bundle. nbconvert's page loads require.js, and plotly's UMD
 * wrapper would then register as an AMD module instead of setting window.Plotly: hide `define`
 * while the bundle runs.
 */
export function plotlyBundleHtml(): string {
  const bundle = fs.readFileSync(plotlyBundlePath(), 'utf8').replaceAll('</script', '<\\/script');
  return `${PLOTLY_BUNDLE_MARKER}${hideDefine}
<script>${bundle}</script>
${restoreDefine}
<div style="font-size:11px;color:#888">plotly.js embedded for offline viewing</div>`;
}

/** Loads plotly from `src` (a path relative to the page, e.g. the report folder's plotly.min.js). */
export function plotlyScriptHtml(src: string): string {
  return `${hideDefine}
<script src="${encodeURI(src)}"></script>
${restoreDefine}
<div style="font-size:11px;color:#888">plotly.js loaded from ${src} beside this page (offline)</div>`;
}

/**
 * A copy of an executed notebook whose embedded plotly bundle (plotlyBundleHtml()'s output) is
 * replaced by plotlyScriptHtml(src): a report keeps one copy of plotly instead of one per page.
 */
export function externalizePlotly(notebook: NotebookFile, src: string): NotebookFile {
  const cells = notebook.cells.map((cell) => {
    if (cell.outputs === undefined) return cell;
    const outputs = cell.outputs.map((output) => {
      const html = output.data?.['text/html'];
      const text = Array.isArray(html) ? html.join('') : html;
      if (text === undefined || !text.startsWith(PLOTLY_BUNDLE_MARKER)) return output;
      return { ...output, data: { ...output.data, 'text/html': plotlyScriptHtml(src) } };
    });
    return { ...cell, outputs };
  });
  return { ...notebook, cells };
}

/**
 * A JavaScript function (as source) that a figure's script and the static renderer both apply to a
 * spec before drawing it: a null whisker is none (plotly reads null as 0 and draws a flat tick;
 * NaN on both sides draws nothing).
 */
export const PLOTLY_SPEC_FIX = `function (spec) {
  spec.data.forEach(function (trace) {
    [trace.error_y, trace.error_x].forEach(function (bars) {
      if (!bars || !bars.array) return;
      bars.array = bars.array.map(function (v) { return v === null ? NaN : v; });
      bars.arrayminus = (bars.arrayminus || []).map(function (v) { return v === null ? NaN : v; });
    });
  });
}`;

let counter = 0;

/**
 * A <div> and the script that draws `figure` into it, with the figure's notes as a caption under
 * it (where they wrap); the data stays readable in the HTML. The height is `options.height`, else
 * the figure's own, else 420 px.
 */
export function figureHtml(figure: Figure, options: { id?: string; height?: number } = {}): string {
  counter += 1;
  const id = options.id ?? `guestbench-figure-${process.pid}-${counter}`;
  const height = options.height ?? figure.layout.height ?? 420;
  const spec = { ...figure, layout: { ...figure.layout, height } };
  const json = JSON.stringify(spec).replaceAll('</', '<\\/');
  const notes = (figure.notes ?? []).map((note) => `<p style="margin:2px 0">${note}</p>`).join('');
  return `<figure class="guestbench-figure-box" style="margin:0 0 12px 0">
<div id="${id}" class="guestbench-figure" style="width:100%;height:${height}px"></div>
${notes === '' ? '' : `<figcaption class="guestbench-notes" style="font-size:12px;color:#444;margin:0 0 0 80px;max-width:900px">${notes}</figcaption>\n`}</figure>
<script type="application/json" id="${id}-spec">${json}</script>
<script>(function () {
  var spec = JSON.parse(document.getElementById('${id}-spec').textContent);
  (${PLOTLY_SPEC_FIX})(spec);
  function draw() {
    if (!window.Plotly) { setTimeout(draw, 50); return; }
    // the static image drawn at report time (figure-images.ts) gives way to the interactive figure
    var box = document.getElementById('${id}');
    var fallback = box.querySelector('img.guestbench-fallback');
    if (fallback) box.removeChild(fallback);
    window.Plotly.newPlot('${id}', spec.data, spec.layout, {responsive: true});
  }
  draw();
})();</script>`;
}
