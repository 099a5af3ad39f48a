/**
 * The thesis's claims about file I/O and MySQL density (sections 4.5.2-4.5.3), restated as checks
 * computed from a campaign's summary, Popper-style: one line per claim, `[true]`, `[false]` or
 * `[not measured]`, with the numbers behind the verdict and the thesis's own numbers (read from
 * data/thesis with their line). Nothing here is hard-coded but the claims' wording and thresholds.
 */
import type { SummaryRow } from '../analysis/summarize.js';
import type { BackendName, MetricName } from '../results/schema.js';
import { thesisValue, type ThesisNumericRow } from '../thesis/index.js';
import { seriesLabel } from '../model/backends.js';
import { escapeHtml, htmlTable } from './html-table.js';

export type ClaimVerdict = 'true' | 'false' | 'not measured';

/** One claim checked against our data. */
export interface ClaimCheck {
  id: string;
  /** the thesis's claim in our words */
  claim: string;
  /** where the thesis makes it */
  source: string;
  /** the test applied, with its threshold */
  test: string;
  verdict: ClaimVerdict;
  /** the N the check used; null when not measured or not about one N */
  atGuests: number | null;
  /** the N the thesis's claim is about (null: unspecified) */
  thesisGuests: number | null;
  /** our numbers behind the verdict */
  ours: string;
  /** the thesis's numbers */
  thesis: string;
}

function row(
  summary: readonly SummaryRow[],
  backend: BackendName,
  guests: number,
  metric: MetricName,
): SummaryRow | undefined {
  return summary.find(
    (candidate) => candidate.backend === backend && candidate.guests === guests && candidate.metric === metric,
  );
}

function guestsOf(summary: readonly SummaryRow[], backend: BackendName, metric: MetricName): number[] {
  return [
    ...new Set(
      summary
        .filter((candidate) => candidate.backend === backend && candidate.metric === metric)
        .map((candidate) => candidate.guests),
    ),
  ].sort((a, b) => a - b);
}

/** The thesis's N when both backends measured it, else the largest N both measured, else null. */
function commonGuests(
  summary: readonly SummaryRow[],
  a: BackendName,
  b: BackendName,
  metric: MetricName,
  wanted: number | null,
): number | null {
  const both = guestsOf(summary, a, metric).filter((n) => guestsOf(summary, b, metric).includes(n));
  if (wanted !== null && both.includes(wanted)) return wanted;
  return both.at(-1) ?? null;
}

function fmt(value: number): string {
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toPrecision(3);
}

function label(rowOf: SummaryRow): string {
  return seriesLabel(rowOf.backend, rowOf.accel);
}

function thesisRow(id: string): ThesisNumericRow {
  return thesisValue({ id }) as ThesisNumericRow;
}

function cite(...ids: string[]): string {
  return ids
    .map((id) => {
      const found = thesisRow(id);
      return `${found.printed ? `${String(found.printed.value)} ${found.printed.unit}` : `${found.value} ${found.unit ?? ''}`.trim()} (${found.source.ref}, line ${found.source.line})`;
    })
    .join('; ');
}

interface RatioClaim {
  id: string;
  claim: string;
  source: string;
  metric: MetricName;
  /** numerator / denominator */
  over: [BackendName, BackendName];
  thesisGuests: number | null;
  /** true when the ratio supports the claim */
  accept: (ratio: number) => boolean;
  test: string;
  thesis: string;
}

function ratioCheck(summary: readonly SummaryRow[], spec: RatioClaim): ClaimCheck {
  const [top, bottom] = spec.over;
  const base = {
    id: spec.id,
    claim: spec.claim,
    source: spec.source,
    test: spec.test,
    thesisGuests: spec.thesisGuests,
    thesis: spec.thesis,
  };
  const guests = commonGuests(summary, top, bottom, spec.metric, spec.thesisGuests);
  const a = guests === null ? undefined : row(summary, top, guests, spec.metric);
  const b = guests === null ? undefined : row(summary, bottom, guests, spec.metric);
  if (!a || !b || b.mean === 0) {
    return {
      ...base,
      verdict: 'not measured',
      atGuests: null,
      ours: `no N with both ${top} and ${bottom} ${spec.metric}`,
    };
  }
  const ratio = a.mean / b.mean;
  return {
    ...base,
    verdict: spec.accept(ratio) ? 'true' : 'false',
    atGuests: guests,
    ours: `${spec.metric} per guest at N=${guests}: ${label(a)} ${fmt(a.mean)} / ${label(b)} ${fmt(b.mean)} = ${fmt(ratio)}x`,
  };
}

interface HalvingClaim {
  id: string;
  claim: string;
  source: string;
  metric: MetricName;
  backend: BackendName;
  thesis: string;
}

// "roughly halves": each doubling of N keeps 35-65% of the per-guest value
const HALF_LOW = 0.35;
const HALF_HIGH = 0.65;

function halvingCheck(summary: readonly SummaryRow[], spec: HalvingClaim): ClaimCheck {
  const guests = guestsOf(summary, spec.backend, spec.metric);
  const pairs = guests.filter((n) => guests.includes(n * 2)).map((n) => [n, n * 2] as const);
  const base = {
    id: spec.id,
    claim: spec.claim,
    source: spec.source,
    test: `each doubling of N keeps ${HALF_LOW * 100}-${HALF_HIGH * 100}% of the per-guest ${spec.metric}`,
    thesisGuests: null,
    thesis: spec.thesis,
  };
  if (pairs.length === 0)
    return { ...base, verdict: 'not measured', atGuests: null, ours: `no N and 2N both measured for ${spec.backend}` };
  const ratios = pairs.map(([n, twice]) => {
    const before = row(summary, spec.backend, n, spec.metric);
    const after = row(summary, spec.backend, twice, spec.metric);
    return {
      n,
      twice,
      ratio: before && after && before.mean !== 0 ? after.mean / before.mean : NaN,
      accel: after?.accel ?? 'unknown',
    };
  });
  const holds = ratios.every(({ ratio }) => ratio >= HALF_LOW && ratio <= HALF_HIGH);
  const accel = ratios[0]?.accel ?? 'unknown';
  return {
    ...base,
    verdict: holds ? 'true' : 'false',
    atGuests: ratios.at(-1)?.twice ?? null,
    ours: `${seriesLabel(spec.backend, accel)}: ${ratios.map(({ n, twice, ratio }) => `N=${n}→${twice}: x${fmt(ratio)}`).join(', ')}`,
  };
}

/** Within a factor of two of a stated ratio. */
function nearRatio(stated: number): (ratio: number) => boolean {
  return (ratio) => ratio >= stated / 2 && ratio <= stated * 2;
}

/** density-fileio's claims (section 4.5.2, Figures 4.4-4.13, and the conclusion, section 7). */
export function fileioClaims(summary: readonly SummaryRow[]): ClaimCheck[] {
  const native = (metric: MetricName) => row(summary, 'native', 1, metric);
  const singleGuest = (): ClaimCheck => {
    const base = {
      id: 'fileio-one-guest-like-native',
      claim: 'With a single guest, containers and VMs perform file I/O like the bare host',
      source: 'Section 4.5.2, Figures 4.4 & 4.5 text',
      test: "requests (reads + writes) of one container and of one VM each within ±10% of the bare host's",
      thesisGuests: 1,
      thesis: `native events ${cite('f4.4-4.5-native-events')}; the text gives no N=1 guest values`,
    };
    const reference = native('requests');
    const guests = (['docker', 'kvm'] as const).map((backend) => row(summary, backend, 1, 'requests'));
    if (!reference || guests.some((found) => !found))
      return { ...base, verdict: 'not measured', atGuests: null, ours: 'needs native, docker and kvm at N=1' };
    const ratios = guests.map((found) => ({
      found: found as SummaryRow,
      ratio: (found as SummaryRow).mean / reference.mean,
    }));
    return {
      ...base,
      verdict: ratios.every(({ ratio }) => Math.abs(ratio - 1) <= 0.1) ? 'true' : 'false',
      atGuests: 1,
      ours: ratios
        .map(
          ({ found, ratio }) => `${label(found)} ${fmt(found.mean)} = ${fmt(ratio)}x native (${fmt(reference.mean)})`,
        )
        .join('; '),
    };
  };
  const speedRatio = thesisRow('f4.8-docker-n8-total_mib_per_s').value / thesisRow('f4.9-kvm-n8-total_mib_per_s').value;
  return [
    singleGuest(),
    halvingCheck(summary, {
      id: 'fileio-vm-halving',
      claim: 'VM file I/O events roughly halve each time the number of VMs doubles (1, 2, 4, 8)',
      source: 'Section 4.5.2, Figure 4.4/4.5 text',
      metric: 'requests',
      backend: 'kvm',
      thesis: cite('f4.4-kvm-events-halving'),
    }),
    ratioCheck(summary, {
      id: 'fileio-speed-containers-far-above-vms',
      claim: "At 8 guests, containers' file I/O speed is far above VMs'",
      source: 'Section 4.5.2, Figures 4.8 & 4.9 text',
      metric: 'total_mib_per_s',
      over: ['docker', 'kvm'],
      thesisGuests: 8,
      accept: (ratio) => ratio >= 2,
      test: 'containers / VMs total MiB/s >= 2',
      thesis: `${cite('f4.8-docker-n8-total_mib_per_s', 'f4.9-kvm-n8-total_mib_per_s')}: ${fmt(speedRatio)}x`,
    }),
    ratioCheck(summary, {
      id: 'fileio-reads-1-to-6',
      claim: 'At 8 guests, containers perform about 6 times the reads of VMs (1:6)',
      source: 'Section 4.5.2, Figures 4.6 & 4.7 text',
      metric: 'reads',
      over: ['docker', 'kvm'],
      thesisGuests: 8,
      accept: nearRatio(thesisRow('f4.6-4.7-n8-reads-docker-over-kvm').value),
      test: `containers / VMs reads within a factor of 2 of ${thesisRow('f4.6-4.7-n8-reads-docker-over-kvm').value}`,
      thesis: cite('f4.6-4.7-n8-reads-docker-over-kvm'),
    }),
    ratioCheck(summary, {
      id: 'fileio-writes-1-to-6',
      claim: 'At 8 guests, containers perform about 6 times the writes of VMs (1:6)',
      source: 'Section 4.5.2, Figures 4.6 & 4.7 text',
      metric: 'writes',
      over: ['docker', 'kvm'],
      thesisGuests: 8,
      accept: nearRatio(thesisRow('f4.6-4.7-n8-writes-docker-over-kvm').value),
      test: `containers / VMs writes within a factor of 2 of ${thesisRow('f4.6-4.7-n8-writes-docker-over-kvm').value}`,
      thesis: cite('f4.6-4.7-n8-writes-docker-over-kvm'),
    }),
    ratioCheck(summary, {
      id: 'fileio-requests-6x',
      claim: 'At 8 guests, containers process about 6 times the requests per second of VMs',
      source: 'Section 4.5.2, Figures 4.10 & 4.11 text',
      metric: 'requests_per_s',
      over: ['docker', 'kvm'],
      thesisGuests: 8,
      accept: nearRatio(thesisRow('f4.10-4.11-n8-requests_per_s-docker-over-kvm').value),
      test: `containers / VMs requests/s within a factor of 2 of ${thesisRow('f4.10-4.11-n8-requests_per_s-docker-over-kvm').value}`,
      thesis: cite('f4.10-4.11-n8-requests_per_s-docker-over-kvm'),
    }),
    ratioCheck(summary, {
      id: 'fileio-vm-max-time-3x',
      claim: "VMs' maximum time per request is about 3 times containers'",
      source: 'Section 4.5.2, Figures 4.12 & 4.13 text',
      metric: 'latency_max',
      over: ['kvm', 'docker'],
      thesisGuests: null,
      accept: nearRatio(thesisRow('f4.12-4.13-latency_max-kvm-over-docker').value),
      test: `VMs / containers max latency within a factor of 2 of ${thesisRow('f4.12-4.13-latency_max-kvm-over-docker').value}, at the largest N both ran`,
      thesis: cite('f4.12-4.13-latency_max-kvm-over-docker'),
    }),
  ];
}

/** density-mysql's claims (section 4.5.3, Figures 4.14-4.19, Tables 4.4-4.5). */
export function mysqlClaims(summary: readonly SummaryRow[]): ClaimCheck[] {
  const tpsRatio =
    thesisRow('f4.14-docker-n8-transactions_per_s').value / thesisRow('f4.15-kvm-n8-transactions_per_s').value;
  const containerPlateau = (): ClaimCheck => {
    const base = {
      id: 'mysql-containers-8-to-12',
      claim: "Going from 8 to 12 containers barely changes each container's MySQL events",
      source: 'Section 4.5.3, Figure 4.16 text',
      test: 'events per container at N=12 >= 85% of N=8',
      thesisGuests: 12,
      thesis: `${cite('f4.16-docker-n8-events', 'f4.16-docker-n12-events')}: x${fmt(thesisRow('f4.16-docker-n12-events').value / thesisRow('f4.16-docker-n8-events').value)}`,
    };
    const eight = row(summary, 'docker', 8, 'events');
    const twelve = row(summary, 'docker', 12, 'events');
    if (!eight || !twelve)
      return {
        ...base,
        verdict: 'not measured',
        atGuests: null,
        ours: 'needs containers at N=8 and N=12 (thesis profile)',
      };
    const ratio = twelve.mean / eight.mean;
    return {
      ...base,
      verdict: ratio >= 0.85 ? 'true' : 'false',
      atGuests: 12,
      ours: `containers ${fmt(eight.mean)} → ${fmt(twelve.mean)} events: x${fmt(ratio)}`,
    };
  };
  return [
    ratioCheck(summary, {
      id: 'mysql-tps-containers-far-above-vms',
      claim: 'At 8 guests, containers execute far more MySQL transactions per second than VMs',
      source: 'Section 4.5.3, Figures 4.14 & 4.15 text',
      metric: 'transactions_per_s',
      over: ['docker', 'kvm'],
      thesisGuests: 8,
      accept: (ratio) => ratio >= 2,
      test: 'containers / VMs transactions/s >= 2',
      thesis: `${cite('f4.14-docker-n8-transactions_per_s', 'f4.15-kvm-n8-transactions_per_s')}: ${fmt(tpsRatio)}x (inconsistency mysql-ratios-disagree)`,
    }),
    ratioCheck(summary, {
      id: 'mysql-reads-27x',
      claim: 'At 8 guests, containers perform about 27 times the reads of VMs',
      source: 'Section 4.5.3, Figures 4.14 & 4.15 text',
      metric: 'reads',
      over: ['docker', 'kvm'],
      thesisGuests: 8,
      accept: nearRatio(thesisRow('f4.14-4.15-n8-reads-docker-over-kvm').value),
      test: `containers / VMs reads within a factor of 2 of ${thesisRow('f4.14-4.15-n8-reads-docker-over-kvm').value}`,
      thesis: cite('f4.14-4.15-n8-reads-docker-over-kvm'),
    }),
    ratioCheck(summary, {
      id: 'mysql-writes-14x',
      claim: 'At 8 guests, containers perform about 14 times the writes of VMs',
      source: 'Section 4.5.3, Figures 4.14 & 4.15 text',
      metric: 'writes',
      over: ['docker', 'kvm'],
      thesisGuests: 8,
      accept: nearRatio(thesisRow('f4.14-4.15-n8-writes-docker-over-kvm').value),
      test: `containers / VMs writes within a factor of 2 of ${thesisRow('f4.14-4.15-n8-writes-docker-over-kvm').value}`,
      thesis: cite('f4.14-4.15-n8-writes-docker-over-kvm'),
    }),
    halvingCheck(summary, {
      id: 'mysql-vm-halving',
      claim: 'VM MySQL events roughly halve each time the number of VMs doubles',
      source: 'Section 4.5.3, Figures 4.16 & 4.17 text',
      metric: 'events',
      backend: 'kvm',
      thesis: cite('f4.17-kvm-events-halving'),
    }),
    containerPlateau(),
    ratioCheck(summary, {
      id: 'mysql-vm-latency-shoots-away',
      claim: "At 8 guests, VMs' time per request shoots away from containers'",
      source: 'Section 4.5.3, Figures 4.18 & 4.19 text (Tables 4.4 and 4.5 print identical values)',
      metric: 'latency_avg',
      over: ['kvm', 'docker'],
      thesisGuests: 8,
      accept: (ratio) => ratio >= 2,
      test: 'VMs / containers mean time per request >= 2',
      thesis: `Table 4.4 (VMs) and Table 4.5 (containers) both print ${cite('t4.4-kvm-n8-latency_avg')}: inconsistency t4.5-copies-t4.4`,
    }),
  ];
}

const VERDICT_STYLE: Record<ClaimVerdict, string> = {
  true: 'background:#d4edda',
  false: 'background:#f8d7da',
  'not measured': 'background:#e2e3e5',
};

/** The checks as an HTML table, one line per claim; a check made at another N than the thesis's says so. */
export function claimsHtml(checks: readonly ClaimCheck[], caption: string): string {
  const table = htmlTable(
    checks,
    [
      { label: 'verdict', value: (check) => `[${check.verdict}]` },
      { label: 'the thesis claims', value: (check) => check.claim },
      { label: 'test', value: (check) => check.test },
      {
        label: 'N used',
        value: (check) =>
          check.atGuests === null
            ? '–'
            : `${check.atGuests}${check.thesisGuests !== null && check.thesisGuests !== check.atGuests ? ` (thesis: ${check.thesisGuests}, not measured here)` : ''}`,
      },
      { label: 'this host', value: (check) => check.ours },
      { label: 'thesis', value: (check) => check.thesis },
      { label: 'where', value: (check) => check.source },
    ],
    caption,
  );
  // colour the verdict cells: the first <td> of each row
  let index = 0;
  return table.replace(/<tr><td style="/g, (match) => {
    const check = checks[index++];
    return check
      ? `<tr data-claim="${escapeHtml(check.id)}" data-verdict="${check.verdict}"><td style="${VERDICT_STYLE[check.verdict]};`
      : match;
  });
}

/** One line per claim, `[verdict] claim (N=..): ours`, for logs and tests. */
export function claimsText(checks: readonly ClaimCheck[]): string {
  return checks
    .map(
      (check) =>
        `[${check.verdict}] ${check.claim}${check.atGuests === null ? '' : ` (N=${check.atGuests})`}: ${check.ours}`,
    )
    .join('\n');
}
