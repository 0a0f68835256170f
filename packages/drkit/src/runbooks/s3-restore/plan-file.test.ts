import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExpectedWriter, expectedFilePath, readExpected } from './plan-file.js';

describe('expected-state file', () => {
  it('is whole only once closed, reads back in order, and counts ETags a copy cannot reproduce', async () => {
    const file = expectedFilePath(mkdtempSync(path.join(tmpdir(), 'drkit-exp-')), 'x1');
    const w = new ExpectedWriter(file);
    w.add('a.jpg', { etag: '"9e107d9d372bb6826bd81d3542a419d6"', size: 3 });
    w.add('b.bin', { etag: '"d41d8cd98f00b204e9800998ecf8427e-12"', size: 90_000_000 });
    w.add('c.txt', { size: 0 });
    expect(existsSync(file)).toBe(false); // still .partial
    w.close();
    expect([w.keys, w.unprovable]).toEqual([3, 2]);
    const back = [];
    for await (const e of readExpected(file)) back.push(e);
    expect(back).toEqual([
      { k: 'a.jpg', e: '"9e107d9d372bb6826bd81d3542a419d6"', z: 3 },
      { k: 'b.bin', e: '"d41d8cd98f00b204e9800998ecf8427e-12"', z: 90_000_000 },
      { k: 'c.txt', z: 0 },
    ]);
  });
});
