/**
 * Plotly in notebooks, offline: the bundle is embedded once as HTML (the one rich output every
 * Jupyter frontend and nbconvert keep), then each figure is a <div> plus a Plotly.newPlot call.
 */
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Figure } from '../figures/plotly-spec.js';

const require = createRequire(import.meta.url);

/**
 * A <script> holding the whole plotly bundle. nbconvert's page loads require.js, and plotly's UMD
 * wrapper would then register as an AMD module instead of setting window.Plotly: hide `define`
 * while the bundle runs.
 */
export function plotlyBundleHtml(): string {
  const bundle = fs.readFileSync(require.resolve('plotly.js-dist-min'), 'utf8').replaceAll('</script', '<\\/script');
  return `<script>window.__guestbenchDefine = window.define; window.define = undefined;</script>
<script>${bundle}</script>
<script>window.define = window.__guestbenchDefine; delete window.__guestbenchDefine;</script>
<div style="font-size:11px;color:#888">plotly.js embedded for offline viewing</div>`;
}

let counter = 0;

/** A <div> and the script that draws `figure` into it; the data stays readable in the HTML. */
export function figureHtml(figure: Figure, options: { id?: string; height?: number } = {}): string {
  counter += 1;
  const id = options.id ?? `guestbench-figure-${process.pid}-${counter}`;
  const json = JSON.stringify(figure).replaceAll('</', '<\\/');
  return `<div id="${id}" class="guestbench-figure" style="width:100%;height:${options.height ?? 420}px"></div>
<script type="application/json" id="${id}-spec">${json}</script>
<script>(function () {
  var spec = JSON.parse(document.getElementById('${id}-spec').textContent);
  // a null whisker is none: plotly reads null as 0 and draws a flat tick, NaN on both sides draws nothing
  spec.data.forEach(function (trace) {
    [trace.error_y, trace.error_x].forEach(function (bars) {
      if (!bars || !bars.array) return;
      bars.array = bars.array.map(function (v) { return v === null ? NaN : v; });
      bars.arrayminus = (bars.arrayminus || []).map(function (v) { return v === null ? NaN : v; });
    });
  });
  function draw() { if (window.Plotly) { window.Plotly.newPlot('${id}', spec.data, spec.layout, {responsive: true}); } else { setTimeout(draw, 50); } }
  draw();
})();</script>`;
}
