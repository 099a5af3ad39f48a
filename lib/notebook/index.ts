/**
 * Everything a notebook needs, from one import:
 *   import * as gb from '../dist/lib/notebook/index.js';
 * (tslab compiles a notebook's own imports relative to the notebook, so notebooks import the
 * compiled library; `npm run build` produces it.)
 */
export { compareWithThesis, type Comparison } from '../analysis/compare.js';
export { loadCampaign, samplesFrame, type LoadedCampaign } from '../analysis/load-campaign.js';
export { relativeToNative, thesisRelativeToNative } from '../analysis/relative.js';
export { describe, type Stats } from '../analysis/statistics.js';
export { summarize, type ObservationUnit, type SummaryRow } from '../analysis/summarize.js';
export { thesisHostValues, thesisPoints } from '../analysis/thesis-points.js';
export { comparisonHtml } from '../figures/comparison-table.js';
export { metricVsGuestsFigure, perRequestFigure, seriesLabel, type ThesisPoint } from '../figures/density-figures.js';
export { hostComparisonHtml } from '../figures/host-table.js';
export { escapeHtml, htmlTable, type Column } from '../figures/html-table.js';
export type { Figure } from '../figures/plotly-spec.js';
export { campaignHtml } from './campaign-html.js';
export { figureHtml, plotlyBundleHtml } from './plotly-html.js';
