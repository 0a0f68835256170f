import { describe, expect, it } from 'vitest';
import { judgeDeletePolicy } from './s3-delete-policy.js';

const ROLE = 'arn:aws:iam::123456789012:role/break-glass';
const deny = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'NoVersionDelete',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:DeleteObjectVersion',
        Resource: 'arn:aws:s3:::media/*',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': ROLE } },
        ...extra,
      },
    ],
  });

describe('judgeDeletePolicy (seed 000: deny s3:DeleteObjectVersion except via break-glass)', () => {
  it('GIVEN the deny exempting only the break-glass role THEN pass', () => {
    expect(judgeDeletePolicy('media', deny(), ROLE)).toMatchObject({
      status: 'pass',
      value: `statement NoVersionDelete denies s3:DeleteObjectVersion except to ${ROLE}`,
    });
  });

  it('GIVEN NotPrincipal naming the role and a wildcard action THEN pass', () => {
    const p = deny({
      Principal: undefined,
      NotPrincipal: { AWS: ROLE },
      Action: ['s3:Delete*'],
      Condition: undefined,
    });
    expect(judgeDeletePolicy('media', p, ROLE).status).toBe('pass');
  });

  it('GIVEN no policy THEN fail', () => {
    expect(judgeDeletePolicy('media', undefined, ROLE)).toMatchObject({
      status: 'fail',
      value: 'no bucket policy',
    });
  });

  it('GIVEN a deny on another bucket or an Allow THEN fail: none denies on this bucket', () => {
    for (const p of [deny({ Resource: 'arn:aws:s3:::other/*' }), deny({ Effect: 'Allow' })])
      expect(judgeDeletePolicy('media', p, ROLE)).toMatchObject({
        status: 'fail',
        value:
          '1 statement(s), none denies s3:DeleteObjectVersion to every principal on arn:aws:s3:::media/*',
      });
  });

  it('GIVEN an exemption by wildcard that also covers the role THEN fail: it exempts every role', () => {
    const p = deny({
      Condition: { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/*' } },
    });
    expect(judgeDeletePolicy('media', p, ROLE)).toMatchObject({
      status: 'fail',
      reason: `exempts more than the break-glass role ${ROLE}: arn:aws:iam::123456789012:role/*`,
    });
  });

  it('GIVEN a deny without exemption, an unread condition, or no configured role THEN warn', () => {
    expect(judgeDeletePolicy('media', deny({ Condition: undefined }), ROLE).status).toBe('warn');
    const mfa = deny({ Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } });
    expect(judgeDeletePolicy('media', mfa, ROLE)).toMatchObject({
      status: 'warn',
      reason: 'not checked: whether the deny holds depends on those conditions',
    });
    expect(judgeDeletePolicy('media', deny(), undefined).reason).toMatch(
      /^not checked: aws\.s3\.breakGlassRoleArn/,
    );
  });

  it('GIVEN a policy that is not JSON THEN fail', () => {
    expect(judgeDeletePolicy('media', '{', ROLE).status).toBe('fail');
  });
});
