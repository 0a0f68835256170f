import { Errors } from 'typesense';
import { DrError, NotFoundError, PreconditionError } from '../../engine/errors.js';

/** The HTTP status of a Typesense client error, `undefined` when no answer came back. */
export function httpStatus(err: unknown): number | undefined {
  return err instanceof Errors.TypesenseError ? err.httpStatus : undefined;
}

/**
 * Translates a Typesense client error into the catalogue: 401 → ACCESS_DENIED, 404 →
 * NotFoundError, 409 → PreconditionError, 503 → retryable THROTTLED, no answer at all →
 * retryable EXTERNAL ("unreachable"), anything else → EXTERNAL.
 */
export function translateTypesenseError(err: unknown, what: string, endpoint: string): DrError {
  if (err instanceof DrError) return err;
  const status = httpStatus(err);
  const msg = err instanceof Error ? err.message : String(err);
  if (status === 401 || status === 403) {
    return new DrError('ACCESS_DENIED', `${what}: Typesense at ${endpoint} refused the API key`, {
      hint: 'check search.apiKey in the config (the admin key the server was started with)',
      cause: err,
    });
  }
  if (status === 404) return new NotFoundError(`${what}: not found (${msg})`, { cause: err });
  if (status === 409) return new PreconditionError(`${what}: ${msg}`, { cause: err });
  if (status === 503) {
    return new DrError('THROTTLED', `${what}: Typesense is not ready or lagging (503)`, {
      retryable: true,
      cause: err,
    });
  }
  if (status === undefined) {
    return new DrError('EXTERNAL', `${what}: Typesense at ${endpoint} is unreachable (${msg})`, {
      retryable: true,
      hint: 'is the search cluster up? `drkit lab up` starts the lab one; check search.url',
      cause: err,
    });
  }
  return new DrError('EXTERNAL', `${what}: Typesense answered HTTP ${status}: ${msg}`, {
    cause: err,
    retryable: status >= 500,
  });
}
