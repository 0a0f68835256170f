import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../engine/errors.js';
import { isDrkitCollection, newCollectionName, toDocument } from './context.js';
import { parseSearchSchemas } from './schemas.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REPO_FILE = path.resolve(here, '../../../../../ops/typesense/collections.json');
interface RawFile {
  collections: Array<{
    fields: Array<{ name: string; type: string }>;
    default_sorting_field?: string;
  }>;
  hotSlices: Array<{ filters: Record<string, string[]> }>;
}
const good = () => JSON.parse(readFileSync(REPO_FILE, 'utf8')) as RawFile;

describe('ops/typesense/collections.json', () => {
  it('GIVEN the repository file THEN valid: people, studios, work and a hot slice of people', () => {
    const s = parseSearchSchemas(readFileSync(REPO_FILE, 'utf8'));
    expect(s.collections.map((c) => c.name)).toEqual(['people', 'studios', 'work']);
    expect(s.hotSlices[0]).toMatchObject({ collection: 'people', source: 'search.people_hot' });
  });

  it('GIVEN a field of an unknown type THEN a UsageError naming the collection and the field', () => {
    const f = good();
    f.collections[1]!.fields[1]!.type = 'text';
    expect(() => parseSearchSchemas(JSON.stringify(f))).toThrow(UsageError);
    expect(() => parseSearchSchemas(JSON.stringify(f))).toThrow(
      /collection studios field city type/,
    );
  });

  it('GIVEN not JSON, a duplicate field, a non-numeric sorting field THEN refused with the names', () => {
    expect(() => parseSearchSchemas('{"collections": [')).toThrow(/not JSON/);
    const dup = good();
    dup.collections[0]!.fields.push({ name: 'city', type: 'string' });
    expect(() => parseSearchSchemas(JSON.stringify(dup))).toThrow(
      /collection people field city declared twice/,
    );
    const sort = good();
    sort.collections[0]!.default_sorting_field = 'name';
    expect(() => parseSearchSchemas(JSON.stringify(sort))).toThrow(/default_sorting_field name/);
  });

  it('GIVEN a hot slice on an unknown field THEN a UsageError naming it', () => {
    const f = good();
    f.hotSlices[0]!.filters.country = ['FR'];
    expect(() => parseSearchSchemas(JSON.stringify(f))).toThrow(
      /hot slice of people: unknown field country/,
    );
  });
});

describe('RB-N-04 helpers', () => {
  it('GIVEN an instant THEN <alias>_<17 digits>, recognized as drkit’s; other names are not', () => {
    const n = newCollectionName('people', new Date('2025-11-06T12:30:05.123Z'));
    expect(n).toBe('people_20251106123005123');
    expect(isDrkitCollection('people', n)).toBe(true);
    expect(isDrkitCollection('people', 'people_v2')).toBe(false);
    expect(isDrkitCollection('people', 'studios_20251106123005123')).toBe(false);
  });

  it('GIVEN a row THEN id as text, numeric text as numbers, nulls absent, extra columns dropped', () => {
    const c = parseSearchSchemas(readFileSync(REPO_FILE, 'utf8')).collections[0]!;
    expect(
      toDocument(c, {
        id: 7,
        name: 'a',
        city: 'Paris',
        role: 'model',
        bio: null,
        rating: '12',
        updated_at: new Date(),
      }),
    ).toEqual({ id: '7', name: 'a', city: 'Paris', role: 'model', rating: 12 });
  });
});
