import type pg from 'pg';
import type { AppSecretFormat } from '../../ports/app-secret.js';
import { parseRestoreTarget } from '../../util/restore-target.js';
import type { Database, Endpoint } from '../../ports/database.js';
import type { Functions } from '../../ports/functions.js';
import type { IncidentDesk } from '../../ports/incidents.js';
import type { Notifier } from '../../ports/notifier.js';
import type { Secrets } from '../../ports/secrets.js';
import type { AppTasks } from '../../ports/app-tasks.js';
import type { AppCache } from '../../ports/cache.js';
import type { FlushCacheState } from '../shared/steps/flush-cache.js';
import type { CredentialsEnforced, DbCredentials } from '../../ports/db-credentials.js';
import type { FreezeConfirmation } from '../shared/freeze-confirmation.js';
import type { ValidationReport } from '../../validate/suite.js';
import type { PitrParams } from './params.js';

/** `delayed-standby`: the fast path; `classic`: the newest backup + WAL replay. */
export type RestorePath = 'delayed-standby' | 'classic';

/** The ports RB-N-02 runs against. */
export interface PitrDeps {
  readonly database: Database;
  readonly secrets: Secrets;
  readonly notifier: Notifier;
  /** The incident desk the declare step opens the incident on. @default none: the notifier pages */
  readonly incidents?: IncidentDesk;
  /** Opens a SQL connection to an endpoint (credentials come from the provider). */
  readonly connect: (endpoint: Endpoint) => Promise<pg.Client>;
  /** The layout of the app's endpoint secret (the lab app's own; AWS: RDS style). */
  readonly appSecretFormat: AppSecretFormat;
  /**
   * Functions that name the database by its cluster ARN (seed 003's full recovery: every
   * Lambda's `DB_CLUSTER_ARN`): the swap points them at the restored cluster too.
   * @default none
   */
  readonly functions?: {
    readonly port: Functions;
    readonly names: readonly string[];
    readonly envVar: string;
  };
  /**
   * The app tasks that can take writes: the freeze completes only when each confirms it on
   * `/healthz` (see {@link confirmFreeze}). @default none: the freeze is the config write alone
   * and the state has no `freezeConfirmation`
   */
  readonly appTasks?: AppTasks;
  /**
   * The app's cache: flushed (its prefix only) once every task reads from the restored
   * cluster. @default none: the flush step is skipped
   */
  readonly cache?: AppCache;
  /**
   * The app's login roles in the database: the restored cluster gets the current one (and
   * loses every other) before the swap (see steps/carry-credentials.ts). @default none: no
   * such step (the restored roles are whatever the target had)
   */
  readonly credentials?: DbCredentials;
}

/** RB-N-02's state: its parameters plus what each step recorded. */
export interface PitrState extends PitrParams, FlushCacheState {
  newClusterId: string;
  /** The incident's severity (a row of incidents.matrix). @default the runbook's, SEV1 */
  severity?: string;
  /** A drill's run: the status page does not notify subscribers. @default false */
  drill?: boolean;
  declaredAt?: string;
  /** The incident the declare step opened (`drkit incident ack <id>`). */
  deskIncidentId?: string;
  /** When the freeze was complete: every app task confirmed it (or the config was written, without tasks). */
  frozenAt?: string;
  /** Each app task's confirmation of the freeze; absent when the runbook had no tasks to ask. */
  freezeConfirmation?: FreezeConfirmation;
  previousConfig?: Record<string, unknown>;
  /** The restore path taken: the delayed standby's fast path, or backup + WAL. */
  restorePath?: RestorePath;
  /** Why that path (journaled; the dry run prints it too). */
  pathReason?: string;
  /** The delayed standby chosen by the fast path (its id and delay, for the rebuild). */
  delayedStandby?: { id: string; applyDelaySeconds: number; lastReplayedCommitAt?: string };
  /** Why the fast path, once chosen, gave way to the classic restore. */
  fallbackReason?: string;
  /** When a fresh delayed standby of the restored cluster streamed again (protection back). */
  delayedStandbyRebuiltAt?: string;
  /** The full backup of the restored cluster the new delayed standby was made from. */
  delayedStandbyBackup?: string;
  restoredClusterId?: string;
  restoredEndpoint?: Endpoint;
  /** The restored cluster's ARN, when the provider has one (what the functions are pointed at). */
  restoredArn?: string;
  /** Functions whose environment the swap changed. */
  functionsUpdated?: string[];
  restoredTo?: string;
  restoreDurationMs?: number;
  restorePhases?: ReadonlyArray<{ phase: string; durationMs: number }>;
  abandonedClusters?: string[];
  validation?: Pick<ValidationReport, 'ok' | 'rowsChecked' | 'durationMs'> & {
    lines: string[];
    mode: string;
  };
  /** What carry-credentials did on the restored cluster (role names only). */
  credentialsCarried?: CredentialsEnforced;
  swappedAt?: string;
  unfrozenAt?: string;
  oldClusterBackup?: string;
  oldClusterStoppedAt?: string;
  notifiedAt?: string;
}

/**
 * The restore target of the state, parsed by the one parser every entry point uses (the
 * params were checked and canonicalised by it already; a journal written by an older drkit
 * may still hold the text as typed, e.g. with a `+00` offset).
 * @throws UsageError for a malformed target — never an Invalid Date.
 */
export function parseTarget(text: string): Date | 'latest' {
  return parseRestoreTarget(text);
}
