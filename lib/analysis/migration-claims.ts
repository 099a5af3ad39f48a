/**
 * The comparisons chapter 6 states in words ("almost 20 times" for the VM's total migration time over
 * the container's, the container's downtime "double" the VM's), each beside the same comparison
 * computed from a migration campaign: the observer's figures (the thesis's vantage point) of both
 * sides, over the configurations both sides measured, so the ratio compares like with like.
 *
 * The thesis migrated Docker containers (a Docker 1.9.0-dev fork with CRIU, between two VirtualBox
 * VMs on one machine); a container backend of ours stands for its Docker containers where the
 * backend table says so (`thesisBackend`), and the claim names the backend that did.
 */
import { backendDescriptor, type BackendName } from '../model/backends.js';
import { isNumericRow, loadThesisRows, type ThesisNumericRow, type ThesisSelector } from '../thesis/index.js';
import type { ThesisClaim } from './latency-claims.js';
import type { MigrationComparedMetric, MigrationConfigSummary } from './migration-summary.js';

const FIELD: Record<MigrationComparedMetric, 'totalTime' | 'downtime'> = {
  total_time: 'totalTime',
  downtime: 'downtime',
};

function observerMean(config: MigrationConfigSummary, metric: MigrationComparedMetric): number | undefined {
  return config[FIELD[metric]].observer?.mean;
}

/** Our backend standing for the thesis's `backend` with observer values of `metric`, the thesis's own first. */
function standIn(
  configs: readonly MigrationConfigSummary[],
  backend: BackendName,
  metric: MigrationComparedMetric,
): BackendName | undefined {
  const measured = [
    ...new Set(
      configs
        .filter((config) => observerMean(config, metric) !== undefined)
        .map((config) => config.backend)
        .filter((name) => backendDescriptor(name).thesisBackend === backend),
    ),
  ];
  return measured.includes(backend) ? backend : measured[0];
}

function isComparedMetric(metric: string | null | undefined): metric is MigrationComparedMetric {
  return metric === 'total_time' || metric === 'downtime';
}

function sideWords(side: ThesisSelector): string {
  return `${side.backend ?? 'any'} ${side.metric ?? ''}`.trim();
}

/**
 * The thesis's stated migration ratios, each with ours from `configs` (summarizeMigration's output):
 * the mean over the configurations both sides measured of each side's observer mean, divided.
 */
export function migrationClaims(configs: readonly MigrationConfigSummary[], dir?: string): ThesisClaim[] {
  const rows = loadThesisRows(dir)
    .filter(isNumericRow)
    .filter(
      (row): row is ThesisNumericRow & { relates: NonNullable<ThesisNumericRow['relates']> } =>
        row.experiment === 'migration' && row.statistic === 'ratio' && row.relates !== null && row.restates === null,
    );
  return rows.map((row) => {
    const [a, b] = row.relates;
    const claim: Omit<ThesisClaim, 'ours' | 'detail'> = {
      id: row.id,
      statement: `${sideWords(a)} / ${sideWords(b)}`,
      statistic: 'ratio',
      unit: row.unit,
      thesis: {
        value: row.value,
        approximate: row.approximate,
        source: `${row.source.ref}, line ${row.source.line}`,
        inconsistencies: row.inconsistencies,
        note: row.note,
      },
    };
    const metric = a.metric;
    if (!isComparedMetric(metric) || !a.backend || !b.backend || b.metric !== metric)
      return { ...claim, ours: null, detail: 'not a comparison of one migration figure between two backends' };
    const left = standIn(configs, a.backend, metric);
    const right = standIn(configs, b.backend, metric);
    if (!left || !right) {
      const lacking = [!left ? a.backend : null, !right ? b.backend : null].filter(Boolean);
      return { ...claim, ours: null, detail: `no observer ${metric} of ${lacking.join(' nor ')} (or a stand-in)` };
    }
    const of = (backend: BackendName) =>
      new Map(
        configs
          .filter((config) => config.backend === backend && observerMean(config, metric) !== undefined)
          .map((config) => [config.config, observerMean(config, metric) as number]),
      );
    const leftMeans = of(left);
    const rightMeans = of(right);
    const shared = [...leftMeans.keys()].filter((config) => rightMeans.has(config));
    if (shared.length === 0)
      return { ...claim, ours: null, detail: `${left} and ${right} measured no configuration in common` };
    const mean = (means: Map<string, number>) =>
      shared.reduce((sum, config) => sum + (means.get(config) as number), 0) / shared.length;
    const leftMean = mean(leftMeans);
    const rightMean = mean(rightMeans);
    const named = (side: BackendName, ours: BackendName) =>
      side === ours ? ours : `${ours} (for the thesis's ${backendDescriptor(side).thesisLabel})`;
    const unit = metric === 'total_time' ? 's' : 'ms';
    return {
      ...claim,
      ours: leftMean / rightMean,
      detail: `observer ${metric}, mean over the ${shared.length} configuration(s) both measured (${shared.join(', ')}): ${named(a.backend, left)} ${leftMean.toFixed(3)} ${unit} / ${named(b.backend, right)} ${rightMean.toFixed(3)} ${unit}`,
    };
  });
}
