import { DrError, type ErrorCode } from './errors.js';

/** What a raw Node/OS error means for an operator, by its `code`. */
const SYSTEM_ERRORS: Readonly<Record<string, { code: ErrorCode; what: string; hint: string }>> = {
  EACCES: {
    code: 'ACCESS_DENIED',
    what: 'permission denied',
    hint: 'check the owner and mode of the path (and stateDir in the config); run as the user that owns it',
  },
  EPERM: {
    code: 'ACCESS_DENIED',
    what: 'operation not permitted',
    hint: 'this user may not do that here: check the path, its owner, and whether drkit runs as the right user',
  },
  ENOTDIR: {
    code: 'CONFIG',
    what: 'a path component is a file, not a directory',
    hint: 'check stateDir, reportsDir and the paths given on the command line',
  },
  EISDIR: {
    code: 'CONFIG',
    what: 'a directory was given where a file was expected',
    hint: 'give the path of a file',
  },
  ENOSPC: {
    code: 'EXTERNAL',
    what: 'no space left on the device',
    hint: 'free space where stateDir lives; the journal is kept, `drkit runbook resume` continues',
  },
  ECONNREFUSED: {
    code: 'EXTERNAL',
    what: 'connection refused',
    hint: 'is the service up? `drkit lab status` for the lab; check aws.endpoint for moto/AWS',
  },
  ECONNRESET: {
    code: 'EXTERNAL',
    what: 'connection reset',
    hint: 'the service went away mid-request: check it, then retry (or resume the execution)',
  },
  ETIMEDOUT: {
    code: 'EXTERNAL',
    what: 'connection timed out',
    hint: 'check the network path to the service and its address in the config',
  },
  ENOTFOUND: {
    code: 'EXTERNAL',
    what: 'host name not found',
    hint: 'check the host name (aws.endpoint, appUrl, region) and DNS',
  },
  EAI_AGAIN: {
    code: 'EXTERNAL',
    what: 'host name lookup failed (temporary)',
    hint: 'check DNS, then retry',
  },
};

/**
 * Turns a raw Node/OS error (`EACCES`, `ECONNREFUSED`, a missing binary…) into a
 * {@link DrError} with a hint and a meaningful exit code; anything else is returned as is.
 */
export function fromSystemError(err: unknown): unknown {
  if (err instanceof DrError || !(err instanceof Error)) return err;
  const e = err as NodeJS.ErrnoException;
  // net.connect to several addresses fails with an AggregateError carrying the code
  const code =
    e.code ??
    (err instanceof AggregateError
      ? (err.errors[0] as NodeJS.ErrnoException | undefined)?.code
      : undefined);
  if (!code) return err;
  if (code === 'ENOENT' && e.syscall?.startsWith('spawn')) {
    return new DrError(
      'DEPENDENCY_MISSING',
      `${e.path ?? 'a program'} is not installed or not on PATH`,
      {
        hint: 'run scripts/bootstrap (it installs PostgreSQL, pgBackRest, HAProxy and the emulators)',
        cause: err,
      },
    );
  }
  const known = SYSTEM_ERRORS[code];
  if (!known) return err;
  const where = e.path ? ` (${e.path})` : '';
  return new DrError(known.code, `${known.what}${where}: ${err.message}`, {
    hint: known.hint,
    retryable: known.code === 'EXTERNAL',
    cause: err,
    details: { errno: code, ...(e.syscall ? { syscall: e.syscall } : {}) },
  });
}
