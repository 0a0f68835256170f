import { describe, expect, it } from 'vitest';
import type { VersionEntry } from '../../ports/object-store.js';
import { planPrefixRestore } from './s3-restore-plan.js';

const T = new Date('2025-11-06T12:30:00Z');
const before = (s: number) => new Date(T.getTime() - s * 1000);
const after = (s: number) => new Date(T.getTime() + s * 1000);

/** Builds a listing from per-key histories written oldest first: `v:<etag>` or `dm`. */
function listing(keys: Record<string, Array<[string, Date]>>) {
  const versions: VersionEntry[] = [];
  const deleteMarkers: VersionEntry[] = [];
  for (const [key, hist] of Object.entries(keys)) {
    hist.forEach(([what, when], i) => {
      const isLatest = i === hist.length - 1;
      const versionId = `${key}-${i}`;
      if (what === 'dm') deleteMarkers.push({ key, versionId, lastModified: when, isLatest });
      else
        versions.push({
          key,
          versionId,
          lastModified: when,
          isLatest,
          etag: what.slice(2),
          size: 1,
        });
    });
  }
  // S3 lists newest first
  return { versions: versions.reverse(), deleteMarkers: deleteMarkers.reverse() };
}

function plan(keys: Record<string, Array<[string, Date]>>, preferCopy = false) {
  const l = listing(keys);
  return planPrefixRestore(l.versions, l.deleteMarkers, T, { preferCopy });
}

describe('planPrefixRestore', () => {
  it('GIVEN a key untouched since before T THEN nothing', () => {
    expect(plan({ a: [['v:1', before(60)]] }).actions).toEqual([
      { kind: 'none', key: 'a', reason: 'unchanged' },
    ]);
  });

  it('GIVEN a key overwritten after T THEN copy the version at T over the latest', () => {
    const p = plan({
      a: [
        ['v:1', before(60)],
        ['v:2', before(10)],
        ['v:3', after(10)],
      ],
    });
    expect(p.actions).toEqual([
      { kind: 'copy', key: 'a', versionId: 'a-1', reason: 'overwritten-after-t' },
    ]);
  });

  it('GIVEN a key deleted after T (only delete markers above) THEN remove those markers', () => {
    const p = plan({
      a: [
        ['v:1', before(60)],
        ['dm', after(10)],
        ['dm', after(20)],
      ],
    });
    expect(p.actions).toEqual([
      {
        kind: 'remove-delete-markers',
        key: 'a',
        versionId: 'a-0',
        deleteMarkerVersionIds: ['a-2', 'a-1'],
        reason: 'deleted-after-t',
      },
    ]);
  });

  it('GIVEN a key deleted after T and preferCopy THEN copy instead', () => {
    const p = plan(
      {
        a: [
          ['v:1', before(60)],
          ['dm', after(10)],
        ],
      },
      true,
    );
    expect(p.actions).toEqual([
      { kind: 'copy', key: 'a', versionId: 'a-0', reason: 'deleted-after-t' },
    ]);
  });

  it('GIVEN overwritten then deleted after T THEN copy (a marker removal would revive the wrong version)', () => {
    const p = plan({
      a: [
        ['v:1', before(60)],
        ['v:2', after(5)],
        ['dm', after(10)],
      ],
    });
    expect(p.actions).toEqual([
      { kind: 'copy', key: 'a', versionId: 'a-0', reason: 'deleted-after-t' },
    ]);
  });

  it('GIVEN a key created after T THEN a delete marker', () => {
    expect(plan({ a: [['v:1', after(5)]] }).actions).toEqual([
      { kind: 'delete', key: 'a', reason: 'created-after-t' },
    ]);
  });

  it('GIVEN a key deleted before T and recreated after THEN a delete marker (deleted at T)', () => {
    const p = plan({
      a: [
        ['v:1', before(60)],
        ['dm', before(30)],
        ['v:2', after(5)],
      ],
    });
    expect(p.actions).toEqual([{ kind: 'delete', key: 'a', reason: 'deleted-at-t' }]);
  });

  it('GIVEN a key deleted before T and still deleted THEN listed as absent, not dropped', () => {
    const p = plan({
      a: [
        ['v:1', before(60)],
        ['dm', before(30)],
      ],
      b: [
        ['v:1', after(1)],
        ['dm', after(2)],
      ],
    });
    expect(p.actions).toEqual([
      { kind: 'none', key: 'a', reason: 'absent-at-t-and-now' },
      { kind: 'none', key: 'b', reason: 'absent-at-t-and-now' },
    ]);
  });

  it('GIVEN the latest already has the content of the version at T (a previous restore) THEN already-restored', () => {
    const p = plan({
      a: [
        ['v:1', before(60)],
        ['v:2', after(5)],
        ['v:1', after(10)],
      ],
    });
    expect(p.actions).toEqual([{ kind: 'none', key: 'a', reason: 'already-restored' }]);
  });

  it('GIVEN a version exactly at T THEN it counts as the state at T', () => {
    const p = plan({
      a: [
        ['v:1', before(60)],
        ['v:2', T],
        ['v:3', after(1)],
      ],
    });
    expect(p.actions).toEqual([
      { kind: 'copy', key: 'a', versionId: 'a-1', reason: 'overwritten-after-t' },
    ]);
  });

  it('GIVEN a version and a marker in the same second at T THEN a warning names the key', () => {
    const p = plan({
      a: [
        ['v:1', before(60)],
        ['v:2', before(1)],
        ['dm', before(1)],
        ['v:3', after(1)],
      ],
    });
    expect(p.warnings).toHaveLength(1);
    expect(p.warnings[0]).toMatch(/^a: several versions share LastModified/);
  });

  it('GIVEN keys in any order THEN actions are sorted by key and every key appears once', () => {
    const p = plan({ c: [['v:1', before(1)]], a: [['v:1', after(1)]], b: [['dm', after(1)]] });
    expect(p.actions.map((a) => a.key)).toEqual(['a', 'b', 'c']);
  });
});
