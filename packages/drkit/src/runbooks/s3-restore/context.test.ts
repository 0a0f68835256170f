import { describe, expect, it } from 'vitest';
import { UsageError } from '../../engine/errors.js';
import { cdnPaths, restorePoint, type S3RestoreState } from './context.js';
import { S3RestoreParamsSchema } from './params.js';

const state = (extra: Record<string, unknown>) =>
  S3RestoreParamsSchema.parse({
    bucket: 'media-originals-prod',
    at: '2025-11-06T12:30:00Z',
    ...extra,
  }) as S3RestoreState;

describe('RB-N-03 helpers', () => {
  it('GIVEN changed keys THEN URL-encoded CDN paths under the prefix; GIVEN the wildcard flag THEN one prefix path', () => {
    expect(cdnPaths({ ...state({}), changedKeys: ['path/to/object.jpg', 'a b/é.jpg'] })).toEqual([
      '/path/to/object.jpg',
      '/a%20b/%C3%A9.jpg',
    ]);
    expect(
      cdnPaths({ ...state({ prefix: 'img/', cdnPathPrefix: '/media' }), invalidateWildcard: true }),
    ).toEqual(['/media/img/*']);
  });

  it('GIVEN an instant without a zone, a bad one, or one in the future THEN UsageError', () => {
    expect(restorePoint(state({})).toISOString()).toBe('2025-11-06T12:30:00.000Z');
    expect(() => restorePoint(state({ at: '2025-11-06T12:30:00' }))).toThrow(UsageError);
    expect(() => restorePoint(state({ at: 'yesterday' }))).toThrow(UsageError);
    expect(() =>
      restorePoint(state({ at: new Date(Date.now() + 3_600_000).toISOString() })),
    ).toThrow(/in the future/);
  });
});
