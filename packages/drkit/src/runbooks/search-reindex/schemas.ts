import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsageError } from '../../engine/errors.js';
import type { CollectionSchema } from '../../ports/search-index.js';

/** Field types a collection may declare (Typesense 0.24). */
export const FIELD_TYPES = [
  'string',
  'string[]',
  'int32',
  'int32[]',
  'int64',
  'int64[]',
  'float',
  'float[]',
  'bool',
  'bool[]',
  'geopoint',
  'geopoint[]',
  'object',
  'object[]',
  'auto',
  'string*',
] as const;

const NAME = /^[a-z][a-z0-9_]*$/;

const FieldSchemaZ = z
  .object({
    name: z.string().regex(NAME, 'lower-case letters, digits and _'),
    type: z.enum(FIELD_TYPES),
    facet: z.boolean().optional(),
    optional: z.boolean().optional(),
    sort: z.boolean().optional(),
    index: z.boolean().optional(),
  })
  .strict();

const CollectionZ = z
  .object({
    /** The alias the app searches; reindexed collections are `<name>_<stamp>`. */
    name: z.string().regex(NAME, 'lower-case letters, digits and _'),
    /** The SQL row source: a set-returning function in the `search` schema. */
    source: z.string().regex(/^search\.[a-z_][a-z0-9_]*$/, 'search.<function>'),
    /**
     * The SQL deletions source: a set-returning function taking one timestamptz and returning the
     * `id`s deleted since then and absent now (the catch-up pass removes their documents).
     */
    deletions: z
      .string()
      .regex(/^search\.[a-z_][a-z0-9_]*$/, 'search.<function>')
      .optional(),
    /**
     * The tables whose writes change the collection's rows: the final catch-up pass holds their
     * writers off (SHARE lock) while it reads and imports, so no write can race it.
     */
    tables: z
      .array(
        z.string().regex(/^([a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*$/, '<table> or <schema>.<table>'),
      )
      .min(1)
      .optional(),
    fields: z.array(FieldSchemaZ).min(1),
    default_sorting_field: z.string().optional(),
  })
  .strict();

const HotSliceZ = z
  .object({
    collection: z.string(),
    /** A set-returning function taking one jsonb argument: `{"<field>": [values…]}`. */
    source: z.string().regex(/^search\.[a-z_][a-z0-9_]*$/, 'search.<function>'),
    /** Field → the hot values (the top cities, roles…). */
    filters: z.record(z.string(), z.array(z.string()).min(1)),
  })
  .strict();

const FileZ = z
  .object({ collections: z.array(CollectionZ).min(1), hotSlices: z.array(HotSliceZ).default([]) })
  .strict();

/** A collection as the schemas file declares it: the Typesense schema plus its row source. */
export interface SourcedCollection extends CollectionSchema {
  readonly source: string;
  /** Ids deleted since a time (`search.<entity>_deleted(since)`); none: deletions not caught up. */
  readonly deletions?: string;
  /** Tables the final catch-up pass locks (SHARE) against writers; none: no final pass. */
  readonly tables?: readonly string[];
}

/** A hot slice: the rows of `collection` matching `filters`, indexed first. */
export interface HotSlice {
  readonly collection: string;
  readonly source: string;
  readonly filters: Readonly<Record<string, readonly string[]>>;
}

/** `ops/typesense/collections.json`, validated. */
export interface SearchSchemas {
  readonly collections: readonly SourcedCollection[];
  readonly hotSlices: readonly HotSlice[];
}

/**
 * Validates a schemas file before anything is created: field names and types, one
 * `default_sorting_field` that is a numeric field of the collection, unique names, hot slices
 * naming a declared collection and only its fields.
 * @throws UsageError naming the file, the collection and the field
 */
export function parseSearchSchemas(text: string, file = 'collections.json'): SearchSchemas {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file}: not JSON (${(e as Error).message})`);
  }
  const res = FileZ.safeParse(json);
  if (!res.success) {
    const i = res.error.issues[0]!;
    throw new UsageError(`${file}: ${describePath(json, i.path)}: ${i.message}`, {
      hint: `field types: ${FIELD_TYPES.join(', ')}`,
    });
  }
  const f = res.data;
  const seen = new Set<string>();
  for (const c of f.collections) {
    if (seen.has(c.name)) throw new UsageError(`${file}: collection ${c.name} declared twice`);
    seen.add(c.name);
    const names = new Set<string>();
    for (const fd of c.fields) {
      if (fd.name === 'id')
        throw new UsageError(`${file}: collection ${c.name} field id: id is implicit`);
      if (names.has(fd.name))
        throw new UsageError(`${file}: collection ${c.name} field ${fd.name} declared twice`);
      names.add(fd.name);
    }
    const dsf = c.default_sorting_field;
    if (dsf !== undefined) {
      const fd = c.fields.find((x) => x.name === dsf);
      if (!fd || !/^(int32|int64|float)$/.test(fd.type))
        throw new UsageError(
          `${file}: collection ${c.name} default_sorting_field ${dsf}: not a numeric field of the collection`,
        );
    }
  }
  for (const h of f.hotSlices) {
    const c = f.collections.find((x) => x.name === h.collection);
    if (!c) throw new UsageError(`${file}: hot slice of unknown collection ${h.collection}`);
    for (const field of Object.keys(h.filters)) {
      if (!c.fields.some((x) => x.name === field))
        throw new UsageError(
          `${file}: hot slice of ${h.collection}: unknown field ${field} (fields: ${c.fields.map((x) => x.name).join(', ')})`,
        );
    }
  }
  return f;
}

/** Reads and validates a schemas file. @throws UsageError */
export async function loadSearchSchemas(file: string): Promise<SearchSchemas> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the schemas file ${file}: ${(e as Error).message}`);
  }
  return parseSearchSchemas(text, file);
}

/** `collections[1] (studios) fields[2] (rank) type` for an issue path. */
function describePath(json: unknown, p: ReadonlyArray<PropertyKey>): string {
  const out: string[] = [];
  let cur: unknown = json;
  for (const k of p) {
    cur = (cur as Record<PropertyKey, unknown> | undefined)?.[k];
    const name = (cur as { name?: unknown } | undefined)?.name;
    if (typeof k === 'number')
      out[out.length - 1] += `[${k}]${typeof name === 'string' ? ` (${name})` : ''}`;
    else out.push(String(k));
  }
  const s = out.join(' ');
  return s
    .replace(/^collections\[(\d+)\] \(([^)]+)\)/, 'collection $2')
    .replace(/fields\[(\d+)\] \(([^)]+)\)/, 'field $2');
}
