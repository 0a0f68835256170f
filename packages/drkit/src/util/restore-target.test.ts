import { describe, expect, it } from 'vitest';
import { UsageError } from '../engine/errors.js';
import { formatPgTarget, parseRestoreTarget } from './restore-target.js';

describe('parseRestoreTarget', () => {
  it.each([
    ['2024-05-01T10:00:00Z', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T10:00:00.123456Z', '2024-05-01T10:00:00.123Z'],
    ['2024-05-01 12:00:00+02:00', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T05:30:00-0430', '2024-05-01T10:00:00.000Z'],
    ['2024-05-01T12:00+02', '2024-05-01T10:00:00.000Z'],
    ['2024-02-29T00:00:00z', '2024-02-29T00:00:00.000Z'],
  ])('accepts %s', (text, iso) => {
    expect((parseRestoreTarget(text) as Date).toISOString()).toBe(iso);
  });

  it('accepts latest', () => {
    expect(parseRestoreTarget(' latest ')).toBe('latest');
  });

  it.each([
    '2024-05-01T10:00:00', // no zone: would silently mean local time
    '2024-05-01',
    'yesterday',
    '1714557600',
    '2024-13-01T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '2024-05-01T24:00:00Z',
    '2024-05-01T10:00:00+15:00',
    '',
  ])('rejects %j with UsageError', (text) => {
    expect(() => parseRestoreTarget(text)).toThrow(UsageError);
    expect(() => parseRestoreTarget(text)).toThrow(/malformed restore target/);
  });

  it('formats targets for PostgreSQL in explicit UTC', () => {
    expect(formatPgTarget(new Date('2024-05-01T10:00:00.120Z'))).toBe('2024-05-01 10:00:00.120+00');
  });
});
