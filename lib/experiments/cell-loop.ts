/**
 * The one campaign loop every experiment runs on. An experiment describes its cells (backend, N,
 * configuration, repeat), grouped by what they share (the N guests of density, the background
 * guests of latency), and how to open a group and measure one cell; the loop does the rest, the
 * same way for every experiment:
 * - cells already recorded are skipped (--resume);
 * - a backend the host cannot run, or one without the capability the experiment needs, gets
 *   `unsupported` rows with the reason, and the campaign goes on;
 * - a group whose set-up fails, or a cell whose measurement throws, gets `errored` rows with the
 *   reason, and the campaign goes on, unless --fail-fast;
 * - an abort (Ctrl-C, SIGTERM) stops at once, keeping every repeat already appended;
 * - progress: cells done of the total, the one running, and the time left.
 */
import type { CapabilityKey } from '../backends/capabilities.js';
import type { Backend } from '../backends/guest.js';
import { CAPABILITY_NAMES, lacksCapability, unknownAccel, type BackendName } from '../model/backends.js';
import type { RowFields } from '../results/rows.js';
import type { Accel, Sample } from '../results/schema.js';
import { appendSamples, readSamples } from '../results/store.js';
import { AbortedError, CapabilityError, GuestbenchError, ResultsWriteError, firstLine } from '../util/errors.js';
import { cellKey, type ExperimentContext } from './context.js';
import { ProgressTracker } from './progress.js';
import { perRepeatValues, primaryKeys, stopDecision } from './repeat-rule.js';

/** Cells that share their set-up: a backend, N, and a configuration where the experiment has several. */
export interface CellGroup {
  backend: BackendName;
  /** N: guests running together (density) or already running (latency) */
  guests: number;
  /** a configuration beyond N (migration: `clean-1cpu-512m`); part of each cell's identity */
  config?: string;
  /** repeats 1..repeats */
  repeats: number;
}

/** One cell, as the loop hands it to `measure` and to `valuelessRows`. */
export interface Cell {
  backend: BackendName;
  accel: Accel;
  /** a container's OCI runtime */
  runtime?: string;
  guests: number;
  repeat: number;
  config?: string;
}

/** An opened group: measures its cells one after another, then is closed (also after a failure or an abort). */
export interface GroupRun {
  /** the rows of one cell (errored rows where a step failed; throwing also makes errored rows) */
  measure(cell: Cell): Promise<Sample[]>;
  close(): Promise<void>;
  /**
   * why the group can no longer measure (a guest died: killed, crashed), asked after a cell with
   * errored rows; the loop then closes it and opens it afresh for the remaining repeats
   */
  lost?(): Promise<string | undefined>;
}

/** What the loop needs from an experiment. */
export interface CellPlan<Shared = undefined> {
  experiment: string;
  /** every group, in run order */
  groups: readonly CellGroup[];
  /** the capability a backend must have; one without gets `unsupported` rows naming it */
  requires?: CapabilityKey;
  /** the rows of a cell with no value (the experiment's primary metrics), with the reason */
  valuelessRows(cell: Cell, state: 'errored' | 'unsupported', reason: string): Sample[];
  /**
   * set-up shared by all of a backend's groups (migration: the two hosts), closed after its last;
   * a CapabilityError makes the backend's cells `unsupported` with its reason
   */
  openBackend?(backend: Backend): Promise<Shared>;
  closeBackend?(shared: Shared): Promise<void>;
  /** starts what a group's cells share; throwing makes its cells `errored` with the message */
  openGroup(backend: Backend, group: CellGroup, shared: Shared): Promise<GroupRun>;
  /** the log's words for a measured cell's rows (default: the states of its rows) */
  describe?(rows: readonly Sample[]): string;
}

/** The fields every row of a cell carries (its `guest` is the experiment's to say). */
export function cellFields(context: ExperimentContext, experiment: string, cell: Cell): Omit<RowFields, 'guest'> {
  return {
    campaign: context.store.id,
    experiment,
    backend: cell.backend,
    accel: cell.accel,
    ...(cell.runtime === undefined ? {} : { runtime: cell.runtime }),
    guests: cell.guests,
    repeat: cell.repeat,
    ...(cell.config === undefined ? {} : { config: cell.config }),
  };
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index + 1);
}

/** "kvm (tcg) N=2 clean-1cpu-256m" */
function groupWords(group: CellGroup, accel: string): string {
  return `${group.backend}${accel === 'none' ? '' : ` (${accel})`} N=${group.guests}${group.config ? ` ${group.config}` : ''}`;
}

function defaultDescribe(rows: readonly Sample[]): string {
  const failed = rows.filter((row) => row.state !== 'ok');
  return failed.length === 0
    ? `${rows.length} values`
    : `${failed.length} of ${rows.length} rows ${failed[0]?.state}: ${failed[0]?.reason ?? ''}`;
}

/** Runs every remaining cell of a plan. */
export async function runCells<Shared>(context: ExperimentContext, plan: CellPlan<Shared>): Promise<void> {
  // --repeats auto: a group stable in an earlier session gets no more repeats
  const earlier = context.repeatRule ? readSamples(context.store.dir).samples : [];
  const pending = plan.groups
    .map((group) => ({
      group,
      repeats: range(group.repeats).filter((repeat) => !context.done.has(cellKey({ ...group, repeat }))),
    }))
    .filter((entry) => entry.repeats.length > 0)
    .filter((entry) => !context.repeatRule || autoStop(plan, entry.group, earlier, context) === undefined);
  const progress = new ProgressTracker(
    pending.flatMap(({ group, repeats }) => repeats.map(() => ({ backend: group.backend }))),
    context.progress,
  );
  const backends = [...new Set(pending.map(({ group }) => group.backend))];
  for (const name of backends) {
    if (context.signal.aborted) throw new AbortedError('Campaign interrupted');
    const mine = pending.filter(({ group }) => group.backend === name);
    const allRows = (accel: Accel, state: 'errored' | 'unsupported', reason: string, runtime?: string): void => {
      for (const { group, repeats } of mine) {
        const rows = repeats.flatMap((repeat) =>
          plan.valuelessRows(
            {
              backend: name,
              accel,
              ...(runtime ? { runtime } : {}),
              guests: group.guests,
              repeat,
              config: group.config,
            },
            state,
            reason,
          ),
        );
        appendSamples(context.store, rows);
        progress.finished(name, repeats.length, false);
      }
    };
    const unusable = context.unusable[name];
    if (unusable !== undefined) {
      context.log(`${plan.experiment}: ${name}: unsupported on this host: ${unusable}`);
      allRows(unknownAccel(name), 'unsupported', unusable);
      continue;
    }
    const backend = context.backends[name];
    if (!backend) continue;
    if (plan.requires && backend.capabilities[plan.requires] === undefined) {
      const reason = lacksCapability(name, plan.requires) ?? `${name} lacks ${CAPABILITY_NAMES[plan.requires]}`;
      context.noteMissing({ capability: `${plan.experiment}:${name}`, reason });
      context.log(`${plan.experiment}: ${name}: unsupported: ${reason}`);
      allRows(backend.accel, 'unsupported', reason, backend.runtime);
      continue;
    }
    progress.beginBackend(name);
    let shared: Shared;
    try {
      shared = (await plan.openBackend?.(backend)) as Shared;
    } catch (error) {
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted during set-up', { cause: error });
      // a results directory that refuses writes stops the campaign: no row could be kept
      if (error instanceof ResultsWriteError) throw error;
      if (error instanceof CapabilityError) {
        context.noteMissing({
          capability: `${plan.experiment}:${name}`,
          reason: firstLine(error),
          ...(error.fix ? { fix: error.fix } : {}),
        });
        context.log(`${plan.experiment}: ${name}: unsupported: ${firstLine(error)}`);
        allRows(backend.accel, 'unsupported', firstLine(error), backend.runtime);
        continue;
      }
      if (context.failFast) throw error;
      context.log(`${plan.experiment}: ${name}: set-up failed: ${firstLine(error)}`);
      allRows(backend.accel, 'errored', `set-up failed: ${firstLine(error)}`, backend.runtime);
      continue;
    }
    try {
      for (const { group, repeats } of mine)
        await runGroup(context, plan, backend, group, repeats, shared, progress, earlier);
    } finally {
      await plan.closeBackend?.(shared);
    }
  }
}

/** The rows of one group (backend, N, configuration) among `samples`. */
function rowsOfGroup(samples: readonly Sample[], group: CellGroup): Sample[] {
  return samples.filter(
    (sample) =>
      sample.backend === group.backend &&
      sample.guests === group.guests &&
      (sample.config ?? undefined) === group.config,
  );
}

/** Under `--repeats auto`: whether a group's rows so far make it stop (stable, or at the cap). */
function autoStop<Shared>(
  plan: CellPlan<Shared>,
  group: CellGroup,
  rows: readonly Sample[],
  context: ExperimentContext,
): ReturnType<typeof stopDecision> {
  const rule = context.repeatRule;
  if (!rule) return undefined;
  const mine = rowsOfGroup(rows, group);
  if (mine.length === 0) return undefined;
  const primary = primaryKeys(
    plan.valuelessRows(
      { backend: group.backend, accel: 'none', guests: group.guests, repeat: 1, config: group.config },
      'errored',
      '',
    ),
  );
  const ran = Math.max(...mine.map((sample) => sample.repeat));
  return stopDecision(group, perRepeatValues(mine, primary), ran, rule);
}

async function runGroup<Shared>(
  context: ExperimentContext,
  plan: CellPlan<Shared>,
  backend: Backend,
  group: CellGroup,
  repeats: readonly number[],
  shared: Shared,
  progress: ProgressTracker,
  /** --repeats auto: the campaign's rows before this session (other groups' rows of this session do not matter) */
  earlier: readonly Sample[],
): Promise<void> {
  if (context.signal.aborted) throw new AbortedError('Campaign interrupted');
  const words = groupWords(group, backend.accel);
  const cellOf = (repeat: number): Cell => ({
    backend: group.backend,
    accel: backend.accel,
    ...(backend.runtime === undefined ? {} : { runtime: backend.runtime }),
    guests: group.guests,
    repeat,
    config: group.config,
  });
  // opens the group; on failure records the given repeats as errored and answers undefined
  const open = async (failing: readonly number[]): Promise<GroupRun | undefined> => {
    progress.running(`${words}: setting up`);
    try {
      return await plan.openGroup(backend, group, shared);
    } catch (error) {
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted during set-up', { cause: error });
      // a results directory that refuses writes stops the campaign: no row could be kept
      if (error instanceof ResultsWriteError) throw error;
      if (context.failFast) throw error;
      context.log(`${plan.experiment}: ${words}: ${firstLine(error)}`);
      appendSamples(
        context.store,
        failing.flatMap((repeat) => plan.valuelessRows(cellOf(repeat), 'errored', firstLine(error))),
      );
      progress.finished(group.backend, failing.length, true);
      return undefined;
    }
  };
  let run = await open(repeats);
  if (!run) return;
  // --repeats auto: this group's rows so far (earlier sessions' and this one's)
  const measured = context.repeatRule ? rowsOfGroup(earlier, group) : [];
  try {
    for (const [index, repeat] of repeats.entries()) {
      progress.running(`${words} repeat ${repeat}/${group.repeats}`);
      const cell = cellOf(repeat);
      let rows: Sample[];
      try {
        rows = await run.measure(cell);
      } catch (error) {
        if (context.signal.aborted)
          throw new AbortedError('Campaign interrupted during a measurement', { cause: error });
        if (context.failFast || error instanceof ResultsWriteError) throw error;
        rows = plan.valuelessRows(cell, 'errored', firstLine(error));
      }
      if (context.signal.aborted) throw new AbortedError('Campaign interrupted during a measurement');
      appendSamples(context.store, rows);
      context.log(
        `${plan.experiment}: ${words} repeat ${repeat}/${group.repeats}: ${(plan.describe ?? defaultDescribe)(rows)}`,
      );
      progress.finished(group.backend, 1, true);
      if (context.repeatRule) {
        measured.push(...rows);
        const stop = autoStop(plan, group, measured, context);
        if (stop) {
          context.noteStop?.(stop);
          context.log(`${plan.experiment}: ${words}: ${stop.words}`);
          progress.finished(group.backend, repeats.length - index - 1, false);
          break;
        }
      }
      const failed = rows.find((row) => row.state === 'errored');
      if (failed && context.failFast) throw new GuestbenchError(`A measurement failed (--fail-fast): ${failed.reason}`);
      const rest = repeats.slice(index + 1);
      const lost = failed && rest.length > 0 ? await run.lost?.() : undefined;
      if (lost !== undefined) {
        context.log(
          `${plan.experiment}: ${words}: ${lost}; starting the group's guests again for the remaining repeats`,
        );
        const gone = run;
        run = undefined;
        await gone.close();
        run = await open(rest);
        if (!run) return;
      }
    }
  } finally {
    await run?.close();
  }
}
