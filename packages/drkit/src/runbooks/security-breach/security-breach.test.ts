import { describe, expect, it } from 'vitest';
import { CapabilityError, NotFoundError, PreconditionError, UsageError } from '../../engine/errors.js';
import type { StepContext } from '../../engine/step.js';
import type { ApiGateway, StageThrottle } from '../../ports/api-gateway.js';
import { findRunbook } from '../registry.js';
import type { RestoreAccessState, SecretRotationInfo, SecurityBreachDeps, SecurityBreachState } from './context.js';
import { formatStageLimits, parseStageLimits, RestoreAccessParamsSchema, SecurityBreachParamsSchema } from './params.js';
import { isolateApi } from './steps/isolate-api.js';
import { makeEvidence } from './steps/record-evidence.js';
import { restoreThrottles, targetLimits } from './steps/restore-throttles.js';
import { rotateCredentials } from './steps/rotate-credentials.js';

/** An in-memory API gateway with the port's contract (setThrottle returns what it replaced). */
class FakeGateway implements ApiGateway {
  readonly kind = 'fake';
  readonly capabilities = new Set(['stage-throttling' as const]);
  readonly stages = new Map<string, StageThrottle>();
  async getThrottle(apiId: string, stage: string): Promise<StageThrottle> {
    const t = this.stages.get(`${apiId}/${stage}`);
    if (!t) throw new NotFoundError(`no stage ${apiId}/${stage}`);
    return t;
  }
  async setThrottle(apiId: string, stage: string, l: StageThrottle): Promise<StageThrottle> {
    const before = await this.getThrottle(apiId, stage);
    this.stages.set(`${apiId}/${stage}`, { rateLimit: l.rateLimit ?? before.rateLimit, burstLimit: l.burstLimit ?? before.burstLimit });
    return before;
  }
  async restoreThrottle(apiId: string, stage: string, l: StageThrottle): Promise<StageThrottle> {
    const before = await this.getThrottle(apiId, stage);
    this.stages.set(`${apiId}/${stage}`, { rateLimit: l.rateLimit, burstLimit: l.burstLimit });
    return before;
  }
}

const ctx = <S extends object>(state: S): StepContext<S> => ({ state, executionId: 'x', dryRun: false, signal: new AbortController().signal, progress: () => undefined });
const base = { apiStages: 'abc123/v2', rotateSecrets: 'db', userPools: 'us-east-1_x', incidentId: 'SEC-1' };

describe('SecurityBreachParamsSchema', () => {
  it('GIVEN comma-separated lists THEN trimmed, deduplicated lists; defaults filled', () => {
    const p = SecurityBreachParamsSchema.parse({ ...base, apiStages: ' abc123/v2, def/prod ,abc123/v2,', rotateImmediately: 'false' });
    expect(p).toMatchObject({ apiStages: ['abc123/v2', 'def/prod'], rotateSecrets: ['db'], reason: 'security breach', rotateImmediately: false, concurrency: 8 });
  });

  it('GIVEN an empty list, a stage without /, or an unknown key THEN refused', () => {
    expect(SecurityBreachParamsSchema.safeParse({ ...base, rotateSecrets: '' }).success).toBe(false);
    expect(SecurityBreachParamsSchema.safeParse({ ...base, userPools: [] }).success).toBe(false);
    expect(SecurityBreachParamsSchema.safeParse({ ...base, apiStages: 'abc123' }).success).toBe(false);
    expect(SecurityBreachParamsSchema.safeParse({ ...base, username: '*' }).success).toBe(false);
  });
});

describe('restore-access limits', () => {
  it('GIVEN apiId/stage=rate:burst text THEN parsed both ways; an empty side is the account default', () => {
    expect(parseStageLimits('abc/v2=500:1000')).toEqual({ apiId: 'abc', stage: 'v2', rateLimit: 500, burstLimit: 1000 });
    expect(parseStageLimits('abc/v2=:200')).toEqual({ apiId: 'abc', stage: 'v2', burstLimit: 200 });
    expect(parseStageLimits('abc=1:2')).toBeUndefined();
    expect(formatStageLimits({ apiId: 'abc', stage: 'v2', burstLimit: 200 })).toBe('abc/v2=:200');
    expect(RestoreAccessParamsSchema.parse({ throttles: 'a/v1=1.5:2,b/v2=3:4' }).throttles).toEqual([
      { apiId: 'a', stage: 'v1', rateLimit: 1.5, burstLimit: 2 },
      { apiId: 'b', stage: 'v2', rateLimit: 3, burstLimit: 4 },
    ]);
    expect(RestoreAccessParamsSchema.safeParse({ throttles: 'nonsense' }).success).toBe(false);
  });

  it('GIVEN a recorded 0/0 THEN refused; an account-default limit stays unset (removed on the stage) unless defaultLimits fills it', () => {
    const s = (throttles: RestoreAccessState['throttles'], defaultLimits?: string) => RestoreAccessParamsSchema.parse({ throttles, ...(defaultLimits ? { defaultLimits } : {}) });
    expect(() => targetLimits(s([{ apiId: 'a', stage: 'v1', rateLimit: 0, burstLimit: 0 }]))).toThrow(PreconditionError);
    expect(() => targetLimits(s([{ apiId: 'a', stage: 'v1', rateLimit: 0, burstLimit: 0 }]))).toThrow(/already isolated/);
    expect(targetLimits(s([{ apiId: 'a', stage: 'v1', rateLimit: 10 }]))).toEqual([{ apiId: 'a', stage: 'v1', rateLimit: 10 }]);
    expect(targetLimits(s([{ apiId: 'a', stage: 'v1' }]))).toEqual([{ apiId: 'a', stage: 'v1' }]);
    expect(targetLimits(s([{ apiId: 'a', stage: 'v1', rateLimit: 10 }], '10000:5000'))).toEqual([{ apiId: 'a', stage: 'v1', rateLimit: 10, burstLimit: 5000 }]);
    expect(targetLimits(s([{ apiId: 'a', stage: 'v1' }], '10000:5000'))).toEqual([{ apiId: 'a', stage: 'v1', rateLimit: 10000, burstLimit: 5000 }]);
  });

  it('GIVEN stages recorded with and without their own limits WHEN restore-throttles runs (twice) THEN each is back exactly, the unset ones unset, and the plan names the removal', async () => {
    const gw = new FakeGateway();
    gw.stages.set('a/v1', { rateLimit: 0, burstLimit: 0 });
    gw.stages.set('a/v2', { rateLimit: 0, burstLimit: 0 });
    gw.stages.set('a/v3', { rateLimit: 0, burstLimit: 0 });
    const step = restoreThrottles({ apiGateway: gw } as unknown as SecurityBreachDeps);
    const state = RestoreAccessParamsSchema.parse({ throttles: 'a/v1=50:20,a/v2=:,a/v3=7:' }) as RestoreAccessState;
    const plan = await step.plan(ctx(state));
    expect(plan).toContain('fake: apigateway:UpdateStage restApiId=a stageName=v1 patchOperations=[{op:replace,path:/*/*/throttling/rateLimit,value:50},{op:replace,path:/*/*/throttling/burstLimit,value:20}]');
    expect(plan.find((l) => l.includes('stageName=v2'))).toContain(
      '{op:replace,path:/*/*/throttling/rateLimit,value:-1},{op:replace,path:/*/*/throttling/burstLimit,value:-1},{op:remove,path:/*/*}]  # back to the account default',
    );
    expect(plan.find((l) => l.includes('stageName=v3'))).toContain('{op:replace,path:/*/*/throttling/rateLimit,value:7},{op:replace,path:/*/*/throttling/burstLimit,value:-1}]');
    for (let i = 0; i < 2; i++) {
      await step.run(ctx(state));
      await step.verify!(ctx(state));
    }
    expect(Object.fromEntries(gw.stages)).toEqual({
      'a/v1': { rateLimit: 50, burstLimit: 20 },
      'a/v2': { rateLimit: undefined, burstLimit: undefined },
      'a/v3': { rateLimit: 7, burstLimit: undefined },
    });
  });
});

describe('steps are safe to run twice', () => {
  it('GIVEN isolate-api re-run after a crash mid-step THEN the recorded previous limits are preflight’s, never the zeros it set', async () => {
    const gw = new FakeGateway();
    gw.stages.set('a/v1', { rateLimit: 50, burstLimit: 20 });
    gw.stages.set('a/v2', { rateLimit: 0, burstLimit: 0 }); // cut by the first attempt
    const step = isolateApi({ apiGateway: gw } as unknown as SecurityBreachDeps);
    const state = {
      ...SecurityBreachParamsSchema.parse({ ...base, apiStages: 'a/v1,a/v2' }),
      stagesBefore: [
        { apiId: 'a', stage: 'v1', rateLimit: 50, burstLimit: 20 },
        { apiId: 'a', stage: 'v2', rateLimit: 500, burstLimit: 1000 },
      ],
    } as SecurityBreachState;
    const out = (await step.run(ctx(state)))!;
    expect(out.previousThrottles).toEqual([
      { apiId: 'a', stage: 'v1', rateLimit: 50, burstLimit: 20 },
      { apiId: 'a', stage: 'v2', rateLimit: 500, burstLimit: 1000 },
    ]);
    await step.verify!(ctx({ ...state, ...out }));
  });

  it('GIVEN rotate-credentials re-run after a rotation already moved the labels THEN that secret is not rotated again', async () => {
    const rotated: string[] = [];
    const info: Record<string, SecretRotationInfo> = {
      db: { name: 'db', lambdaArn: 'arn:l', owningService: undefined, stages: { AWSCURRENT: ['v1'], AWSPENDING: ['v2'] }, lastRotatedAt: '2026-01-01T00:00:00.000Z' },
      key: { name: 'key', lambdaArn: 'arn:l', owningService: undefined, stages: { AWSCURRENT: ['k1'] }, lastRotatedAt: undefined },
    };
    const rotation = {
      kind: 'fake',
      describeRotation: async (n: string) => info[n]!,
      rotate: async (n: string) => {
        rotated.push(n);
        info[n] = { ...info[n]!, stages: { AWSCURRENT: ['k1'], AWSPENDING: ['k2'] } };
        return { versionId: 'k2' };
      },
    };
    const step = rotateCredentials({ rotation } as unknown as SecurityBreachDeps);
    const state = {
      ...SecurityBreachParamsSchema.parse({ ...base, rotateSecrets: 'db,key' }),
      secretsBefore: [
        { name: 'db', currentVersionId: 'v1', pendingVersionId: undefined, lambdaArn: 'arn:l' },
        { name: 'key', currentVersionId: 'k1', pendingVersionId: undefined, lambdaArn: 'arn:l' },
      ],
    } as SecurityBreachState;
    const out = (await step.run(ctx(state)))!;
    expect(rotated).toEqual(['key']);
    expect(out.rotations).toMatchObject([
      { name: 'db', previousVersionId: 'v1', newVersionId: 'v2', alreadyRotated: true },
      { name: 'key', previousVersionId: 'k1', newVersionId: 'k2' },
    ]);
    await step.verify!(ctx({ ...state, ...out }));
  });
});

describe('evidence and registry', () => {
  it('GIVEN a finished run THEN the evidence totals the counts and shows previous limits', () => {
    const s = {
      ...SecurityBreachParamsSchema.parse(base),
      previousThrottles: [{ apiId: 'abc123', stage: 'v2', rateLimit: 500 }],
      signedOut: { p1: 3, p2: 4 },
    } as SecurityBreachState;
    const e = makeEvidence(s, new Date('2026-01-01T00:00:00Z'));
    expect(e).toMatchObject({ totalSignedOut: 7, recordedAt: '2026-01-01T00:00:00.000Z', stages: [{ stage: 'abc123/v2', previous: 'rate=500 burst=default', now: 'rate=0 burst=0' }] });
  });

  it('GIVEN a provider without breach ports THEN a capability error; config defaults fill params; an alias finds it', async () => {
    expect(findRunbook('sb').id).toBe('security-breach');
    expect(() => findRunbook('sb').normalize(base, { provider: 'lab' })).toThrow(CapabilityError);
    const ports = { breach: () => ({ deps: {} as SecurityBreachDeps, defaults: { apiStages: ['cfg/v1'], rotateSecrets: ['cfg-db'], userPools: ['cfg-pool'] }, journalDir: '/nonexistent' }) };
    const p = (await findRunbook('sb').normalize({ rotateSecrets: 'x' }, ports)) as unknown as SecurityBreachState;
    expect(p).toMatchObject({ apiStages: ['cfg/v1'], rotateSecrets: ['x'], userPools: ['cfg-pool'] });
    expect(p.incidentId).toMatch(/^SEC-\d{12}$/);
    await expect(findRunbook('security-breach-restore-access').normalize({}, ports)).rejects.toBeInstanceOf(UsageError);
  });
});
