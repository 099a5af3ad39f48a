/**
 * What the runner needs to know about a backend before it has one: whether this host can run it
 * (doctor's and campaigns' verdict, with the fix), how to make it, where its guests' scratch storage
 * sits, and what a killed campaign of it can leave behind. One provider per backend
 * (`<backend>-provider.ts`), listed in registry.ts.
 */
import type { ImageSet } from '../images/index.js';
import type { BackendName } from '../model/backends.js';
import type { MissingCapability } from '../results/campaign-meta.js';
import type { Accel } from '../results/schema.js';
import type { ScratchStorage } from './capabilities.js';
import type { Backend } from './guest.js';

/** One backend's verdict on this host. */
export type BackendCheck =
  | {
      backend: BackendName;
      usable: true;
      accel: Accel;
      /** a container backend's OCI runtime, e.g. "runc 1.1.5+ds1" */
      runtime?: string;
      detail: string;
      notes: MissingCapability[];
    }
  | { backend: BackendName; usable: false; reason: string; fix: string; notes: MissingCapability[] };

/** What a check may use. */
export interface CheckOptions {
  /** the guest images when built (see imagesIfBuilt) */
  images: ImageSet | undefined;
  /** redo an expensive probe instead of reusing its cached result (doctor without --cached) */
  forceProbe?: boolean;
}

/** What a backend is made with, once its check passed. */
export interface CreateOptions {
  /** the accelerator its check found */
  accel: Accel;
  /** the OCI runtime its check found (container backends) */
  runtime?: string;
  images: ImageSet | undefined;
  /** the campaign id, for labels on what the backend creates */
  campaign: string;
  /** apply the guest size as container cgroup limits (the thesis did not) */
  containerLimits: boolean;
}

/** A backend before it is made. */
export interface BackendProvider<Name extends BackendName = BackendName> {
  readonly name: Name;
  /** its guests need the guest images (a VM boots them, a container runs their rootfs) */
  readonly usesImages: boolean;
  /** whether this host can run it, why not, and the fix */
  check(options: CheckOptions): Promise<BackendCheck>;
  /** makes the backend (call after a passing check) */
  create(options: CreateOptions): Backend;
  /** where its guests' scratch storage sits, for planning before any guest starts; absent: it has none */
  readonly scratch?: ScratchStorage;
  /** makes the guest image available to the backend after `guestbench images build` (podman: imports it) */
  prepareImages?(images: ImageSet, log: (line: string) => void): Promise<void>;
  /**
   * removes what a campaign killed outright (kill -9) left of this backend (containers, run
   * directories); one line per kind of thing removed. Absent: nothing outlives the runner.
   */
  cleanup?(options: { campaign?: string }): Promise<string[]>;
}
