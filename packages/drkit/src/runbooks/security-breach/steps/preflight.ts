import { NotFoundError, PreconditionError } from '../../../engine/errors.js';
import type { Step } from '../../../engine/step.js';
import {
  needGlobalSignOut,
  needThrottling,
  planBy,
  showLimits,
  splitStage,
  type SecurityBreachDeps,
  type SecurityBreachState,
  type StageRecord,
} from '../context.js';

/** What preflight found: every target exists and can be acted on. */
export type Inventory = Required<
  Pick<SecurityBreachState, 'stagesBefore' | 'secretsBefore' | 'poolsBefore'>
>;

/**
 * Reads every target (read-only) and refuses, before anything changes, when one is unknown or
 * a secret cannot be rotated. Every unknown target is named at once, not the first only.
 */
export async function inspectTargets(
  deps: SecurityBreachDeps,
  s: SecurityBreachState,
): Promise<Inventory> {
  needThrottling(deps.apiGateway);
  needGlobalSignOut(deps.identity);
  const missing: string[] = [];
  const found = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      missing.push(what);
      return undefined;
    }
  };
  const stagesBefore: StageRecord[] = [];
  for (const ref of s.apiStages) {
    const { apiId, stage } = splitStage(ref);
    const t = await found(`API stage ${ref}`, () => deps.apiGateway.getThrottle(apiId, stage));
    if (t)
      stagesBefore.push({
        apiId,
        stage,
        ...limits(t),
        ...(t.rateLimit === 0 && t.burstLimit === 0 ? { alreadyIsolated: true } : {}),
      });
  }
  const secrets = [];
  for (const name of s.rotateSecrets) {
    const r = await found(`secret ${name}`, () => deps.rotation.describeRotation(name));
    if (r) secrets.push(r);
  }
  const poolsBefore = [];
  for (const poolId of s.userPools) {
    const p = await found(`user pool ${poolId}`, () => deps.pools.describePool(poolId));
    if (p) poolsBefore.push({ poolId, name: p.name, estimatedUsers: p.estimatedUsers });
  }
  if (missing.length > 0) {
    throw new NotFoundError(
      `unknown target${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}; nothing was changed`,
      {
        hint: 'check the apiStages/rotateSecrets/userPools params (or aws.breach in the config) and the region (aws.regionA)',
        details: { missing },
      },
    );
  }
  const noLambda = secrets
    .filter((r) => !r.lambdaArn && !r.owningService && !s.rotationLambdaArn)
    .map((r) => r.name);
  if (noLambda.length > 0) {
    throw new PreconditionError(
      `no rotation Lambda is configured for secret${noLambda.length > 1 ? 's' : ''} ${noLambda.join(', ')}: RotateSecret would not create new credentials; nothing was changed`,
      {
        hint: 'configure rotation on the secret (aws secretsmanager rotate-secret --secret-id <name> --rotation-lambda-arn <arn>), or pass --param rotationLambdaArn=<arn> (config aws.breach.rotationLambdaArn)',
        details: { secrets: noLambda },
      },
    );
  }
  const inProgress = secrets
    .filter((r) =>
      (r.stages.AWSPENDING ?? []).some((v) => !(r.stages.AWSCURRENT ?? []).includes(v)),
    )
    .map((r) => r.name);
  if (inProgress.length > 0) {
    throw new PreconditionError(
      `a rotation of ${inProgress.join(', ')} is still in progress (AWSPENDING on another version than AWSCURRENT): RotateSecret would be refused`,
      {
        hint: 'finish or clear it first (aws secretsmanager update-secret-version-stage --version-stage AWSPENDING --remove-from-version-id <id>)',
        details: { secrets: inProgress },
      },
    );
  }
  const secretsBefore = secrets.map((r) => ({
    name: r.name,
    currentVersionId: r.stages.AWSCURRENT?.[0],
    pendingVersionId: r.stages.AWSPENDING?.[0],
    lambdaArn: r.lambdaArn ?? s.rotationLambdaArn,
  }));
  return { stagesBefore, secretsBefore, poolsBefore };
}

function limits(t: { rateLimit: number | undefined; burstLimit: number | undefined }): {
  rateLimit?: number;
  burstLimit?: number;
} {
  return {
    ...(t.rateLimit !== undefined ? { rateLimit: t.rateLimit } : {}),
    ...(t.burstLimit !== undefined ? { burstLimit: t.burstLimit } : {}),
  };
}

/** Step 1: every target exists and can be acted on; their current state is recorded. */
export function preflight(deps: SecurityBreachDeps): Step<SecurityBreachState> {
  return {
    id: 'preflight',
    title: 'Check every stage, secret and user pool before anything changes',
    retry: { attempts: 3 },
    // a dry run refuses what the real run would: the same read-only checks
    async plan({ state: s }) {
      const inv = await inspectTargets(deps, s);
      return [
        ...inv.stagesBefore.flatMap((t) =>
          planBy(
            deps.apiGateway,
            deps.apiGateway.planGetThrottle(t.apiId, t.stage),
            `  # now ${showLimits(t)}${t.alreadyIsolated ? ' (already isolated)' : ''}`,
          ),
        ),
        ...inv.secretsBefore.flatMap((x) =>
          planBy(
            deps.rotation,
            deps.rotation.planDescribeRotation(x.name),
            `  # AWSCURRENT=${x.currentVersionId ?? '(none)'} rotation Lambda=${x.lambdaArn ?? '(managed)'}`,
          ),
        ),
        ...inv.poolsBefore.flatMap((p) =>
          planBy(
            deps.pools,
            deps.pools.planDescribePool(p.poolId),
            `  # ~${p.estimatedUsers ?? '?'} users`,
          ),
        ),
      ];
    },
    async run({ state: s }) {
      return { ...(await inspectTargets(deps, s)), preflightAt: new Date().toISOString() };
    },
  };
}
