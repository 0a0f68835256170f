import { describe, expect, it } from 'vitest';
import { UsageError } from '../../engine/errors.js';
import { parseRestoreManifest } from './manifest.js';

describe('parseRestoreManifest', () => {
  it('GIVEN a header, comments, blanks and quoted keys THEN entries in order', () => {
    const text =
      'key,versionId\n# restore list\n\npath/a.jpg,v1\r\n"path/with,comma.jpg",v2\n"say ""hi"".txt", v3\n';
    expect(parseRestoreManifest(text)).toEqual([
      { key: 'path/a.jpg', versionId: 'v1' },
      { key: 'path/with,comma.jpg', versionId: 'v2' },
      { key: 'say "hi".txt', versionId: 'v3' },
    ]);
  });

  it('GIVEN bad lines THEN a UsageError naming them', () => {
    expect(() => parseRestoreManifest('a,v1\nb\nc,v2,x\n"open,v3')).toThrow(UsageError);
    expect(() => parseRestoreManifest('a,v1\nb\n')).toThrow(/line 2: expected key,versionId/);
  });

  it('GIVEN a key listed twice THEN refused', () => {
    expect(() => parseRestoreManifest('a,v1\na,v2')).toThrow(/already listed on line 1/);
  });
});
