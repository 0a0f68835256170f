import { describe, expect, it } from 'vitest';
import { CapabilityError, PreconditionError, UsageError } from '../../engine/errors.js';
import { parseConfig } from '../../config/load.js';
import { makeProvider } from '../../providers/provider.js';
import { bindProvider } from '../../providers/index.js';
import { findRunbook } from '../registry.js';
import type { RestoreAccessState, SecurityBreachState } from './context.js';
import { securityBreach, securityBreachRestoreAccess } from './index.js';
import {
  formatStageLimits,
  parseStageLimits,
  RestoreAccessParamsSchema,
  SecurityBreachParamsSchema,
} from './params.js';
import { makeEvidence } from './steps/record-evidence.js';
import { targetLimits } from './steps/restore-throttles.js';

const base = {
  apiStages: 'abc123/v2',
  rotateSecrets: 'db',
  userPools: 'us-east-1_x',
  incidentId: 'SEC-1',
};

describe('SecurityBreachParamsSchema', () => {
  it('GIVEN comma-separated lists THEN trimmed, deduplicated lists; defaults filled', () => {
    const p = SecurityBreachParamsSchema.parse({
      ...base,
      apiStages: ' abc123/v2, def/prod ,abc123/v2,',
      rotateImmediately: 'false',
    });
    expect(p).toMatchObject({
      apiStages: ['abc123/v2', 'def/prod'],
      rotateSecrets: ['db'],
      reason: 'security breach',
      rotateImmediately: false,
      concurrency: 8,
    });
  });

  it('GIVEN an empty list, a stage without /, or an unknown key THEN refused', () => {
    expect(SecurityBreachParamsSchema.safeParse({ ...base, rotateSecrets: '' }).success).toBe(
      false,
    );
    expect(SecurityBreachParamsSchema.safeParse({ ...base, userPools: [] }).success).toBe(false);
    expect(SecurityBreachParamsSchema.safeParse({ ...base, apiStages: 'abc123' }).success).toBe(
      false,
    );
    expect(SecurityBreachParamsSchema.safeParse({ ...base, username: '*' }).success).toBe(false);
  });
});

describe('restore-access limits', () => {
  it('GIVEN apiId/stage=rate:burst text THEN parsed both ways; an empty side is the account default', () => {
    expect(parseStageLimits('abc/v2=500:1000')).toEqual({
      apiId: 'abc',
      stage: 'v2',
      rateLimit: 500,
      burstLimit: 1000,
    });
    expect(parseStageLimits('abc/v2=:200')).toEqual({ apiId: 'abc', stage: 'v2', burstLimit: 200 });
    expect(parseStageLimits('abc=1:2')).toBeUndefined();
    expect(formatStageLimits({ apiId: 'abc', stage: 'v2', burstLimit: 200 })).toBe('abc/v2=:200');
    expect(RestoreAccessParamsSchema.parse({ throttles: 'a/v1=1.5:2,b/v2=3:4' }).throttles).toEqual(
      [
        { apiId: 'a', stage: 'v1', rateLimit: 1.5, burstLimit: 2 },
        { apiId: 'b', stage: 'v2', rateLimit: 3, burstLimit: 4 },
      ],
    );
    expect(RestoreAccessParamsSchema.safeParse({ throttles: 'nonsense' }).success).toBe(false);
  });

  it('GIVEN a recorded 0/0 THEN refused; an account-default limit stays unset (removed on the stage) unless defaultLimits fills it', () => {
    const s = (throttles: RestoreAccessState['throttles'], defaultLimits?: string) =>
      RestoreAccessParamsSchema.parse({ throttles, ...(defaultLimits ? { defaultLimits } : {}) });
    expect(() =>
      targetLimits(s([{ apiId: 'a', stage: 'v1', rateLimit: 0, burstLimit: 0 }])),
    ).toThrow(PreconditionError);
    expect(() =>
      targetLimits(s([{ apiId: 'a', stage: 'v1', rateLimit: 0, burstLimit: 0 }])),
    ).toThrow(/already isolated/);
    expect(targetLimits(s([{ apiId: 'a', stage: 'v1', rateLimit: 10 }]))).toEqual([
      { apiId: 'a', stage: 'v1', rateLimit: 10 },
    ]);
    expect(targetLimits(s([{ apiId: 'a', stage: 'v1' }]))).toEqual([{ apiId: 'a', stage: 'v1' }]);
    expect(targetLimits(s([{ apiId: 'a', stage: 'v1', rateLimit: 10 }], '10000:5000'))).toEqual([
      { apiId: 'a', stage: 'v1', rateLimit: 10, burstLimit: 5000 },
    ]);
    expect(targetLimits(s([{ apiId: 'a', stage: 'v1' }], '10000:5000'))).toEqual([
      { apiId: 'a', stage: 'v1', rateLimit: 10000, burstLimit: 5000 },
    ]);
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
    expect(e).toMatchObject({
      totalSignedOut: 7,
      recordedAt: '2026-01-01T00:00:00.000Z',
      stages: [{ stage: 'abc123/v2', previous: 'rate=500 burst=default', now: 'rate=0 burst=0' }],
    });
  });

  it('GIVEN a provider without breach ports THEN a capability error; config defaults fill params; an alias finds it', async () => {
    expect(findRunbook('sb').id).toBe('security-breach');
    expect(findRunbook('sb')).toBe(securityBreach);
    const lab = parseConfig({});
    await expect(
      findRunbook('sb').prepare(
        base,
        makeProvider({ provider: 'lab', config: lab, journalDir: '/tmp', ports: {} }),
        { config: lab, journalDir: '/nonexistent' },
      ),
    ).rejects.toThrow(CapabilityError);
    // the lab binds its own breach ports (front door, login roles, sessions): it needs a lab
    await expect(
      findRunbook('sb').prepare(base, bindProvider('lab', lab, '/tmp'), {
        config: lab,
        journalDir: '/nonexistent',
      }),
    ).rejects.toThrow(/no two-region lab/);
    const ctx = {
      ports: {} as Parameters<typeof securityBreach.create>[0],
      config: parseConfig({
        aws: {
          breach: { apiStages: ['cfg/v1'], rotateSecrets: ['cfg-db'], userPools: ['cfg-pool'] },
        },
      }),
      journalDir: '/nonexistent',
      provider: 'aws',
    };
    const p = await securityBreach.normalize({ rotateSecrets: 'x' }, ctx);
    expect(p).toMatchObject({
      apiStages: ['cfg/v1'],
      rotateSecrets: ['x'],
      userPools: ['cfg-pool'],
    });
    expect(p.incidentId).toMatch(/^SEC-\d{12}$/);
    expect(findRunbook('security-breach-restore-access')).toBe(securityBreachRestoreAccess);
    await expect(securityBreachRestoreAccess.normalize({}, ctx)).rejects.toBeInstanceOf(UsageError);
  });
});
