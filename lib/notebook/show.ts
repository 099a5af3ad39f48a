/**
 * Showing a table in a tslab notebook: `show(frame)` displays a DataFrame, a Series or a list of
 * rows as an HTML table (lib/notebook/frame-html.ts), and a DataFrame or Series left as a cell's
 * last value displays the same way. tslab prints a cell's last value with console.log, which asks
 * the value's `util.inspect.custom` method for its text: in a kernel, guestbench gives danfojs's
 * classes one that displays the table and answers a one-line summary.
 */
import { createRequire } from 'node:module';
import * as util from 'node:util';
import { DataFrame, Series } from 'danfojs';
import { frameHtml, isFrame, isSeries, type FrameHtmlOptions, type Tabular } from './frame-html.js';

/** The part of tslab's public API used here. */
interface TslabDisplay {
  html(html: string): void;
}

/** tslab's display when running in a tslab kernel (it sets `__tslab__`), else undefined. */
function kernelDisplay(): TslabDisplay | undefined {
  if (!('__tslab__' in globalThis)) return undefined;
  try {
    // the kernel's own module instance: it knows which cell's output a display belongs to
    return (createRequire(import.meta.url)('tslab') as { display: TslabDisplay }).display;
  } catch {
    return undefined;
  }
}

/** One line saying what a frame is: `DataFrame: 120 rows x 16 columns`. */
export function frameSummary(value: DataFrame | Series): string {
  const [rows = 0, columns = 1] = value.shape;
  return `${isSeries(value) ? 'Series' : 'DataFrame'}: ${rows} rows x ${columns} columns`;
}

/**
 * Displays `value` as an HTML table in a tslab notebook (outside one, prints its summary line and
 * the HTML's text is not shown). Returns nothing, so a cell ending in `show(...)` prints nothing more.
 */
export function show(value: Tabular, options: FrameHtmlOptions = {}): void {
  const display = kernelDisplay();
  if (display) display.html(frameHtml(value, options));
  else console.log(isFrame(value) ? frameSummary(value) : `${value.length} rows`);
}

let installed = false;

/**
 * In a tslab kernel, makes a DataFrame or Series display as a table wherever it is printed (a
 * cell's last value, console.log); elsewhere does nothing. Called once when the notebook library
 * is imported.
 */
export function installFrameDisplay(): void {
  if (installed || kernelDisplay() === undefined) return;
  installed = true;
  // the base classes: danfojs's methods return them, and the exported classes extend them
  const bases = new Set(
    [DataFrame.prototype, Series.prototype].map((prototype) => Object.getPrototypeOf(prototype) as object),
  );
  for (const kind of bases)
    Object.defineProperty(kind, util.inspect.custom, {
      configurable: true,
      value(this: DataFrame | Series): string {
        show(this);
        return `[${frameSummary(this)}: shown above]`;
      },
    });
}
