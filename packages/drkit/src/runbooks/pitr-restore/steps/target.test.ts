import { describe, expect, it } from 'vitest';
import { OutOfWindowError, UsageError } from '../../../engine/errors.js';
import type { StepContext } from '../../../engine/step.js';
import type { Database } from '../../../ports/database.js';
import { parseTarget, type PitrDeps, type PitrState } from '../context.js';
import { preflight } from './preflight.js';
import { restoreToTime } from './restore-to-time.js';

/**
 * A stub of the READ calls preflight and the restore plan make (named as a stub: the real
 * adapters are exercised against PostgreSQL/pgBackRest and moto in pitr-restore*.int.test.ts).
 */
function stubDeps(): PitrDeps {
  const database = {
    kind: 'stub',
    capabilities: new Set(['pitr']),
    describe: async (id: string) => ({ id }),
    recoverableWindow: async () => ({
      earliest: new Date('2026-12-01T03:00:00Z'),
      latest: new Date('2026-12-01T05:00:00Z'),
    }),
    planRestoreToTime: async () => ['stub: restore'],
  } as unknown as Database;
  return { database, secrets: {}, notifier: {}, connect: async () => ({}) } as unknown as PitrDeps;
}

function ctx(target: string, dryRun = false): StepContext<PitrState> {
  return {
    state: {
      source: 'region-a',
      target,
      newClusterId: 'dr-x',
      appConfigSecret: 'drkit/app',
      reason: 'r',
      declaredAt: 'resumed', // skip the free-id check
    } as PitrState,
    executionId: 'e',
    dryRun,
    signal: new AbortController().signal,
    progress: () => {},
  };
}

describe('RB-N-02 restore target', () => {
  it('parses a short UTC offset (+00) to the right instant, never NaN', () => {
    const t = parseTarget('2026-12-01T04:00:00+00');
    expect(t).toBeInstanceOf(Date);
    expect((t as Date).toISOString()).toBe('2026-12-01T04:00:00.000Z');
    expect((parseTarget('2026-12-01T06:00:00+02') as Date).toISOString()).toBe(
      '2026-12-01T04:00:00.000Z',
    );
  });

  it('preflight refuses a malformed target (an older journal’s text) instead of passing NaN', async () => {
    await expect(preflight(stubDeps()).run(ctx('2026-12-01T04:00:00+0'))).rejects.toThrow(
      UsageError,
    );
    await expect(preflight(stubDeps()).run(ctx('yesterday'))).rejects.toThrow(UsageError);
  });

  it('preflight refuses a +00 target outside the window and accepts one inside', async () => {
    await expect(preflight(stubDeps()).run(ctx('2026-12-01T08:00:00+00'))).rejects.toThrow(
      OutOfWindowError,
    );
    await expect(preflight(stubDeps()).run(ctx('2026-12-01T04:00:00+00'))).resolves.toEqual({});
  });

  it('the dry run refuses a target outside the window, as the run does', async () => {
    const step = restoreToTime(stubDeps());
    await expect(step.plan(ctx('9999-12-31T23:59:59Z', true))).rejects.toThrow(
      /outside the recoverable window/,
    );
    await expect(step.plan(ctx('2026-12-01T04:00:00Z', true))).resolves.toHaveLength(1);
    await expect(step.plan(ctx('latest', true))).resolves.toHaveLength(1);
  });
});
