/**
 * Everything a notebook needs, from one import:
 *   import * as gb from '../dist/lib/notebook/index.js';
 * (tslab compiles a notebook's own imports relative to the notebook, so notebooks import the
 * compiled library; `npm run build` produces it.) Importing it in a tslab kernel makes a danfojs
 * DataFrame or Series left as a cell's value display as a table (installFrameDisplay).
 */
import { installFrameDisplay } from './show.js';

installFrameDisplay();

export { compareWithThesis, type Comparison } from '../analysis/compare.js';
export { samplesFrame, type LoadedCampaign } from '../analysis/load-campaign.js';
// exploring: one way in (paths against the results directory, not the kernel's folder), tables that display
export {
  campaignDir,
  explore,
  loadCampaign,
  resultsDirOf,
  tidyFrame,
  tidyRows,
  type CampaignQuery,
  type Exploration,
  type ExploreOptions,
  type ExploredCampaign,
  type TidyRow,
} from './explore.js';
export { frameHtml, type FrameHtmlOptions, type Tabular } from './frame-html.js';
export { pivotFrame, type PivotOptions } from './pivot-frame.js';
export { frameSummary, installFrameDisplay, show } from './show.js';
export { relativeToNative, thesisRelativeToNative } from '../analysis/relative.js';
export { describe, type Stats } from '../analysis/statistics.js';
export { summarize, type ObservationUnit, type SummaryRow } from '../analysis/summarize.js';
export { thesisHostValues, thesisPoints, type ThesisPoint } from '../analysis/thesis-points.js';
export { cachingAssessment, type CachingVerdict } from '../analysis/fileio-caching.js';
export { BACKEND_DESCRIPTORS, backendDescriptor, seriesLabel, type BackendDescriptor } from '../model/backends.js';
export type { DensityFileioParams, DensityMysqlParams, MigrationParams } from '../results/parameters.js';
export { comparisonHtml, type ComparisonHtmlOptions } from '../figures/comparison-table.js';
export { workloadDiffers } from '../analysis/workload-totals.js';
export { metricVsGuestsFigure, perRequestFigure } from '../figures/density-figures.js';
export { hostComparisonHtml } from '../figures/host-table.js';
// the thesis's claims (data/thesis/claims.jsonl, docs/claims.md), one evaluator for every notebook
export { loadClaims, type ClaimFilter, type ClaimRecord } from '../thesis/index.js';
export {
  claimCampaigns,
  countVerdicts,
  evaluateClaim,
  evaluateClaims,
  type ClaimCampaign,
  type ClaimCampaigns,
  type ClaimResult,
} from '../analysis/claims/evaluate-claims.js';
export { CLAIM_VERDICTS, type ClaimVerdict } from '../analysis/claims/claim-verdict.js';
export { claimLine } from '../analysis/claims/claim-text.js';
export { claimVerdictsHtml, type ClaimVerdictsOptions } from '../figures/claims-table.js';
export { notebookClaims, type NotebookClaims } from './claims-section.js';
export { cachingHtml, fileioSetupHtml, fileioThesisPoints, mysqlSetupHtml } from '../figures/density-io-tables.js';
export { escapeHtml, htmlTable, type Column } from '../figures/html-table.js';
export { summaryTableHtml, type SummaryTableOptions } from '../figures/summary-table.js';
export type { Figure } from '../figures/plotly-spec.js';
export { campaignHtml, campaignsContextHtml, chosenCampaignHtml } from './campaign-html.js';
export {
  notebookCampaign,
  parametersFromEnv,
  type NotebookCampaign,
  type NotebookParameters,
} from './density-io-campaign.js';
export { type CampaignChoice, type CampaignFlag } from '../analysis/choose-campaign.js';
export { figureHtml, plotlyBundleHtml } from './plotly-html.js';
// chapter 5: latency (notebooks/04-latency.ipynb)
export { loadLatencyCampaigns, type LatencyCampaigns } from '../analysis/latency-campaigns.js';
export {
  bootPhases,
  phaseMeans,
  VM_RESTORE_PHASES,
  VM_SHUTDOWN_PHASES,
  type PhaseDefinition,
  type PhaseMean,
} from '../analysis/latency-phases.js';
export { summarizeRestore, type RestoreSummary } from '../analysis/latency-restore-summary.js';
export {
  latencyVsGuestsFigure,
  phaseBreakdownFigure,
  restoreFigure,
  type BarFigure,
} from '../figures/latency-figures.js';
export {
  latencyDefinitionsHtml,
  meanWithCi,
  metricsTableHtml,
  phaseTableHtml,
  restoreTableHtml,
} from '../figures/latency-tables.js';
// chapter 6: live migration (notebooks/05-migration.ipynb)
export { migrationSetup, type MigrationSetupFact } from '../analysis/migration-setup.js';
export {
  compareMigrationWithThesis,
  migrationInconsistencies,
  migrationThesisValues,
  summarizeMigration,
  MIGRATION_COMPARED,
  TABLE_6_1_COPIES_5_1,
  type MigrationComparedMetric,
  type MigrationComparison,
  type MigrationConfigSummary,
  type MigrationGroupMean,
  type MigrationThesisValue,
} from '../analysis/migration-summary.js';
export {
  configLabel,
  containerMigrationStepsFigure,
  downtimeSourcesFigure,
  loadedByVcpusFigure,
  migrationVsMemoryFigure,
  vmVsContainerFigure,
} from '../figures/migration-figures.js';
export {
  downtimeByVantageHtml,
  migrationComparisonHtml,
  migrationGapsHtml,
  migrationTableHtml,
  thesisValueText,
} from '../figures/migration-tables.js';
// every system side by side (notebooks/06-systems.ipynb)
export { loadSystemsCampaigns, type SystemsCampaigns } from '../analysis/systems-campaigns.js';
export {
  densitySlopes,
  systemsOverview,
  DENSITY_HEADLINES,
  SYSTEMS_EXPERIMENTS,
  type CouldNot,
  type DensityFit,
  type DensitySlope,
  type SlopeGap,
  type SystemRow,
  type SystemsOverview,
} from '../analysis/systems-overview.js';
export { UNRUNNABLE_SYSTEMS, type UnrunnableSystem } from '../model/unrunnable-systems.js';
export { densitySlopeFigure, footprintFigure, systemLabel, systemsStartFigure } from '../figures/systems-figures.js';
export {
  couldNotTableHtml,
  densitySlopesTableHtml,
  footprintPartsHtml,
  systemsTableHtml,
  unrunnableTableHtml,
} from '../figures/systems-tables.js';
// comparing two campaigns (notebooks/07-compare.ipynb, docs/statistics.md)
export {
  compareCampaigns,
  COMPARE_DEFAULTS,
  summaryLine,
  type CampaignComparison,
  type CellComparison,
  type CompareOptions,
} from '../analysis/campaign-compare.js';
export { compareTableHtml, hostsTableHtml, oneSidedLines } from '../figures/compare-tables.js';
export { compareRatioFigure, compareRatioHeight } from '../figures/compare-figures.js';
export {
  comparisonCampaigns,
  comparisonPairHtml,
  EXAMPLE_COMPARISON,
  type ComparisonCampaigns,
  type ComparisonParameters,
} from './compare-campaigns.js';
