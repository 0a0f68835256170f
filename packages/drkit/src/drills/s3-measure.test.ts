import { describe, expect, it } from 'vitest';
import type { VersionEntry } from '../ports/object-store.js';
import {
  diffStates,
  measureS3Loss,
  restorePointAfter,
  versionsAt,
  type S3WriteAck,
} from './s3-measure.js';

const ack = (seq: number, key: string, sha: string, at: string): S3WriteAck => ({
  seq,
  key,
  versionId: `v${seq}`,
  sha256: sha,
  op: 'overwrite',
  sentAt: at,
  at,
});
const entry = (key: string, versionId: string, at: string, isLatest = false): VersionEntry => ({
  key,
  versionId,
  lastModified: new Date(at),
  isLatest,
});

describe('S3 drill measurement', () => {
  const t0 = new Date('2026-11-22T10:00:10.000Z');
  const acks = [
    ack(1, 'a', 'a1', '2026-11-22T10:00:01.000Z'),
    ack(2, 'a', 'a2', '2026-11-22T10:00:02.000Z'), // the state of a at T
    ack(3, 'a', 'a3', '2026-11-22T10:00:06.000Z'), // after T: lost
    ack(4, 'b', 'b1', '2026-11-22T10:00:07.000Z'), // a new key after T: lost
    ack(5, 'c', 'c1', '2026-11-22T10:00:03.000Z'), // kept
  ];

  it('GIVEN a key back at an earlier write THEN that write and the ones before it are kept, the later ones lost; RPO from the oldest lost ack', () => {
    const restored = new Map([
      ['a', 'a2'],
      ['c', 'c1'],
      ['seed', 's'],
    ]);
    const loss = measureS3Loss(acks, restored, t0);
    expect(loss.lostAcks.map((a) => a.seq)).toEqual([3, 4]);
    expect(loss).toMatchObject({
      acknowledged: 5,
      lost: 2,
      rpoSeconds: 4,
      oldestLostAt: '2026-11-22T10:00:06.000Z',
      newestLostAt: '2026-11-22T10:00:07.000Z',
    });
  });

  it('GIVEN the restore point T THEN RPO is the span given up: T → the newest lost ack', () => {
    const restored = new Map([
      ['a', 'a2'],
      ['c', 'c1'],
    ]);
    const T = new Date('2026-11-22T10:00:05.000Z');
    expect(measureS3Loss(acks, restored, t0, { recoveryPoint: T }).rpoSeconds).toBe(2);
  });

  it('GIVEN a key absent or holding content no write produced THEN its whole chain is lost; GIVEN nothing lost THEN RPO 0', () => {
    expect(
      measureS3Loss(
        acks,
        new Map([
          ['a', 'stale'],
          ['c', 'c1'],
        ]),
        t0,
      ).lostAcks.map((a) => a.seq),
    ).toEqual([1, 2, 3, 4]);
    const none = measureS3Loss(
      acks,
      new Map([
        ['a', 'a3'],
        ['b', 'b1'],
        ['c', 'c1'],
      ]),
      t0,
    );
    expect(none).toMatchObject({ lost: 0, rpoSeconds: 0, oldestLostAt: undefined });
  });

  it('GIVEN versions and delete markers THEN the version current at T per key; deleted-at-T and created-after-T keys are absent; ties go to IsLatest', () => {
    const T = new Date('2026-11-22T10:00:05.999Z');
    const versions = [
      entry('a', 'a-new', '2026-11-22T10:00:06.000Z', true),
      entry('a', 'a-old', '2026-11-22T10:00:02.000Z'),
      entry('b', 'b-1', '2026-11-22T10:00:01.000Z'),
      entry('c', 'c-1', '2026-11-22T10:00:09.000Z', true),
      entry('d', 'd-2', '2026-11-22T10:00:04.000Z', true),
      entry('d', 'd-1', '2026-11-22T10:00:04.000Z'),
    ];
    const markers = [entry('b', 'b-dm', '2026-11-22T10:00:03.000Z', true)];
    expect(Object.fromEntries(versionsAt(versions, markers, T))).toEqual({ a: 'a-old', d: 'd-2' });
  });

  it('GIVEN two states THEN missing, unexpected and different keys, sorted', () => {
    const d = diffStates(
      new Map([
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
      ]),
      new Map([
        ['a', '1'],
        ['c', 'x'],
        ['z', '9'],
      ]),
    );
    expect(d).toEqual({
      compared: 4,
      missing: ['b'],
      unexpected: ['z'],
      different: ['c'],
      equal: false,
    });
    expect(diffStates(new Map([['a', '1']]), new Map([['a', '1']])).equal).toBe(true);
  });

  it('GIVEN now THEN T is the last millisecond of a second after now + margin and writes resume after the next second + margin', () => {
    expect(restorePointAfter(new Date('2026-11-22T10:00:01.200Z'), 250)).toEqual({
      t: new Date('2026-11-22T10:00:01.999Z'),
      resumeAt: new Date('2026-11-22T10:00:02.250Z'),
    });
    // too close to the boundary for the margin: the next second
    expect(restorePointAfter(new Date('2026-11-22T10:00:01.900Z'), 250).t).toEqual(
      new Date('2026-11-22T10:00:02.999Z'),
    );
    expect(restorePointAfter(new Date('2026-11-22T10:00:01.000Z'), 0).t).toEqual(
      new Date('2026-11-22T10:00:01.999Z'),
    );
  });
});
