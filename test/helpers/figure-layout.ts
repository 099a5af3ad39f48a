/**
 * The text boxes of every plotly figure drawn on a page, measured in the browser, and what a
 * reader would trip over: two boxes that intersect (title, legend, axis titles, tick labels,
 * notes), text that leaves its figure (into the next one), an axis without tick labels, text cut
 * short with "...".
 */
import type { Page } from 'playwright-core';

/** A box in page pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One piece of text of a figure and where it sits. */
export interface TextBox extends Box {
  /** title | legend | xtitle | ytitle | xtick | ytick | note */
  part: string;
  /** the axis ('x', 'x2', 'y', ...) for ticks and axis titles */
  axis?: string;
  text: string;
}

/** What one figure shows, measured. */
export interface FigureLayout {
  /** the figure's title text, or its div id when it has none */
  name: string;
  /** the figure's div */
  frame: Box;
  /** the plotting areas (one per subplot) */
  plots: Box[];
  texts: TextBox[];
  /** every axis plotly drew, with how many non-empty tick labels it shows */
  axes: Array<{ axis: string; ticks: number }>;
}

/** Measures every `.guestbench-figure` of the page (they must be drawn already). */
export function measureFigures(page: Page): Promise<FigureLayout[]> {
  return page.$$eval('.guestbench-figure', (divs) =>
    divs.map((div) => {
      const box = (element: Element) => {
        const rect = element.getBoundingClientRect();
        return { x: rect.x + window.scrollX, y: rect.y + window.scrollY, width: rect.width, height: rect.height };
      };
      const texts: Array<Box & { part: string; axis?: string; text: string }> = [];
      const add = (part: string, element: Element, axis?: string) => {
        const text = (element.textContent ?? '').trim();
        const rect = box(element);
        if (text === '' || rect.width === 0 || rect.height === 0) return;
        texts.push({ part, ...rect, text, ...(axis === undefined ? {} : { axis }) });
      };
      const title = div.querySelector('.gtitle');
      if (title) add('title', title);
      // the legend's background is the box it claims; its text is what a reader sees
      const legend = div.querySelector('g.legend .bg') ?? div.querySelector('g.legend');
      if (legend) {
        const entries = (div.querySelector('g.legend')?.textContent ?? '').trim();
        const rect = box(legend);
        if (entries !== '' && rect.width > 0) texts.push({ part: 'legend', ...rect, text: entries.slice(0, 60) });
      }
      const axes: Array<{ axis: string; ticks: number }> = [];
      for (const layer of div.querySelectorAll('.xaxislayer-above, .yaxislayer-above')) {
        const letter = layer.classList.contains('xaxislayer-above') ? 'x' : 'y';
        const tickGroups = [...layer.querySelectorAll(`g.${letter}tick, g[class$="${letter}tick"]`)];
        const first = tickGroups[0]?.getAttribute('class') ?? `${letter}tick`;
        const axis = first.replace(/tick$/, '');
        let ticks = 0;
        for (const group of tickGroups) {
          const text = group.querySelector('text');
          if (text && (text.textContent ?? '').trim() !== '') {
            ticks += 1;
            add(`${letter}tick`, text, axis);
          }
        }
        axes.push({ axis, ticks });
      }
      for (const axisTitle of div.querySelectorAll(
        '.g-xtitle text, .g-x2title text, [class^="g-x"][class$="title"] text',
      ))
        add('xtitle', axisTitle, (axisTitle.getAttribute('class') ?? '').replace(/title$/, '') || 'x');
      for (const axisTitle of div.querySelectorAll('[class^="g-y"][class$="title"] text'))
        add('ytitle', axisTitle, (axisTitle.getAttribute('class') ?? '').replace(/title$/, '') || 'y');
      for (const note of div.querySelectorAll('g.annotation')) add('note', note);
      // notes under the figure: the caption figureHtml writes
      const holder = div.closest('.guestbench-figure-box') ?? div;
      for (const note of holder.querySelectorAll('figcaption p')) add('note', note);
      const plots = [...div.querySelectorAll('.draglayer .nsewdrag')].map(box);
      return {
        name: (title?.textContent ?? '').trim() || div.id,
        frame: box(holder),
        plots,
        texts: texts.filter(
          (text, index) =>
            texts.findIndex(
              (other) =>
                other.part === text.part && other.x === text.x && other.y === text.y && other.text === text.text,
            ) === index,
        ),
        axes,
      };
    }),
  );
}

const intersect = (a: Box, b: Box, slack = 1): boolean =>
  a.x + slack < b.x + b.width &&
  b.x + slack < a.x + a.width &&
  a.y + slack < b.y + b.height &&
  b.y + slack < a.y + a.height;

const inside = (inner: Box, outer: Box, slack = 1): boolean =>
  inner.x >= outer.x - slack &&
  inner.y >= outer.y - slack &&
  inner.x + inner.width <= outer.x + outer.width + slack &&
  inner.y + inner.height <= outer.y + outer.height + slack;

const label = (text: TextBox): string => `${text.part} "${text.text.slice(0, 40)}"`;

/**
 * What is wrong with a figure's layout, one line each (empty: nothing). `next` is the figure below
 * it on the page: nothing of this one may reach into it.
 */
export function layoutProblems(figure: FigureLayout, next?: FigureLayout): string[] {
  const problems: string[] = [];
  if (next && intersect(figure.frame, next.frame)) problems.push(`reaches into the next figure, ${next.name}`);
  const { texts } = figure;
  for (const text of texts) {
    if (/\.\.\.|…/.test(text.text)) problems.push(`${label(text)} is cut short`);
    if (!inside(text, figure.frame)) problems.push(`${label(text)} leaves the figure`);
    // titles, legends and notes stay off the plotting area; tick labels and axis titles sit beside it
    if (['title', 'legend', 'note'].includes(text.part))
      for (const plot of figure.plots) if (intersect(text, plot)) problems.push(`${label(text)} covers the plot`);
  }
  for (let i = 0; i < texts.length; i += 1)
    for (let j = i + 1; j < texts.length; j += 1) {
      const a = texts[i] as TextBox;
      const b = texts[j] as TextBox;
      if (intersect(a, b)) problems.push(`${label(a)} overlaps ${label(b)}`);
    }
  for (const axis of figure.axes) if (axis.ticks === 0) problems.push(`axis ${axis.axis} has no tick labels`);
  return problems;
}
