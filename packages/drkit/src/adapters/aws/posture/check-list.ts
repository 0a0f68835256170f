import type { CheckStatus, PostureCheck } from '../../../ports/posture.js';

/**
 * The checks of one subject, collected in order. `guard` turns a failure to read into a failed
 * check with the error (a posture that cannot be read is not a posture that holds);
 * `notChecked` is the warn for what the endpoint does not tell, never a pass.
 */
export class CheckList {
  readonly checks: PostureCheck[] = [];

  add(id: string, subject: string, status: CheckStatus, value: string, reason: string): void {
    this.checks.push({ id, subject, status, value, reason });
  }

  /** A warn: `not checked: <why>`. */
  notChecked(id: string, subject: string, why: string, value = 'unknown'): void {
    this.add(id, subject, 'warn', value, `not checked: ${why}`);
  }

  /** Runs `f`; a throw becomes a failed `id` check on `subject` with the error's message. */
  async guard(id: string, subject: string, f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (err) {
      this.add(
        id,
        subject,
        'fail',
        'could not be read',
        err instanceof Error ? err.message : String(err),
      );
    }
  }
}

/** `3.2 h`, `41.0 s`: an age as a person reads it. */
export function age(ms: number): string {
  return ms >= 3_600_000 ? `${(ms / 3_600_000).toFixed(1)} h` : `${(ms / 1000).toFixed(1)} s`;
}
