export type { SecretRotation, SecretRotationInfo, UserPools } from '../../ports/secret-rotation.js';
import { CapabilityError } from '../../engine/errors.js';
import type { ApiGateway, StageThrottle } from '../../ports/api-gateway.js';
import type { Identity } from '../../ports/identity.js';
import type { IncidentDesk } from '../../ports/incidents.js';
import type { Notifier } from '../../ports/notifier.js';
import type { SecretRotation, UserPools } from '../../ports/secret-rotation.js';
import type { RestoreAccessParams, SecurityBreachParams, StageLimits } from './params.js';

/** The ports the security-breach runbooks run against (region A on `--provider aws`). */
export interface SecurityBreachDeps {
  readonly apiGateway: ApiGateway;
  readonly identity: Identity;
  readonly rotation: SecretRotation;
  readonly pools: UserPools;
  readonly notifier: Notifier;
  /** The incident desk the declare step opens the incident on. @default none: the notifier pages */
  readonly incidents?: IncidentDesk;
}

/** One stage as preflight found it. */
export interface StageRecord extends StageLimits {
  /** Already at rate 0 / burst 0: its limits before the breach are not known here. */
  readonly alreadyIsolated?: boolean;
}

/** One secret's rotation as journaled (ids only). */
export interface RotationRecord {
  readonly name: string;
  readonly previousVersionId: string | undefined;
  readonly newVersionId: string;
  readonly at: string;
  /** Rotated by an earlier attempt of this step (found on a re-run): not rotated again. */
  readonly alreadyRotated?: boolean;
}

/** The security-breach runbook's state: its parameters plus what each step recorded. */
export interface SecurityBreachState extends SecurityBreachParams {
  preflightAt?: string;
  /** Each stage's limits before anything changed. */
  stagesBefore?: StageRecord[];
  secretsBefore?: Array<{
    name: string;
    currentVersionId: string | undefined;
    pendingVersionId: string | undefined;
    lambdaArn: string | undefined;
  }>;
  poolsBefore?: Array<{
    poolId: string;
    name: string | undefined;
    estimatedUsers: number | undefined;
  }>;
  declaredAt?: string;
  /** The incident's severity (a row of incidents.matrix). @default SEV1 */
  severity?: string;
  /** A drill's run: the status page does not notify subscribers. @default false */
  drill?: boolean;
  /** drkit's incident the declare step opened (`drkit incident ack <id>`). */
  deskIncidentId?: string;
  /** The limits to put back, per stage (what `security-breach-restore-access` reads). */
  previousThrottles?: StageLimits[];
  isolatedAt?: string;
  rotations?: RotationRecord[];
  rotatedAt?: string;
  /** Users signed out, per pool. */
  signedOut?: Record<string, number>;
  signedOutAt?: string;
  evidence?: BreachEvidence;
  notifiedAt?: string;
}

/** What was done and when, for the incident report (no secret values). */
export interface BreachEvidence {
  readonly incidentId: string;
  readonly reason: string;
  readonly timeline: ReadonlyArray<{ readonly what: string; readonly at: string | undefined }>;
  readonly stages: ReadonlyArray<{
    readonly stage: string;
    readonly previous: string;
    readonly now: string;
  }>;
  readonly secrets: ReadonlyArray<RotationRecord>;
  readonly signedOut: Readonly<Record<string, number>>;
  readonly totalSignedOut: number;
  readonly recordedAt: string;
}

/** `security-breach-restore-access` state. */
export interface RestoreAccessState extends RestoreAccessParams {
  /** Limits each stage had when the restore began (expected 0/0). */
  stagesAtStart?: StageLimits[];
  restoredAt?: string;
  notifiedAt?: string;
}

/** `apiId/stage` → its parts. */
export function splitStage(ref: string): { apiId: string; stage: string } {
  const i = ref.indexOf('/');
  return { apiId: ref.slice(0, i), stage: ref.slice(i + 1) };
}

/** `rate=… burst=…`, `default` for an unset limit. */
export function showLimits(l: StageThrottle | StageLimits): string {
  return `rate=${l.rateLimit ?? 'default'} burst=${l.burstLimit ?? 'default'}`;
}

/**
 * A port's plan lines as dry-run text: each line under the adapter's name, `note` (what a
 * read found, e.g. `  # now rate=0 burst=0`) after the last one.
 */
export function planBy(
  port: { readonly kind: string },
  lines: readonly string[],
  note = '',
): string[] {
  return lines.map((l, i) => `${port.kind}: ${l}${i === lines.length - 1 ? note : ''}`);
}

/** Throws when the bound API gateway cannot throttle stages. */
export function needThrottling(api: ApiGateway): void {
  if (!api.capabilities.has('stage-throttling')) {
    throw new CapabilityError(`API gateway ${api.kind} cannot throttle stages`, {
      hint: 'bind an adapter that declares stage-throttling (aws-apigateway does)',
    });
  }
}

/** Throws when the bound identity adapter cannot sign everyone out. */
export function needGlobalSignOut(id: Identity): void {
  if (!id.capabilities.has('global-sign-out')) {
    throw new CapabilityError(`identity ${id.kind} cannot sign users out`, {
      hint: 'bind an adapter that declares global-sign-out (aws-cognito does)',
    });
  }
}

/** The lock both runbooks take: they must never run on the same stages at once. */
export function stagesLockKey(stages: readonly string[]): string {
  return `api-stages:${[...stages].sort().join(',')}`;
}
