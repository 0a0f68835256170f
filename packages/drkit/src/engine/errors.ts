/**
 * The one catalogue of drkit errors. Adapters translate SDK errors, `pg_*` and pgBackRest exit
 * codes into these; the CLI prints `message`, then `hint`, and exits with {@link exitCodeFor}.
 */
export type ErrorCode =
  | 'USAGE'
  | 'CONFIG'
  | 'NOT_FOUND'
  | 'PRECONDITION'
  | 'OUT_OF_WINDOW'
  | 'CAPABILITY'
  | 'TIMEOUT'
  | 'CONFLICT'
  | 'ACCESS_DENIED'
  | 'THROTTLED'
  | 'DEPENDENCY_MISSING'
  | 'ABORTED'
  | 'VALIDATION_FAILED'
  | 'EXTERNAL';

/** Options shared by every {@link DrError}. */
export interface DrErrorOptions {
  /** What the user can do about it, printed after the message. */
  readonly hint?: string;
  /** Whether the engine may retry the step that raised it. @default false */
  readonly retryable?: boolean;
  /** The underlying error. */
  readonly cause?: unknown;
  /** Structured facts for `--json` output (never secrets). */
  readonly details?: Record<string, unknown>;
}

/** Base class of every error drkit raises on purpose. */
export class DrError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly retryable: boolean;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, opts: DrErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = opts.hint;
    this.retryable = opts.retryable ?? false;
    this.details = opts.details;
  }

  /** A plain object for `--json` output and the journal. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      hint: this.hint,
      retryable: this.retryable,
      details: this.details,
    };
  }
}

/** The user asked for something malformed (bad flag, bad timestamp, unknown name). */
export class UsageError extends DrError {
  constructor(message: string, opts: DrErrorOptions = {}) {
    super('USAGE', message, opts);
  }
}

/** The configuration file is invalid. */
export class ConfigError extends DrError {
  constructor(message: string, opts: DrErrorOptions = {}) {
    super('CONFIG', message, opts);
  }
}

/** A named thing (cluster, stanza, bucket, execution) does not exist. */
export class NotFoundError extends DrError {
  constructor(message: string, opts: DrErrorOptions = {}) {
    super('NOT_FOUND', message, opts);
  }
}

/** The world is not in the state the operation needs (port in use, healthy primary, …). */
export class PreconditionError extends DrError {
  constructor(message: string, opts: DrErrorOptions = {}) {
    super('PRECONDITION', message, opts);
  }
}

/** A restore target lies outside the recoverable window. */
export class OutOfWindowError extends DrError {
  constructor(message: string, opts: DrErrorOptions = {}) {
    super('OUT_OF_WINDOW', message, opts);
  }
}

/** A runbook needs a capability the bound adapter does not declare. */
export class CapabilityError extends DrError {
  constructor(message: string, opts: DrErrorOptions = {}) {
    super('CAPABILITY', message, opts);
  }
}

/** A step (or a wait inside one) ran past its timeout. */
export class StepTimeoutError extends DrError {
  constructor(message: string, opts: DrErrorOptions = {}) {
    super('TIMEOUT', message, { retryable: true, ...opts });
  }
}

/** Another execution holds the lock on the same target. */
export class ConflictError extends DrError {
  constructor(message: string, opts: DrErrorOptions = {}) {
    super('CONFLICT', message, opts);
  }
}

/** A program drkit drives (pgBackRest, HAProxy, the moto server) is not installed. */
export class DependencyMissingError extends DrError {
  constructor(message: string, opts: DrErrorOptions = {}) {
    super('DEPENDENCY_MISSING', message, opts);
  }
}

/** The user declined a destructive step, or the run was interrupted. */
export class AbortedError extends DrError {
  constructor(message: string, opts: DrErrorOptions = {}) {
    super('ABORTED', message, opts);
  }
}

/** Data validation found a difference between source and target. */
export class ValidationFailedError extends DrError {
  constructor(message: string, opts: DrErrorOptions = {}) {
    super('VALIDATION_FAILED', message, opts);
  }
}

/**
 * Process exit codes, one per error code, so scripts can branch on them.
 * 0 success, 1 unexpected, 2 usage/config.
 */
const EXIT_CODES: Record<ErrorCode, number> = {
  USAGE: 2,
  CONFIG: 2,
  NOT_FOUND: 3,
  PRECONDITION: 4,
  OUT_OF_WINDOW: 4,
  CAPABILITY: 5,
  TIMEOUT: 6,
  CONFLICT: 7,
  ACCESS_DENIED: 8,
  THROTTLED: 9,
  DEPENDENCY_MISSING: 10,
  ABORTED: 130,
  VALIDATION_FAILED: 11,
  EXTERNAL: 12,
};

/** The exit code the CLI uses for an error (1 for anything not a {@link DrError}). */
export function exitCodeFor(err: unknown): number {
  return err instanceof DrError ? EXIT_CODES[err.code] : 1;
}

/** Table of exit codes for `--help` texts. */
export function exitCodeTable(): ReadonlyArray<readonly [ErrorCode, number]> {
  return Object.entries(EXIT_CODES) as Array<[ErrorCode, number]>;
}
