/**
 * What an experiment is handed by the campaign runner.
 */
import type { Backend } from '../backends/guest.js';
import type { BackendName } from '../model/backends.js';
import type { CellStop, MissingCapability, RepeatRule } from '../results/campaign-meta.js';
import type { CampaignStore } from '../results/store.js';
import type { Sample } from '../results/schema.js';
import type { ProgressSink } from './progress.js';

/** Progress and warnings go through here, never straight to the console. */
export type Log = (line: string) => void;

/** Everything an experiment needs to run and record. */
export interface ExperimentContext {
  store: CampaignStore;
  /** usable backends; an unusable one is absent and listed in `unusable` */
  backends: Partial<Record<BackendName, Backend>>;
  /** backends the host cannot run, with the reason: their cells get `unsupported` rows */
  unusable: Partial<Record<BackendName, string>>;
  /** keys (see cellKey) of cells already recorded, skipped on --resume */
  done: ReadonlySet<string>;
  /** aborted by Ctrl-C / SIGTERM */
  signal: AbortSignal;
  /** stop at the first errored guest instead of recording it and carrying on */
  failFast: boolean;
  log: Log;
  /** cells done of the total, the one running, time left */
  progress?: ProgressSink;
  /** records a capability the host lacks in campaign.json (deduplicated), beside the rows that say so */
  noteMissing(item: MissingCapability): void;
  /** `--repeats auto`: add repeats to a cell until it is stable (absent: every cell runs its repeats) */
  repeatRule?: RepeatRule;
  /** records why a cell stopped adding repeats (campaign.json `stops`) */
  noteStop?(stop: CellStop): void;
}

/** The identity of one measurement cell: backend, N, repeat, and the configuration where an experiment has several. */
export function cellKey(cell: { backend: BackendName; guests: number; repeat: number; config?: string }): string {
  return cell.config === undefined
    ? `${cell.backend}/${cell.guests}/${cell.repeat}`
    : `${cell.backend}/${cell.config}/${cell.guests}/${cell.repeat}`;
}

/**
 * Cells that count as done for --resume: any row except `unsupported` (a capability that may have
 * been fixed since, so it is tried again).
 */
export function doneCells(samples: readonly Sample[]): Set<string> {
  return new Set(samples.filter((sample) => sample.state !== 'unsupported').map(cellKey));
}
