import { describe, expect, it } from 'vitest';
import { KeyGrouper } from './s3-key-grouper.js';
import type { HistoryEntry } from './s3-restore-plan.js';

const e = (key: string, versionId: string, marker = false): HistoryEntry => ({
  key,
  versionId,
  lastModified: new Date(0),
  isLatest: false,
  marker,
});
const keysOf = (out: Array<[string, HistoryEntry[]]>) =>
  out.map(([k, h]) => `${k}:${h.map((x) => x.versionId).join('+')}`);

describe('KeyGrouper', () => {
  it('GIVEN a delete marker last on one page and the version it hides on the next THEN planned together', () => {
    const g = new KeyGrouper();
    // a page lists versions and markers apart: the marker of b is the page's last entry
    expect(keysOf(g.feed([e('a', 'a1'), e('b', 'bm', true)], false))).toEqual(['a:a1']);
    expect(keysOf(g.feed([e('b', 'b1'), e('c', 'c1')], false))).toEqual(['b:bm+b1']);
    expect(keysOf(g.feed([e('c', 'cm', true)], false))).toEqual([]);
    expect(keysOf(g.feed([e('c', 'c0')], true))).toEqual(['c:c1+cm+c0']);
  });

  it('GIVEN a page of another key after an open key THEN the open key completes first', () => {
    const g = new KeyGrouper();
    expect(keysOf(g.feed([e('a', '1')], false))).toEqual([]);
    expect(keysOf(g.feed([e('c', '1'), e('b', '1')], true))).toEqual(['a:1', 'b:1', 'c:1']);
  });

  it('GIVEN a page that goes back in key order THEN refused', () => {
    const g = new KeyGrouper();
    g.feed([e('a', '1'), e('m', '1')], false);
    expect(() => g.feed([e('b', '1')], true)).toThrow(/went back in key order/);
  });

  it('GIVEN keys beyond the BMP THEN S3 (UTF-8) order, not UTF-16', () => {
    const g = new KeyGrouper();
    // U+FF5E sorts after U+1F600 in UTF-16 code units but before it in UTF-8 bytes
    expect(keysOf(g.feed([e('\u{1F600}', '1'), e('\uFF5E', '1')], true))).toEqual([
      '\uFF5E:1',
      '\u{1F600}:1',
    ]);
  });
});
