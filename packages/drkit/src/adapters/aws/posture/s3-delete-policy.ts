import type { CheckStatus } from '../../../ports/posture.js';

/** The verdict on a bucket policy's protection of object versions (seed 000). */
export interface DeletePolicyVerdict {
  readonly status: CheckStatus;
  readonly value: string;
  readonly reason: string;
}

interface Statement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

const list = (x: unknown): string[] =>
  x === undefined ? [] : Array.isArray(x) ? x.map(String) : [String(x)];

/** IAM wildcard match (`*` and `?`), case-insensitive as IAM matches action names. */
function like(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`, 'i').test(value);
}

const EXEMPT_OPERATORS = ['ArnNotEquals', 'ArnNotLike', 'StringNotEquals', 'StringNotLike'];
const PRINCIPAL_KEYS = ['aws:principalarn'];

/** Every principal the statement applies to, as `*` or ARNs. */
function principals(p: unknown): string[] {
  if (p === '*') return ['*'];
  if (p && typeof p === 'object') return list((p as Record<string, unknown>).AWS);
  return [];
}

/**
 * Judges a bucket policy against seed 000: "BucketPolicy blocks s3:DeleteObjectVersion except via
 * break-glass role". Pass: a Deny of s3:DeleteObjectVersion on the bucket's objects for every
 * principal, whose only exemption (`aws:PrincipalArn` under ArnNotEquals/ArnNotLike/
 * StringNotEquals/StringNotLike, or NotPrincipal) is the break-glass role. No such Deny fails;
 * another or a further exempted principal fails; a deny without exemption, a condition drkit does
 * not read, or no configured role to compare with warns.
 */
export function judgeDeletePolicy(
  bucket: string,
  policyJson: string | undefined,
  breakGlassRoleArn: string | undefined,
): DeletePolicyVerdict {
  if (!policyJson)
    return {
      status: 'fail',
      value: 'no bucket policy',
      reason:
        'nothing denies s3:DeleteObjectVersion: any principal allowed it by IAM can erase versions for good',
    };
  let doc: { Statement?: Statement | Statement[] };
  try {
    doc = JSON.parse(policyJson) as typeof doc;
  } catch {
    return {
      status: 'fail',
      value: 'policy is not JSON',
      reason: 'the bucket policy could not be read',
    };
  }
  const statements = Array.isArray(doc.Statement)
    ? doc.Statement
    : doc.Statement
      ? [doc.Statement]
      : [];
  const objects = `arn:aws:s3:::${bucket}/*`;
  const denies = statements.filter(
    (s) =>
      s.Effect === 'Deny' &&
      list(s.Action).some((a) => like(a, 's3:DeleteObjectVersion')) &&
      list(s.Resource).some((r) => like(r, objects) || like(r, `arn:aws:s3:::${bucket}/anykey`)) &&
      (principals(s.Principal).includes('*') || s.NotPrincipal !== undefined),
  );
  if (denies.length === 0)
    return {
      status: 'fail',
      value: `${statements.length} statement(s), none denies s3:DeleteObjectVersion to every principal on ${objects}`,
      reason:
        'seed 000: the policy must block s3:DeleteObjectVersion except via the break-glass role',
    };
  const verdicts = denies.map((s) => judgeOne(s, breakGlassRoleArn));
  return (
    verdicts.find((v) => v.status === 'pass') ??
    verdicts.find((v) => v.status === 'warn') ??
    verdicts[0]!
  );
}

function judgeOne(s: Statement, role: string | undefined): DeletePolicyVerdict {
  const sid = s.Sid ? `statement ${s.Sid}` : 'a Deny statement';
  const exempt: string[] = principals(s.NotPrincipal);
  const unread: string[] = [];
  for (const [op, keys] of Object.entries(s.Condition ?? {})) {
    for (const [key, v] of Object.entries(keys)) {
      if (EXEMPT_OPERATORS.includes(op) && PRINCIPAL_KEYS.includes(key.toLowerCase()))
        exempt.push(...list(v));
      else unread.push(`${op} ${key}`);
    }
  }
  if (unread.length)
    return {
      status: 'warn',
      value: `${sid} denies s3:DeleteObjectVersion under conditions drkit does not read: ${unread.join(', ')}`,
      reason: 'not checked: whether the deny holds depends on those conditions',
    };
  if (exempt.length === 0)
    return {
      status: 'warn',
      value: `${sid} denies s3:DeleteObjectVersion to everyone`,
      reason:
        'versions are safe, but no break-glass role can remove one (seed 000: except via the break-glass role)',
    };
  const shown = `${sid} denies s3:DeleteObjectVersion except to ${exempt.join(', ')}`;
  if (!role)
    return {
      status: 'warn',
      value: shown,
      reason:
        'not checked: aws.s3.breakGlassRoleArn is not set, so the exemption cannot be compared',
    };
  // a wildcard that also covers the role still exempts others: only the exact ARN passes
  const others = exempt.filter((e) => e !== role);
  if (others.length)
    return {
      status: 'fail',
      value: shown,
      reason: `exempts more than the break-glass role ${role}: ${others.join(', ')}`,
    };
  return {
    status: 'pass',
    value: shown,
    reason: 'seed 000: only the break-glass role may delete versions',
  };
}
