/**
 * Keeps secret values out of journals and output. Two nets: keys that name a secret
 * (`password`, `token`, `secretAccessKey`…) have their value replaced whatever it is, and every
 * value a secret store handed out under such a key (see {@link rememberSecretValues}) is
 * replaced wherever it appears, inside any string, under any key.
 */

/** What a secret value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Keys whose value is a secret. Names OF secrets (`appConfigSecret`, `rotateSecrets`) are not
 * secrets and must survive: resume reads them back from the journal.
 */
const SECRET_KEY =
  /^(?:.*password|passwd|pwd|pgpassword|secret_?string|secret_?binary|client_?secret|.*token|api_?key|x-api-key|secret_?access_?key|aws_secret_access_key|private_?key|credentials?|authorization|cookie|connection_?string)$/i;

/** Shorter values would redact ordinary words and numbers. */
const MIN_VALUE_LENGTH = 6;

const known = new Set<string>();

/** True when `key` names a secret value. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/** Remembers one secret value so {@link redact} removes it wherever it appears. */
export function rememberSecret(value: string): void {
  if (value.length >= MIN_VALUE_LENGTH) known.add(value);
}

/**
 * Remembers the secret-looking values of something read from a secret store: every string
 * under a secret key, at any depth (the other fields — host, port, flags — are configuration).
 */
export function rememberSecretValues(value: unknown): void {
  walk(value, (k, v) => {
    if (typeof v === 'string' && isSecretKey(k)) rememberSecret(v);
  });
}

/** Forgets every remembered value (tests). */
export function forgetSecrets(): void {
  known.clear();
}

/** A deep copy of `value` with secrets replaced by {@link REDACTED}. */
export function redact<T>(value: T): T {
  return redactAny(value, undefined, new WeakSet()) as T;
}

function redactAny(v: unknown, key: string | undefined, seen: WeakSet<object>): unknown {
  if (key !== undefined && isSecretKey(key) && v !== null && v !== undefined && v !== '')
    return REDACTED;
  if (typeof v === 'string') return redactString(v);
  if (typeof v !== 'object' || v === null) return v;
  if (seen.has(v)) return '[circular]';
  seen.add(v);
  if (Array.isArray(v)) return v.map((x) => redactAny(x, undefined, seen));
  if (v instanceof Date) return v;
  if (v instanceof Error) {
    return { name: v.name, message: redactString(v.message) };
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = redactAny(x, k, seen);
  return out;
}

/** Replaces remembered values and the password of any `scheme://user:password@host` URL. */
export function redactString(s: string): string {
  let out = s.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:)([^@\s]+)(@)/gi, `$1${REDACTED}$3`);
  for (const secret of known) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

function walk(v: unknown, visit: (key: string, value: unknown) => void, depth = 0): void {
  if (typeof v !== 'object' || v === null || depth > 20) return;
  if (Array.isArray(v)) {
    for (const x of v) walk(x, visit, depth + 1);
    return;
  }
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    visit(k, x);
    walk(x, visit, depth + 1);
  }
}
