/**
 * Campaign metadata (campaign.json): everything needed to know what produced a campaign's numbers.
 */
import type { BackendName } from '../model/backends.js';
import type { Accel } from './schema.js';

/** The machine a campaign ran on. */
export interface HostFingerprint {
  hostname: string;
  /** CPU model name from /proc/cpuinfo */
  cpuModel: string;
  /** logical CPUs the OS reports */
  cpus: number;
  /** physical cores (unique core ids per socket), null when the kernel does not say */
  cores: number | null;
  threadsPerCore: number | null;
  /** total memory, MiB */
  memoryMiB: number;
  /** e.g. "Debian GNU/Linux 12 (bookworm)" */
  os: string;
  /** uname -r */
  kernel: string;
  arch: string;
  /** the block device under the results directory: model (when known), size, rotational */
  disk: { device: string | null; model: string | null; sizeGiB: number | null; rotational: boolean | null };
  /** kernel module that provides /dev/kvm (kvm_intel, kvm_amd, kvm_pvm ...), null without /dev/kvm */
  kvmModule: string | null;
}

/** A capability the host lacked during a campaign, and why. */
export interface MissingCapability {
  /** e.g. "kvm-acceleration", "backend:docker" */
  capability: string;
  reason: string;
  fix?: string;
}

export type CampaignState = 'running' | 'complete' | 'interrupted' | 'failed';

/** One start or resume of a campaign. */
/**
 * The resource preflight's answer at the start of a session (lib/experiments/preflight.ts): memory
 * for the most guests at once and disk for what the campaign writes, against what the host had.
 */
export interface PreflightRecord {
  memory: {
    needBytes: number;
    availableBytes: number;
    /** how the need was reckoned, e.g. "8 kvm guests x (1024 MiB + 64 MiB QEMU)" */
    reckoning: string;
  };
  disk: Array<{ dir: string; needBytes: number; freeBytes: number; what: string }>;
  /** every need fits */
  fits: boolean;
  /** the campaign ran although something did not fit (`--force`) */
  forced: boolean;
}

/**
 * `--repeats auto`: after `minRepeats`, a cell keeps getting repeats until the 95% interval of the
 * mean of every primary metric's per-repeat values is narrow enough: its relative half-width at or
 * below `precision`; up to `maxRepeats`. Per-repeat value: the mean over the repeat's guests of
 * each primary metric. Campaigns before 2026-12-08 recorded `maxRsd` instead (a cell stopped once
 * its relative standard deviation was at or below it); resuming one keeps its own rule.
 */
export type RepeatRule = { minRepeats: number; maxRepeats: number } & (
  | {
      /** largest relative half-width of the 95% interval of the mean, e.g. 0.05 */
      precision: number;
    }
  | {
      /** relative standard deviation (sd / mean, sample sd), e.g. 0.05: the rule before 2026-12-08 */
      maxRsd: number;
    }
);

/** Why a cell under `--repeats auto` stopped adding repeats. */
export interface CellStop {
  backend: BackendName;
  guests: number;
  config?: string;
  /** measured repeats (with a value of every primary metric) when it stopped */
  repeats: number;
  /** the largest RSD over its primary metrics then; null with fewer than 2 measured repeats */
  rsd: number | null;
  /**
   * the largest relative half-width of a primary metric's 95% interval of the mean then; null with
   * fewer than 3 measured repeats (absent in campaigns before 2026-12-08)
   */
  halfWidth?: number | null;
  /** 'precise': every interval narrow enough; 'stable': the RSD rule of older campaigns; 'cap': the most repeats */
  reason: 'precise' | 'stable' | 'cap';
  /** in words: "precise: 95% interval ±3.1% <= ±5.0% after 9 repeats" */
  words: string;
}

export interface CampaignSession {
  startedAt: string;
  endedAt?: string;
  state: CampaignState;
  /** error message when the session failed */
  error?: string;
  /** what the session needed and what the host had (sessions before 2026-12-02 lack it) */
  preflight?: PreflightRecord;
}

/** The contents of campaign.json. */
export interface CampaignMeta {
  id: string;
  experiment: string;
  /** "quick" or "thesis" */
  profile: string;
  /** the experiment's full parameters after the profile and options were applied */
  parameters: Record<string, unknown>;
  backends: BackendName[];
  /** accelerator per backend, as used */
  accel: Partial<Record<BackendName, Accel>>;
  host: HostFingerprint;
  /** tool versions: node, sysbench (host and image), qemu, docker engine, guest kernel ... */
  versions: Record<string, string>;
  /**
   * how each backend provided what the experiment measures with, in its own words: what "ready" and
   * "gone" mean, how a state is saved and restored, how a guest migrates (campaigns before 2026-12
   * kept these in `parameters`)
   */
  methods?: Partial<Record<BackendName, Record<string, string>>>;
  /** the guest image set used (content key), when any backend needs one */
  image: { key: string; dockerImage: string } | null;
  git: { commit: string; dirty: boolean } | null;
  startedAt: string;
  endedAt?: string;
  state: CampaignState;
  /** every start and resume, in order */
  sessions: CampaignSession[];
  missing: MissingCapability[];
  /** `--repeats auto`'s rule (absent: a fixed number of repeats, `parameters.repeats`) */
  repeatRule?: RepeatRule;
  /** under `--repeats auto`: why each cell stopped */
  stops?: CellStop[];
  /**
   * a campaign run on another host over SSH (`guestbench run --host`, docs/hosts.md): the host as the
   * user named it and the campaign's directory there; `host` above is that machine's fingerprint
   */
  ranOn?: { host: string; transport: 'ssh'; remoteDir: string };
}

/**
 * A missing capability's reason in words a page can show: a QEMU command line that campaigns
 * recorded before 2026-12-08 inside the accelerator probe's reason is left out (the probe's own
 * words and the KVM module say why; doctor prints the command).
 */
export function missingReasonText(item: MissingCapability): string {
  return item.reason.replace(/\s*command: qemu-system[^;]*/g, '');
}

/** Why the campaign's VMs ran under TCG (its missing `kvm-acceleration`); undefined when none was missing. */
export function tcgReason(meta: Pick<CampaignMeta, 'missing'>): string | undefined {
  const item = meta.missing.find((candidate) => candidate.capability === 'kvm-acceleration');
  return item === undefined ? undefined : missingReasonText(item);
}
