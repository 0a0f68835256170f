import { describe, expect, it } from 'vitest';
import type { DelayedStandbyStatus } from '../../../ports/database.js';
import { pickPath } from './choose-path.js';

const earliest = new Date('2026-12-01T10:00:00Z');
const healthy: DelayedStandbyStatus = {
  id: 'region-b-delayed',
  primary: 'region-a',
  applyDelaySeconds: 3600,
  running: true,
  paused: false,
  streaming: true,
  lastReplayedCommitAt: earliest,
  replayLagSeconds: 3600,
  window: { earliest, latest: new Date('2026-12-01T11:00:00Z') },
  healthy: true,
};

describe('RB-N-02 path choice', () => {
  it('GIVEN a target in the unapplied window WHEN auto THEN the delayed standby, saying why', () => {
    const c = pickPath(new Date('2026-12-01T10:50:00Z'), 'auto', [healthy]);
    expect(c.path).toBe('delayed-standby');
    expect(c.standby?.id).toBe('region-b-delayed');
    expect(c.reason).toMatch(
      /lies in 'region-b-delayed''s unapplied window \(2026-12-01T10:00:00.000Z … now/,
    );
  });

  it('GIVEN the last replayed commit itself WHEN auto THEN still the fast path (inclusive)', () => {
    expect(pickPath(earliest, 'auto', [healthy]).path).toBe('delayed-standby');
  });

  it('GIVEN a target before the window WHEN auto THEN classic, naming the replay point', () => {
    const c = pickPath(new Date('2026-12-01T09:59:59Z'), 'auto', [healthy]);
    expect(c.path).toBe('classic');
    expect(c.reason).toMatch(
      /outside 'region-b-delayed''s window: it already replayed up to 2026-12-01T10:00:00.000Z/,
    );
  });

  it('GIVEN an unhealthy standby THEN classic with its problem', () => {
    const down = { ...healthy, healthy: false, problem: "'region-b-delayed' is not running" };
    delete (down as { window?: unknown }).window;
    const c = pickPath(new Date('2026-12-01T10:50:00Z'), 'auto', [down]);
    expect(c).toEqual({
      path: 'classic',
      reason: "delayed standby 'region-b-delayed' is unusable: 'region-b-delayed' is not running",
    });
  });

  it('GIVEN latest, none, a backend without the capability, or path=classic THEN classic', () => {
    expect(pickPath('latest', 'auto', [healthy]).reason).toMatch(/target is 'latest'/);
    expect(pickPath(earliest, 'auto', []).reason).toBe('no delayed standby of the source');
    expect(pickPath(earliest, 'auto', 'aws-rds has no delayed standby').reason).toBe(
      'aws-rds has no delayed standby',
    );
    expect(pickPath(earliest, 'classic', [healthy]).reason).toBe('path=classic requested');
  });
});
