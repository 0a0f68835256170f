import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import Cursor from 'pg-cursor';
import type { AppSecret } from '../../ports/app-secret.js';
import type { Endpoint } from '../../ports/database.js';
import type { Notifier } from '../../ports/notifier.js';
import type { FailedDocument, SearchDocument, SearchIndex } from '../../ports/search-index.js';
import type { SqlConnector } from '../../ports/sql.js';
import { UsageError } from '../../engine/errors.js';
import { viewApp } from '../shared/app-endpoint.js';
import type { NotifyState } from '../shared/steps/notify.js';
import type { SearchReindexParams } from './params.js';
import type { SearchSchemas, SourcedCollection } from './schemas.js';

/** The ports RB-N-04 runs against. */
export interface SearchReindexDeps {
  readonly index: SearchIndex;
  readonly sql: SqlConnector;
  /** Where the database endpoint comes from when no dbHost param is given. */
  readonly appSecret?: AppSecret;
  readonly notifier?: Notifier;
}

/** What one slice (a step) imported. */
export interface SliceResult {
  readonly collection: string;
  readonly rows: number;
  readonly imported: number;
  readonly failed: number;
  /** A deletions slice: documents deleted (`rows` is then the ids read). */
  readonly deleted?: number;
  readonly batches: number;
  readonly backoffs: number;
  readonly ms: number;
}

/** RB-N-04's state: its parameters plus what each step recorded. */
export interface SearchReindexState extends SearchReindexParams, NotifyState {
  /** Set by normalize: the validated schemas file. */
  schemaFile: string;
  searchSchemas: SearchSchemas;
  workDir: string;
  /** New collection name of each alias (`people` → `people_20251106123000`). */
  targets?: Record<string, string>;
  /** Where each alias pointed before (undefined: no alias). */
  previousAliases?: Record<string, string | null>;
  /** When the reindex began (the catch-up pass reads rows changed since). */
  startedAt?: string;
  slices?: Record<string, SliceResult>;
  hotReadyAt?: string;
  /** Whether the app's config was told its search is partial (it has a search section). */
  appToldPartial?: boolean;
  catchUpRows?: number;
  /** Documents of rows deleted during the reindex, removed by the catch-up pass. */
  catchUpDeleted?: number;
  /** How long the final catch-up pass held the collections' tables (writers waited at most this). */
  catchUpLockMs?: number;
  /** Per collection; `numDocuments` only when the server's counter disagreed with its export. */
  counts?: Record<
    string,
    { db: number; index: number; deadLettered: number; numDocuments?: number; extraIds?: string[] }
  >;
  fullReadyAt?: string;
  deadLetterFile?: string;
  deadLetters?: number;
}

/** The collection named `name` in the schemas. */
export function collectionOf(s: SearchReindexState, name: string): SourcedCollection {
  const c = s.searchSchemas.collections.find((x) => x.name === name);
  if (!c) throw new UsageError(`no collection ${name} in ${s.schemaFile}`);
  return c;
}

/** `<alias>_<yyyymmddhhmmssSSS>`: the only collections drkit creates. */
export function newCollectionName(alias: string, at: Date): string {
  return `${alias}_${at.toISOString().replace(/\D/g, '').slice(0, 17)}`;
}

/** Whether drkit created `collection` for `alias` (by its name). */
export function isDrkitCollection(alias: string, collection: string): boolean {
  return new RegExp(`^${alias}_\\d{17}$`).test(collection);
}

/** The database to read rows from. @throws UsageError */
export async function sourceEndpoint(
  deps: SearchReindexDeps,
  s: SearchReindexState,
): Promise<Endpoint> {
  if (s.dbHost && s.dbPort && s.dbName && s.dbUser)
    return { host: s.dbHost, port: s.dbPort, database: s.dbName, user: s.dbUser };
  if (!deps.appSecret)
    throw new UsageError('no database to read from: give dbHost, dbPort, dbName and dbUser');
  const v = await viewApp(
    deps.appSecret.secrets,
    deps.appSecret.defaultName,
    deps.appSecret.format,
  );
  if (!v.endpoint) throw new UsageError(`the app secret names no database endpoint`);
  return v.endpoint;
}

/**
 * Streams a row source through a server-side cursor (`fetchRows` at a time): memory stays flat
 * whatever the table size. Rows become documents of the collection's fields.
 */
export async function* streamDocuments(
  client: pg.Client,
  c: SourcedCollection,
  sql: string,
  values: unknown[],
  fetchRows: number,
  count: { rows: number },
): AsyncGenerator<SearchDocument> {
  const cursor = client.query(new Cursor(sql, values));
  try {
    for (;;) {
      const rows = (await cursor.read(fetchRows)) as Array<Record<string, unknown>>;
      if (rows.length === 0) return;
      for (const r of rows) {
        count.rows++;
        yield toDocument(c, r);
      }
    }
  } finally {
    await cursor.close();
  }
}

/** A row as a document: `id` as text, the schema's fields, numbers from numeric text. */
export function toDocument(c: SourcedCollection, row: Record<string, unknown>): SearchDocument {
  const doc: Record<string, unknown> = { id: String(row.id) };
  for (const f of c.fields) {
    let v = row[f.name];
    if (v === null || v === undefined) continue; // optional fields are absent, not null
    if (/^(int32|int64|float)$/.test(f.type) && typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v))
      v = Number(v);
    if (v instanceof Date)
      v = f.type.startsWith('int') ? Math.floor(v.getTime() / 1000) : v.toISOString();
    doc[f.name] = v;
  }
  return doc as SearchDocument;
}

/** Appends failed documents to the run's dead-letter file (never aborts the run). */
export function deadLetter(
  s: SearchReindexState,
  executionId: string,
  slice: string,
  collection: string,
  failed: readonly FailedDocument[],
): string {
  const file = path.join(s.workDir, `${executionId}.deadletter.jsonl`);
  if (failed.length === 0) return file;
  mkdirSync(s.workDir, { recursive: true });
  const at = new Date().toISOString();
  appendFileSync(
    file,
    failed
      .map((f) =>
        JSON.stringify({
          at,
          slice,
          collection,
          id: f.id,
          code: f.code,
          error: f.error,
          document: f.document,
        }),
      )
      .join('\n') + '\n',
  );
  return file;
}
