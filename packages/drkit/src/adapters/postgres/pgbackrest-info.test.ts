import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../engine/errors.js';
import {
  computeWindow,
  earliestRecoverable,
  formatWindow,
  parsePgBackRestInfo,
} from './pgbackrest-info.js';

// Recorded from a real run: pgBackRest 2.45, PostgreSQL 15, one full + diff + incr backup.
const SAMPLE = readFileSync(
  new URL('./fixtures/pgbackrest-info-2.45.json', import.meta.url),
  'utf8',
);

describe('parsePgBackRestInfo', () => {
  it('lists valid backups oldest first with types, times and sizes', () => {
    const info = parsePgBackRestInfo(SAMPLE, 's1');
    expect(info.statusCode).toBe(0);
    expect(info.backups.map((b) => b.type)).toEqual(['full', 'diff', 'incr']);
    expect(info.backups[0]).toMatchObject({
      label: '20261122-015247F',
      startedAt: new Date(1795312367 * 1000),
      stoppedAt: new Date(1795312369 * 1000),
      walStart: '000000010000000000000002',
    });
    expect(info.backups[0]!.sizeBytes).toBeGreaterThan(0);
    expect(info.backups[1]!.prior).toBe('20261122-015247F');
    expect(info.archive).toEqual({
      min: '000000010000000000000001',
      max: '000000010000000000000007',
    });
  });

  it('skips backups flagged as errors', () => {
    const raw = JSON.parse(SAMPLE) as Array<{ backup: Array<{ error: boolean }> }>;
    raw[0]!.backup[0]!.error = true;
    const info = parsePgBackRestInfo(JSON.stringify(raw), 's1');
    expect(info.backups.map((b) => b.type)).toEqual(['diff', 'incr']);
  });

  it('reports a missing stanza path with status code 1', () => {
    const missing =
      '[{"archive":[],"backup":[],"cipher":"none","db":[],"name":"nope","repo":[{"cipher":"none","key":1,"status":{"code":1,"message":"missing stanza path"}}],"status":{"code":1,"lock":{"backup":{"held":false}},"message":"missing stanza path"}}]';
    const info = parsePgBackRestInfo(missing, 'nope');
    expect(info.statusCode).toBe(1);
    expect(info.backups).toEqual([]);
    expect(info.archive).toBeUndefined();
  });

  it('throws NotFoundError when the stanza is not in the output', () => {
    expect(() => parsePgBackRestInfo(SAMPLE, 'other')).toThrow(NotFoundError);
  });
});

describe('recoverable window', () => {
  const info = parsePgBackRestInfo(SAMPLE, 's1');

  it('starts one second after the oldest backup stop (pgBackRest truncates to seconds)', () => {
    expect(earliestRecoverable(info)).toEqual(new Date((1795312369 + 1) * 1000));
  });

  it('combines earliest with a latest bound', () => {
    const latest = new Date(1795312400 * 1000);
    const w = computeWindow(info, latest)!;
    expect(w).toEqual({ earliest: new Date(1795312370 * 1000), latest });
    expect(formatWindow(w)).toBe('2026-11-22T01:52:50.000Z … 2026-11-22T01:53:20.000Z');
  });

  it('is undefined without backups or when latest precedes earliest', () => {
    expect(computeWindow({ ...info, backups: [] }, new Date())).toBeUndefined();
    expect(computeWindow(info, new Date(1795312369 * 1000))).toBeUndefined();
  });
});
