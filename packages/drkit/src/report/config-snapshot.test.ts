import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { diffSnapshots, readSnapshot, serialize, writeSnapshot } from './config-snapshot.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'drkit-snap-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('config snapshot', () => {
  it('serializes with keys sorted at every depth, undefined dropped, dates as ISO', () => {
    expect(serialize({ b: 1, a: { d: [{ z: 1, y: 2 }], c: undefined }, t: new Date(0) })).toBe(
      '{\n  "a": {\n    "d": [\n      {\n        "y": 2,\n        "z": 1\n      }\n    ]\n  },\n  "b": 1,\n  "t": "1970-01-01T00:00:00.000Z"\n}\n',
    );
  });

  it('diffs per file: added, removed, changed with escaped JSON Pointers and array tails', () => {
    const saved = [
      { file: 'route53/zones/a.json', body: { R: { 'x/y~z A': { TTL: 60 } }, L: [1, 2] } },
      { file: 'waf/regional-r/gone.json', body: {} },
      { file: 'cloudfront/E1.json', body: { C: 'same' } },
    ];
    const live = [
      { file: 'route53/zones/a.json', body: { R: { 'x/y~z A': { TTL: 300 } }, L: [1] } },
      { file: 'cloudfront/E1.json', body: { C: 'same' } },
      { file: 'cloudfront/E2.json', body: {} },
    ];
    expect(diffSnapshots(saved, live)).toEqual([
      { file: 'cloudfront/E2.json', change: 'added', paths: [] },
      { file: 'route53/zones/a.json', change: 'changed', paths: ['/L/1', '/R/x~1y~0z A/TTL'] },
      { file: 'waf/regional-r/gone.json', change: 'removed', paths: [] },
    ]);
  });

  it('writes only what changed, removes files of vanished resources, leaves other files', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'README.md'), 'kept');
    const a = { file: 'cloudfront/E1.json', body: { b: 1, a: 2 } };
    const b = { file: 'waf/cloudfront-us-east-1/x.json', body: {} };
    expect(writeSnapshot(dir, [a, b])).toEqual({
      written: ['cloudfront/E1.json', 'waf/cloudfront-us-east-1/x.json'],
      removed: [],
      unchanged: 0,
    });
    expect(writeSnapshot(dir, [a])).toEqual({
      written: [],
      removed: ['waf/cloudfront-us-east-1/x.json'],
      unchanged: 1,
    });
    expect(readSnapshot(dir)).toEqual([{ file: 'cloudfront/E1.json', body: { a: 2, b: 1 } }]);
    expect(fs.readFileSync(path.join(dir, 'README.md'), 'utf8')).toBe('kept');
  });

  it('refuses a missing dir, an empty export and a file that is not JSON, naming them', () => {
    const dir = tmp();
    expect(() => readSnapshot(path.join(dir, 'nope'))).toThrow(/nope does not exist/);
    expect(() => readSnapshot(dir)).toThrow(/holds no exported resources/);
    fs.mkdirSync(path.join(dir, 'route53'));
    fs.writeFileSync(path.join(dir, 'route53', 'bad.json'), '{');
    expect(() => readSnapshot(dir)).toThrow(/route53\/bad\.json is not valid JSON/);
  });
});
