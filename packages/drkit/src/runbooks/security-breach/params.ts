import { z } from 'zod';
import { boolParam } from '../shared/bool-param.js';

/** A comma-separated `--param` value or a config list, as a trimmed list without blanks. */
const list = (item: z.ZodString, what: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(',') : v),
    z
      .array(z.string().trim())
      .transform((a) => [...new Set(a.filter((x) => x !== ''))])
      .pipe(z.array(item).min(1, { message: `give at least one ${what}` })),
  );

/** `apiId/stage`, e.g. `abc123/v2`. */
const STAGE_REF = /^[^/\s]+\/[^/\s]+$/;

/** Parameters of the security-breach runbook (`--param k=v`; lists comma-separated). */
export const SecurityBreachParamsSchema = z
  .object({
    /** REST API stages cut to zero, as `apiId/stage` (seed: `abc123/v2`). */
    apiStages: list(
      z.string().regex(STAGE_REF, { message: 'a stage is apiId/stage, e.g. abc123/v2' }),
      'API stage (apiId/stage)',
    ),
    /** Secrets Manager secrets rotated (seed: `radiant-production-db`). */
    rotateSecrets: list(z.string().min(1), 'secret to rotate'),
    /** Cognito user pools whose every user is signed out (seed: `us-east-1_xxx`). */
    userPools: list(z.string().min(1), 'user pool'),
    /** Incident id, in every notification and the evidence. @default `SEC-<utc stamp>` (set by the registry) */
    incidentId: z.string().min(1),
    /** Why, for the page and the evidence. @default 'security breach' */
    reason: z.string().min(1).default('security breach'),
    /**
     * Rotation Lambda for secrets that have none configured yet. @default none: a secret
     * without one stops the run in preflight, before anything changes
     */
    rotationLambdaArn: z.string().min(1).optional(),
    /** `RotateImmediately` of RotateSecret; false only schedules the rotation. @default true */
    rotateImmediately: boolParam().default(true),
    /** Users signed out at once per pool. @default 8 */
    concurrency: z.coerce.number().int().min(1).max(64).default(8),
  })
  .strict();

export type SecurityBreachParams = z.infer<typeof SecurityBreachParamsSchema>;

/** `apiId/stage=rate:burst`; an empty side means the account default (`abc123/v2=:200`). */
const THROTTLE_REF = /^([^/\s=]+)\/([^/\s=]+)=(\d*(?:\.\d+)?):(\d*)$/;

/** One stage's limits to put back. */
export interface StageLimits {
  readonly apiId: string;
  readonly stage: string;
  readonly rateLimit?: number;
  readonly burstLimit?: number;
}

/** Parses `apiId/stage=rate:burst`. @returns undefined when malformed */
export function parseStageLimits(s: string): StageLimits | undefined {
  const m = THROTTLE_REF.exec(s.trim());
  if (!m) return undefined;
  return {
    apiId: m[1]!,
    stage: m[2]!,
    ...(m[3] ? { rateLimit: Number(m[3]) } : {}),
    ...(m[4] ? { burstLimit: Number(m[4]) } : {}),
  };
}

/** Formats {@link StageLimits} the way {@link parseStageLimits} reads them. */
export function formatStageLimits(l: StageLimits): string {
  return `${l.apiId}/${l.stage}=${l.rateLimit ?? ''}:${l.burstLimit ?? ''}`;
}

const limitsSchema = z.object({
  apiId: z.string().min(1),
  stage: z.string().min(1),
  rateLimit: z.number().nonnegative().optional(),
  burstLimit: z.number().int().nonnegative().optional(),
});

/**
 * Parameters of `security-breach-restore-access`. The registry fills `throttles` from
 * `fromExecution` (the breach execution's journal) when it is given.
 */
export const RestoreAccessParamsSchema = z
  .object({
    /** The security-breach execution whose recorded previous limits are put back. */
    fromExecution: z.string().min(1).optional(),
    /** Limits to put back: `apiId/stage=rate:burst`, comma-separated (or filled from `fromExecution`). */
    throttles: z.preprocess(
      (v) =>
        typeof v === 'string'
          ? v
              .split(',')
              .filter((x) => x.trim() !== '')
              .map((x) => parseStageLimits(x) ?? x)
          : v,
      z
        .array(limitsSchema, { message: 'throttles are apiId/stage=rate:burst, comma-separated' })
        .min(1, { message: 'give at least one stage to restore' }),
    ),
    /**
     * Limits to set, `rate:burst`, where a recorded limit was the account default (no stage
     * setting), instead of removing the stage's own limit again.
     * @default none: the stage's own limit is removed and the account default applies
     */
    defaultLimits: z
      .string()
      .regex(/^\d+(\.\d+)?:\d+$/, { message: 'defaultLimits is rate:burst, e.g. 10000:5000' })
      .optional(),
    /** Incident id for the notification. @default the breach execution's, else 'unknown' */
    incidentId: z.string().min(1).default('unknown'),
    /** Why access comes back. @default 'investigation cleared' */
    reason: z.string().min(1).default('investigation cleared'),
  })
  .strict();

export type RestoreAccessParams = z.infer<typeof RestoreAccessParamsSchema>;
