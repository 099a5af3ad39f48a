/**
 * How long a campaign's cells take on a host, from campaigns it recorded: each row carries the time
 * it was written (`at`), so a cell's repeat took from the previous cell's last row to its own last
 * row (its first repeat also starting its guests). An estimate for a cell not recorded is
 * interpolated between recorded guest counts of its backend, and beyond the largest one scaled in
 * proportion to N (conservative: start-up and contention grow with N, and proportional scaling
 * carries the fixed cost along); a backend never recorded takes the slowest recorded backend of its
 * kind. Campaign-level overhead (what follows the last row: stopping guests, writing metadata) is
 * added once per campaign.
 */
import { backendDescriptor, type BackendName } from '../../model/backends.js';
import type { LoadedCampaign } from '../load-campaign.js';

/** Recorded seconds of one backend at one N of one experiment: its first repeat and the others. */
interface TimingPoint {
  guests: number;
  first: number[];
  later: number[];
}

/** The recorded timings of every experiment, backend and N, and each experiment's campaign overhead. */
export interface CampaignTimings {
  /** experiment -> backend -> points by N */
  points: Map<string, Map<BackendName, TimingPoint[]>>;
  /** experiment -> seconds after the last row, per campaign */
  overhead: Map<string, number[]>;
  /** how many campaigns the timings came from */
  campaigns: number;
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

function addPoint(
  timings: CampaignTimings,
  experiment: string,
  backend: BackendName,
  guests: number,
  repeat: number,
  seconds: number,
) {
  const byBackend = timings.points.get(experiment) ?? new Map<BackendName, TimingPoint[]>();
  timings.points.set(experiment, byBackend);
  const points = byBackend.get(backend) ?? [];
  byBackend.set(backend, points);
  let point = points.find((candidate) => candidate.guests === guests);
  if (point === undefined) {
    point = { guests, first: [], later: [] };
    points.push(point);
  }
  (repeat === 1 ? point.first : point.later).push(seconds);
}

/** The timings recorded in `campaigns` (rows of every state count: an errored cell took its time too). */
export function campaignTimings(campaigns: readonly LoadedCampaign[]): CampaignTimings {
  const timings: CampaignTimings = { points: new Map(), overhead: new Map(), campaigns: 0 };
  for (const campaign of campaigns) {
    const rows = campaign.samples.filter((sample) => Number.isFinite(Date.parse(sample.at)));
    if (rows.length === 0) continue;
    timings.campaigns += 1;
    const sorted = [...rows].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    const started = Date.parse(campaign.meta.sessions[0]?.startedAt ?? campaign.meta.startedAt);
    // per (backend, N, repeat): the sum of its row groups' durations (migration runs one per configuration)
    const spans = new Map<string, { backend: BackendName; guests: number; repeat: number; seconds: number }>();
    let previous = Number.isFinite(started) ? started : Date.parse((sorted[0] as (typeof sorted)[0]).at);
    let groupKey = '';
    let groupEnd = previous;
    const close = () => {
      if (groupKey === '') return;
      const span = spans.get(groupKey) as { seconds: number };
      span.seconds += (groupEnd - previous) / 1000;
      previous = groupEnd;
    };
    for (const row of sorted) {
      const key = `${row.backend}/${row.guests}/${row.repeat}`;
      const group = `${key}/${row.config ?? ''}`;
      if (group !== groupKey) {
        close();
        groupKey = group;
        if (!spans.has(group))
          spans.set(group, { backend: row.backend, guests: row.guests, repeat: row.repeat, seconds: 0 });
      }
      groupEnd = Date.parse(row.at);
    }
    close();
    const merged = new Map<string, { backend: BackendName; guests: number; repeat: number; seconds: number }>();
    for (const span of spans.values()) {
      const key = `${span.backend}/${span.guests}/${span.repeat}`;
      const into = merged.get(key);
      if (into) into.seconds += span.seconds;
      else merged.set(key, { ...span });
    }
    for (const span of merged.values())
      addPoint(timings, campaign.meta.experiment, span.backend, span.guests, span.repeat, span.seconds);
    const ended = Date.parse(campaign.meta.endedAt ?? '');
    if (Number.isFinite(ended)) {
      const list = timings.overhead.get(campaign.meta.experiment) ?? [];
      list.push(Math.max(0, (ended - groupEnd) / 1000));
      timings.overhead.set(campaign.meta.experiment, list);
    }
  }
  return timings;
}

/** One repeat's seconds at N from a backend's points: interpolated, or scaled in proportion beyond. */
function atN(points: readonly TimingPoint[], guests: number, which: 'first' | 'later'): number | null {
  const known = points
    .map((point) => ({ guests: point.guests, seconds: point[which].length > 0 ? mean(point[which]) : null }))
    .filter((point): point is { guests: number; seconds: number } => point.seconds !== null)
    .sort((a, b) => a.guests - b.guests);
  if (known.length === 0) return null;
  const exact = known.find((point) => point.guests === guests);
  if (exact) return exact.seconds;
  const below = known.filter((point) => point.guests < guests).at(-1);
  const above = known.find((point) => point.guests > guests);
  if (below && above)
    return below.seconds + ((above.seconds - below.seconds) * (guests - below.guests)) / (above.guests - below.guests);
  if (above) return above.seconds;
  const last = below as { guests: number; seconds: number };
  return (last.seconds * Math.max(guests, 1)) / Math.max(last.guests, 1);
}

/**
 * The estimated seconds of one cell (a backend at N, `repeats` repeats) of `experiment`; null when
 * no campaign of the experiment recorded this backend or one of its kind. `guests` null: migration's
 * configurations at N=1.
 */
export function estimateCellSeconds(
  timings: CampaignTimings,
  experiment: string,
  backend: BackendName,
  guests: number | null,
  repeats: number,
): number | null {
  const byBackend = timings.points.get(experiment);
  if (byBackend === undefined) return null;
  const n = guests ?? 1;
  const own = byBackend.get(backend);
  const candidates = own
    ? [own]
    : [...byBackend.entries()]
        .filter(([other]) => backendDescriptor(other).kind === backendDescriptor(backend).kind)
        .map(([, points]) => points);
  const estimates = candidates
    .map((points) => {
      const first = atN(points, n, 'first');
      const later = atN(points, n, 'later') ?? first;
      return first === null || later === null ? null : first + Math.max(0, repeats - 1) * later;
    })
    .filter((seconds): seconds is number => seconds !== null);
  return estimates.length === 0 ? null : Math.max(...estimates);
}

/** The seconds a campaign of `experiment` spends after its last cell (the mean recorded; 10 s if none). */
export function campaignOverheadSeconds(timings: CampaignTimings, experiment: string): number {
  const recorded = timings.overhead.get(experiment);
  return recorded && recorded.length > 0 ? mean(recorded) : 10;
}
