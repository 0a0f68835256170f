import { createInterface } from 'node:readline';
import { Client, Errors } from 'typesense';
import { DrError, PreconditionError } from '../../engine/errors.js';
import type {
  CollectionInfo,
  CollectionSchema,
  DeleteSummary,
  FailedDocument,
  ImportOptions,
  ImportSummary,
  SearchDocument,
  SearchHealth,
  SearchHits,
  SearchIndex,
  SearchIndexCapability,
  SearchQuery,
} from '../../ports/search-index.js';
import { sleep } from '../../util/net.js';
import { httpStatus, translateTypesenseError } from './errors.js';
import { jsonlBatches, parseImportResults } from './import-batches.js';

/** Options of {@link TypesenseSearchIndex}. */
export interface TypesenseSearchIndexOptions {
  /** `http://127.0.0.1:8108`. */
  readonly url: string;
  /** The admin API key (never logged or planned). */
  readonly apiKey: string;
  /** Per-request timeout (imports have none: they are synchronous on the server). @default 10 s */
  readonly timeoutSeconds?: number;
  /** First back-off delay after a 503. @default 200 ms (doubling, capped at 5 s) */
  readonly backoffBaseMs?: number;
  /**
   * The import's server-side `batch_size`: documents the server indexes per internal batch of
   * one request. @default the server's (40)
   */
  readonly importBatchSize?: number;
  /** Import requests in flight at once. @default 1 (plus the next batch read ahead) */
  readonly importConcurrency?: number;
}

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const DEFAULT_MAX_DOCS = 5000;
const DELETE_CONCURRENCY = 8;

/** The search-index port on a Typesense server, through the official `typesense` client. */
export class TypesenseSearchIndex implements SearchIndex {
  readonly kind = 'typesense';
  readonly capabilities: ReadonlySet<SearchIndexCapability> = new Set([
    'aliases',
    'upsert',
    'write-lag',
  ]);
  readonly endpoint: string;
  private readonly client: Client;
  private readonly backoffBaseMs: number;
  private readonly importBatchSize: number | undefined;
  private readonly importConcurrency: number;

  constructor(opts: TypesenseSearchIndexOptions) {
    const u = new URL(opts.url);
    this.endpoint = `${u.protocol}//${u.host}`;
    this.backoffBaseMs = opts.backoffBaseMs ?? 200;
    this.importBatchSize = opts.importBatchSize;
    this.importConcurrency = Math.max(1, opts.importConcurrency ?? 1);
    this.client = new Client({
      nodes: [
        {
          host: u.hostname,
          port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)),
          protocol: u.protocol.replace(':', ''),
        },
      ],
      apiKey: opts.apiKey,
      connectionTimeoutSeconds: opts.timeoutSeconds ?? 10,
      // retries belong to the engine (and to the 503 back-off below), not to the client
      numRetries: 0,
      logLevel: 'silent',
    });
  }

  private async call<T>(what: string, f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      throw translateTypesenseError(err, what, this.endpoint);
    }
  }

  async health(): Promise<SearchHealth> {
    const h = await this.call('GET /health', () => this.client.health.retrieve());
    // /health needs no key: a keyed read tells a wrong key apart from a healthy server
    await this.call('GET /aliases', () => this.client.aliases().retrieve());
    return { ok: h.ok === true, writeLag: await this.writeLag() };
  }

  async writeLag(): Promise<number> {
    const s = await this.call('GET /stats.json', () => this.client.stats.retrieve());
    return s.pending_write_batches ?? 0;
  }

  async createCollection(schema: CollectionSchema): Promise<void> {
    const existing = await this.retrieve(schema.name);
    if (existing) return this.sameFields(schema, existing);
    try {
      await this.client.collections().create({
        name: schema.name,
        fields: schema.fields.map((f) => ({ ...f })) as never,
        ...(schema.default_sorting_field
          ? { default_sorting_field: schema.default_sorting_field }
          : {}),
      });
    } catch (err) {
      if (httpStatus(err) === 409) {
        const now = await this.retrieve(schema.name);
        if (now) return this.sameFields(schema, now);
      }
      throw translateTypesenseError(err, `POST /collections ${schema.name}`, this.endpoint);
    }
  }

  private sameFields(
    want: CollectionSchema,
    got: { fields?: Array<{ name: string; type: string }> },
  ) {
    const key = (fs: ReadonlyArray<{ name: string; type: string }>) =>
      fs
        .map((f) => `${f.name}:${f.type}`)
        .sort()
        .join(',');
    if (key(want.fields) !== key(got.fields ?? [])) {
      throw new PreconditionError(
        `collection ${want.name} already exists with other fields (${key(got.fields ?? [])})`,
        { hint: 'collections are created new, never changed in place: use a new name' },
      );
    }
  }

  private async retrieve(name: string) {
    try {
      return await this.client.collections(name).retrieve();
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw translateTypesenseError(err, `GET /collections/${name}`, this.endpoint);
    }
  }

  async listCollections(): Promise<CollectionInfo[]> {
    const all = await this.call('GET /collections', () => this.client.collections().retrieve());
    return all.map((c) => ({
      name: c.name,
      numDocuments: c.num_documents,
      createdAt: new Date(c.created_at * 1000),
    }));
  }

  async count(collection: string): Promise<number> {
    const c = await this.call(`GET /collections/${collection}`, () =>
      this.client.collections(collection).retrieve(),
    );
    return c.num_documents;
  }

  async dropCollection(name: string): Promise<void> {
    const aliases = await this.call('GET /aliases', () => this.client.aliases().retrieve());
    const holders = aliases.aliases.filter((a) => a.collection_name === name).map((a) => a.name);
    if (holders.length > 0) {
      throw new PreconditionError(
        `collection ${name} is the target of alias ${holders.join(', ')}: not dropped`,
        { hint: 'point the alias at another collection first' },
      );
    }
    try {
      await this.client.collections(name).delete();
    } catch (err) {
      if (httpStatus(err) === 404) return;
      throw translateTypesenseError(err, `DELETE /collections/${name}`, this.endpoint);
    }
  }

  async importDocuments(
    collection: string,
    docs: AsyncIterable<SearchDocument> | Iterable<SearchDocument>,
    opts: ImportOptions = {},
  ): Promise<ImportSummary> {
    let imported = 0;
    let batches = 0;
    let backoffs = 0;
    let bytes = 0;
    const failed: FailedDocument[] = [];
    const maxBytes = opts.maxBatchBytes ?? DEFAULT_MAX_BYTES;
    const maxDocs = opts.maxBatchDocs ?? DEFAULT_MAX_DOCS;
    const it = jsonlBatches(docs, maxBytes, maxDocs)[Symbol.asyncIterator]();
    // up to `importConcurrency` requests in flight, and the next batch read from the source while
    // the server indexes: the source and the server both kept busy, memory bounded by batches
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    let next = it.next();
    try {
      for (;;) {
        const step = await next;
        if (step.done) break;
        if (opts.signal?.aborted) throw opts.signal.reason;
        next = it.next();
        const batch = step.value;
        const p: Promise<void> = this.importBatch(collection, batch.lines, opts, () => backoffs++)
          .then((r) => {
            imported += r.imported;
            failed.push(...r.failed);
            batches++;
            bytes += batch.bytes;
            opts.onBatch?.({ imported: r.imported, failed: r.failed.length, backoffs });
          })
          .catch((err: unknown) => {
            failure ??= err;
          })
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        if (inFlight.size >= this.importConcurrency) await Promise.race(inFlight);
        if (failure !== undefined) throw failure;
      }
      await Promise.all(inFlight);
      if (failure !== undefined) throw failure;
    } catch (err) {
      next.catch(() => undefined); // the read ahead is abandoned with the import
      await Promise.all(inFlight);
      throw err;
    }
    return { imported, failed, batches, backoffs, bytes };
  }

  private async importBatch(
    collection: string,
    lines: string[],
    opts: ImportOptions,
    onBackoff: () => void,
  ): Promise<{ imported: number; failed: FailedDocument[] }> {
    const docs = this.client.collections(collection).documents();
    const maxAttempts = opts.maxBackoffAttempts ?? 12;
    for (let attempt = 1; ; attempt++) {
      try {
        // a JSONL string answers raw JSONL text; an array would throw ImportError instead
        const answer = await docs.import(lines.join('\n'), {
          action: 'upsert',
          ...(this.importBatchSize ? { batch_size: this.importBatchSize } : {}),
        });
        return parseImportResults(answer, lines);
      } catch (err) {
        if (err instanceof Errors.ImportError) return parseImportResults(err.importResults, lines);
        if (httpStatus(err) !== 503 || attempt >= maxAttempts) {
          throw translateTypesenseError(
            err,
            `POST /collections/${collection}/documents/import`,
            this.endpoint,
          );
        }
        // 503 "Not Ready or Lagging": the server sheds writes until its queue drains
        onBackoff();
        const cap = Math.min(5000, this.backoffBaseMs * 2 ** (attempt - 1));
        await sleep(cap / 2 + Math.random() * (cap / 2));
        if (opts.signal?.aborted) throw opts.signal.reason;
      }
    }
  }

  async deleteDocuments(
    collection: string,
    ids: AsyncIterable<string> | Iterable<string>,
    opts: { readonly signal?: AbortSignal } = {},
  ): Promise<DeleteSummary> {
    let deleted = 0;
    let absent = 0;
    let backoffs = 0;
    // one DELETE per id (Typesense 0.24 has no delete-by-ids), a few in flight
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    const deleteOne = async (id: string) => {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.client.collections(collection).documents(id).delete();
          deleted++;
          return;
        } catch (err) {
          const status = httpStatus(err);
          if (status === 404) {
            absent++;
            return;
          }
          if (status !== 503 || attempt >= 12) {
            throw translateTypesenseError(
              err,
              `DELETE /collections/${collection}/documents/${id}`,
              this.endpoint,
            );
          }
          backoffs++;
          const cap = Math.min(5000, this.backoffBaseMs * 2 ** (attempt - 1));
          await sleep(cap / 2 + Math.random() * (cap / 2));
        }
      }
    };
    for await (const id of ids) {
      if (opts.signal?.aborted) failure ??= opts.signal.reason;
      if (failure !== undefined) break;
      const p: Promise<void> = deleteOne(id)
        .catch((err: unknown) => {
          failure ??= err;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= DELETE_CONCURRENCY) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
    return { deleted, absent, backoffs };
  }

  async getDocument(collection: string, id: string): Promise<SearchDocument | undefined> {
    try {
      return (await this.client
        .collections(collection)
        .documents(id)
        .retrieve()) as unknown as SearchDocument;
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw translateTypesenseError(
        err,
        `GET /collections/${collection}/documents/${id}`,
        this.endpoint,
      );
    }
  }

  async *exportDocuments(collection: string): AsyncIterable<SearchDocument> {
    const what = `GET /collections/${collection}/documents/export`;
    // streamed line by line: memory stays flat whatever the collection's size
    const stream = await this.call(what, () =>
      this.client.collections(collection).documents().exportStream(),
    );
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    try {
      for await (const line of lines) if (line.trim()) yield JSON.parse(line) as SearchDocument;
    } catch (err) {
      throw translateTypesenseError(err, what, this.endpoint);
    } finally {
      lines.close();
      stream.destroy();
    }
  }

  async search(collection: string, query: SearchQuery): Promise<SearchHits> {
    const r = await this.call(`GET /collections/${collection}/documents/search`, () =>
      this.client
        .collections(collection)
        .documents()
        .search({
          q: query.q,
          query_by: query.queryBy,
          ...(query.filterBy ? { filter_by: query.filterBy } : {}),
          per_page: query.perPage ?? 10,
        }),
    );
    return {
      found: r.found,
      documents: (r.hits ?? []).map((h) => h.document as SearchDocument),
    };
  }

  async getAlias(name: string): Promise<string | undefined> {
    // by /aliases/<name>: GET /collections/<alias> would silently answer for the target
    try {
      return (await this.client.aliases(name).retrieve()).collection_name;
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw translateTypesenseError(err, `GET /aliases/${name}`, this.endpoint);
    }
  }

  async putAlias(name: string, collection: string): Promise<void> {
    await this.call(`PUT /aliases/${name}`, () =>
      this.client.aliases().upsert(name, { collection_name: collection }),
    );
    const now = await this.getAlias(name);
    if (now !== collection) {
      throw new DrError('EXTERNAL', `alias ${name} points at ${now} after PUT to ${collection}`, {
        retryable: true,
      });
    }
  }

  planCreateCollection(schema: CollectionSchema): string[] {
    return [
      `typesense ${this.endpoint}: POST /collections name=${schema.name} fields=${schema.fields.map((f) => `${f.name}:${f.type}`).join(',')} (no-op if it exists with these fields)`,
    ];
  }

  planImport(collection: string, what: string): string[] {
    return [
      `typesense ${this.endpoint}: POST /collections/${collection}/documents/import?action=upsert JSONL ≤ ${DEFAULT_MAX_BYTES / 1024 / 1024} MiB / ${DEFAULT_MAX_DOCS} docs per request, 503 backed off: ${what}`,
    ];
  }

  planDelete(collection: string, what: string): string[] {
    return [
      `typesense ${this.endpoint}: DELETE /collections/${collection}/documents/<id> for each id (absent ids ignored, 503 backed off): ${what}`,
    ];
  }

  planPutAlias(name: string, collection: string): string[] {
    return [`typesense ${this.endpoint}: PUT /aliases/${name} {"collection_name":"${collection}"}`];
  }

  planDropCollection(name: string): string[] {
    return [`typesense ${this.endpoint}: DELETE /collections/${name} (refused while aliased)`];
  }
}
