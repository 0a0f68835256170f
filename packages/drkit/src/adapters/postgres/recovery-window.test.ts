import { describe, expect, it } from 'vitest';
import { OutOfWindowError } from '../../engine/errors.js';
import { assertInWindow, lastXactTimeMicros, previousSegment } from './recovery-window.js';

describe('lastXactTimeMicros', () => {
  it('finds the last commit/abort in pg_waldump output', () => {
    const out = [
      'rmgr: Heap        len (rec/tot):     59/    59, tx:        725, lsn: 0/03027A80, prev 0/03027928, desc: INSERT off 2',
      'rmgr: Transaction len (rec/tot):     34/    34, tx:        725, lsn: 0/03027AC0, prev 0/03027928, desc: COMMIT 2026-11-22 01:52:54.650353 UTC',
      'rmgr: Transaction len (rec/tot):     34/    34, tx:        726, lsn: 0/03027AE8, prev 0/03027AC0, desc: ABORT 2026-11-22 01:52:55.5 UTC',
      'rmgr: XLOG        len (rec/tot):     24/    24, tx:          0, lsn: 0/03027B10, prev 0/03027AE8, desc: SWITCH',
    ].join('\n');
    expect(lastXactTimeMicros(out)).toBe(
      BigInt(Date.parse('2026-11-22T01:52:55Z')) * 1000n + 500000n,
    );
    expect(lastXactTimeMicros('desc: CHECKPOINT_ONLINE')).toBeUndefined();
  });
});

describe('previousSegment', () => {
  it('steps back within and across log ids', () => {
    expect(previousSegment('000000010000000000000007')).toBe('000000010000000000000006');
    expect(previousSegment('000000020000000100000000')).toBe('0000000200000000000000FF');
    expect(previousSegment('000000010000000000000000')).toBeUndefined();
  });
});

describe('assertInWindow', () => {
  const w = {
    earliest: new Date('2024-05-01T10:00:00Z'),
    latest: new Date('2024-05-01T12:00:00Z'),
  };
  it('accepts the bounds and refuses outside them, printing the window', () => {
    expect(() => assertInWindow(w.earliest, w, 'a')).not.toThrow();
    expect(() => assertInWindow(w.latest, w, 'a')).not.toThrow();
    expect(() => assertInWindow(new Date('2024-05-01T09:59:59Z'), w, 'a')).toThrow(
      OutOfWindowError,
    );
    expect(() => assertInWindow(new Date('2024-05-01T12:00:01Z'), w, 'a')).toThrow(
      /after the latest recoverable time.*2024-05-01T10:00:00.000Z … 2024-05-01T12:00:00.000Z/,
    );
  });
});
