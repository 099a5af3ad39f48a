/**
 * Runs a whole campaign: resolves backends, writes campaign.json with provenance, runs the
 * experiment into the append-only store, and records how the session ended.
 */
import { resolveBackends, type ResolvedBackends } from '../backends/availability.js';
import type { CapabilityKey } from '../backends/capabilities.js';
import type { CampaignMeta, CampaignState, CellStop, MissingCapability, RepeatRule } from '../results/campaign-meta.js';
import { newCampaignId } from '../results/campaign-id.js';
import { hostFingerprint } from '../results/host-fingerprint.js';
import {
  createCampaignStore,
  openCampaignStore,
  readCampaignMeta,
  cutTornTail,
  readSamples,
  writeCampaignMeta,
  type CampaignStore,
} from '../results/store.js';
import { AbortedError, ResultsWriteError, UsageError } from '../util/errors.js';
import { gitState } from '../util/git.js';
import { doneCells, type Log } from './context.js';
import type { ProgressSink } from './progress.js';
import { checkBackendsFit, type ExperimentDefinition, type ParameterRequest } from './definition.js';
import { checkResources, type HostResources, type PreflightRecord } from './preflight.js';
import { experimentNamed } from './registry.js';

/** What to run. */
export interface CampaignRequest extends ParameterRequest {
  /** an experiment name from the registry */
  experiment: string;
  resultsDir: string;
  /** campaign id to complete instead of starting a new one */
  resume?: string;
  failFast?: boolean;
  signal: AbortSignal;
  log: Log;
  /** cells done of the total, the one running, time left */
  progress?: ProgressSink;
  /** `--repeats auto`: repeats added to each cell until stable (then `repeats` is the rule's cap) */
  repeatRule?: RepeatRule;
  /** run although the resource preflight finds too little memory or disk (recorded with the session) */
  force?: boolean;
  /** the host's memory and disk (default: measured now); tests inject a small host */
  hostResources?: HostResources;
}

/** How a campaign ended. */
export interface CampaignOutcome {
  id: string;
  dir: string;
  state: CampaignState;
  /** rows written by this session */
  rows: number;
}

async function versionsOf(
  backends: Awaited<ReturnType<typeof resolveBackends>>['backends'],
): Promise<Record<string, string>> {
  const versions: Record<string, string> = { node: process.version };
  for (const backend of Object.values(backends)) Object.assign(versions, await backend.versions());
  return versions;
}

/** How each backend provides the capabilities the experiment uses, in its own words (campaign.json `methods`). */
function methodsOf(backends: ResolvedBackends['backends'], uses: readonly CapabilityKey[]): CampaignMeta['methods'] {
  const methods: NonNullable<CampaignMeta['methods']> = {};
  for (const backend of Object.values(backends)) {
    const { startTiming, saveRestore, liveMigration } = backend.capabilities;
    const words: Record<string, string> = {};
    if (uses.includes('startTiming') && startTiming)
      Object.assign(words, { ready: startTiming.readiness, gone: startTiming.shutdown });
    if (uses.includes('saveRestore') && saveRestore)
      Object.assign(words, { saveRestore: saveRestore.method, restoredReady: saveRestore.readiness });
    if (uses.includes('liveMigration') && liveMigration) words.liveMigration = liveMigration.method;
    if (Object.keys(words).length > 0) methods[backend.name] = words;
  }
  return methods;
}

function openForResume(request: CampaignRequest, id: string): { store: CampaignStore; meta: CampaignMeta } {
  const store = openCampaignStore(request.resultsDir, id);
  const meta = readCampaignMeta(store.dir);
  if (meta.experiment !== request.experiment) {
    throw new UsageError(`Campaign ${id} ran ${meta.experiment}, not ${request.experiment}`, {
      fix: `resume it with \`guestbench run ${meta.experiment} --resume ${id}\``,
    });
  }
  return { store, meta };
}

/** The resource preflight of a session, on the campaign's parameters (a resumed one keeps its own). */
function preflight(request: CampaignRequest, definition: ExperimentDefinition, params: object): PreflightRecord {
  const needs = definition.resources(params);
  return checkResources(
    { loads: needs.loads, disks: needs.disks, containerLimits: definition.containerLimits(params) },
    {
      resultsDir: request.resultsDir,
      force: request.force ?? false,
      ...(request.hostResources ? { host: request.hostResources } : {}),
      ...(needs.extraGuests ? { extraGuests: needs.extraGuests } : {}),
    },
  );
}

/** Runs (or resumes) a campaign. Never leaves guests behind: each experiment stops what it starts. */
export async function runCampaign(request: CampaignRequest): Promise<CampaignOutcome> {
  const definition = experimentNamed(request.experiment);
  if (!request.resume) checkBackendsFit(definition, request.backends);
  // memory and disk are checked before the campaign's folder exists: a refusal leaves nothing behind
  let opened: { store: CampaignStore; meta: CampaignMeta };
  let checked: PreflightRecord;
  if (request.resume) {
    opened = openForResume(request, request.resume);
    // a resumed campaign keeps its own parameters: the rest of its cells must match the first ones
    checked = preflight(request, definition, opened.meta.parameters);
  } else {
    const fresh = definition.parameters(request);
    checked = preflight(request, definition, fresh);
    const meta: CampaignMeta = {
      id: newCampaignId(),
      experiment: request.experiment,
      profile: request.profile,
      parameters: { ...fresh },
      backends: request.backends,
      accel: {},
      host: hostFingerprint(request.resultsDir),
      versions: {},
      image: null,
      git: await gitState(),
      startedAt: new Date().toISOString(),
      state: 'running',
      sessions: [],
      missing: [],
      ...(request.repeatRule ? { repeatRule: request.repeatRule, stops: [] } : {}),
    };
    opened = { store: createCampaignStore(request.resultsDir, meta), meta };
  }
  const { store, meta } = opened;
  if (checked.forced) request.log(`preflight: running with too little memory or disk (--force): see campaign.json`);
  const params = meta.parameters;
  const resolved = await resolveBackends(meta.backends, {
    campaign: store.id,
    containerLimits: definition.containerLimits(params),
  });
  const session = { startedAt: new Date().toISOString(), state: 'running' as CampaignState, preflight: checked };
  meta.sessions.push(session);
  meta.state = 'running';
  meta.accel = { ...meta.accel, ...resolved.accel };
  meta.versions = { ...meta.versions, ...(await versionsOf(resolved.backends)) };
  meta.methods = { ...meta.methods, ...methodsOf(resolved.backends, definition.uses) };
  if (resolved.images) {
    meta.image = { key: resolved.images.key, dockerImage: resolved.images.dockerImage };
  }
  const seen = new Set(meta.missing.map((item) => `${item.capability}\u0000${item.reason}`));
  const noteMissing = (item: MissingCapability): void => {
    const key = `${item.capability}\u0000${item.reason}`;
    if (seen.has(key)) return;
    seen.add(key);
    meta.missing.push(item);
    writeCampaignMeta(store, meta);
  };
  const noteStop = (stop: CellStop): void => {
    meta.stops = [...(meta.stops ?? []), stop];
    writeCampaignMeta(store, meta);
  };
  for (const item of resolved.missing) noteMissing(item);
  writeCampaignMeta(store, meta);
  // once per capability and reason: kvm and microvm share the accelerator probe
  const logged = new Set<string>();
  for (const item of resolved.missing) {
    const line = `missing: ${item.capability}: ${item.reason}`;
    if (!logged.has(line)) request.log(line);
    logged.add(line);
  }

  const before = readSamples(store.dir);
  if (before.tornTail)
    request.log(
      `samples.jsonl ended in a torn line (a crash mid-write): cut ${cutTornTail(store)} bytes, the whole rows kept`,
    );
  const finish = (state: CampaignState, error?: string): CampaignOutcome => {
    const ended = new Date().toISOString();
    Object.assign(session, { endedAt: ended, state }, error ? { error } : {});
    meta.state = state;
    meta.endedAt = ended;
    writeCampaignMeta(store, meta);
    return { id: store.id, dir: store.dir, state, rows: readSamples(store.dir).samples.length - before.samples.length };
  };
  try {
    await definition.run(
      {
        store,
        backends: resolved.backends,
        unusable: resolved.unusable,
        done: doneCells(before.samples),
        signal: request.signal,
        failFast: request.failFast ?? false,
        log: request.log,
        ...(request.progress ? { progress: request.progress } : {}),
        noteMissing,
        // a resumed campaign keeps its own rule
        ...(meta.repeatRule ? { repeatRule: meta.repeatRule, noteStop } : {}),
      },
      params,
    );
  } catch (error) {
    if (error instanceof AbortedError || request.signal.aborted) return finish('interrupted');
    if (error instanceof ResultsWriteError) {
      // campaign.json may not be writable either: it then still says `running`, which --resume accepts
      try {
        finish('failed', error.message);
      } catch {
        request.log(`could not record the failure in campaign.json either (${error.code ?? 'write refused'})`);
      }
      const kept = readSamples(store.dir).samples.length;
      throw new ResultsWriteError(
        `${error.message}: the campaign stopped; the ${kept} rows written before are intact`,
        {
          cause: error,
          code: error.code,
          fix: `free some space under ${request.resultsDir}, then \`guestbench run ${request.experiment} --resume ${store.id} --results ${request.resultsDir}\``,
        },
      );
    }
    finish('failed', error instanceof Error ? error.message : String(error));
    throw error;
  }
  return finish('complete');
}
