/**
 * The thesis's own numbers as the thesis presents them, for notebooks/00-thesis.ipynb: its printed
 * tables regenerated from data/thesis/ with inconsistency footnotes, charts of the values its text
 * states for its figures, the comparisons it states, and the list of its inconsistencies.
 *
 *   import * as tr from '../dist/lib/thesis-report/index.js';
 *   const data = tr.loadThesis();
 *   tslab.display.html(tr.thesisTableHtml(data, 'Table 5.1'));
 *
 * Every builder is pure (data in, HTML or a plotly spec out); loadThesis and thesisFrame are
 * re-exported so a notebook needs this one import (plus figureHtml/plotlyBundleHtml to draw).
 */
export { loadThesis, thesisFrame, THESIS_FRAME_COLUMNS, type ThesisData } from '../thesis/index.js';
export { figureHtml, plotlyBundleHtml } from '../notebook/plotly-html.js';
export { lineRanges, printedText, thesisLabel, type ThesisReportData } from './format.js';
export {
  PRINTED_TABLES,
  printedTable,
  printedTableFootnotesHtml,
  printedTableHtml,
  thesisTableHtml,
  type PrintedCell,
  type PrintedTable,
  type PrintedTableFootnote,
  type PrintedTableRef,
} from './printed-tables.js';
export {
  THESIS_CHARTS,
  statedPoints,
  thesisChart,
  type StatedPoint,
  type ThesisChartId,
  type ThesisFigure,
} from './thesis-charts.js';
export {
  METRIC_WORDS,
  comparisonLabel,
  statedComparisons,
  statedComparisonsHtml,
  type ComputedComparison,
  type StatedComparison,
} from './stated-comparisons.js';
export { inconsistencyListHtml } from './inconsistency-list.js';
export { thesisParameterRows, thesisParametersHtml } from './parameters-table.js';
