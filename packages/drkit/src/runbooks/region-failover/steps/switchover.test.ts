import { describe, expect, it } from 'vitest';
import { PreconditionError } from '../../../engine/errors.js';
import type { Database, StandbyLag } from '../../../ports/database.js';
import { runStep } from '../../../testing/run-step.js';
import type { RegionDeps, RegionState } from '../context.js';
import { checkStandbyReady } from './switchover.js';

/** A database whose replication view of `region-a` answers `states` in turn (the last repeats). */
function depsAnswering(states: ReadonlyArray<string | undefined>): {
  deps: RegionDeps;
  asked: () => number;
} {
  let n = 0;
  const database = {
    kind: 'fake',
    capabilities: new Set(['switchover', 'replication-status', 'promote']),
    replication: async () => {
      const state = states[Math.min(n++, states.length - 1)];
      const standbys: StandbyLag[] = state
        ? [{ name: 'region-b', state, syncState: 'async', lagBytes: 0, replayLagSeconds: null }]
        : [];
      return { primary: 'region-a', currentLsn: '0/1', synchronousStandbyNames: '', standbys };
    },
  } as unknown as Database;
  return { deps: { database } as unknown as RegionDeps, asked: () => n };
}

const state = { fromCluster: 'region-a', toCluster: 'region-b' } as RegionState;

describe('check-standby-ready', () => {
  it('waits while a just-rebuilt standby is in catchup, then passes once it streams', async () => {
    const { deps, asked } = depsAnswering(['catchup', 'catchup', 'streaming']);
    await runStep(checkStandbyReady(deps), state);
    expect(asked()).toBe(3);
  });

  it('fails at once, with the hint, when the standby is not connected at all', async () => {
    const { deps, asked } = depsAnswering([undefined]);
    const err = await runStep(checkStandbyReady(deps), state).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreconditionError);
    expect((err as Error).message).toBe('region-b does not stream from region-a (not connected)');
    expect(asked()).toBe(1);
  });
});
