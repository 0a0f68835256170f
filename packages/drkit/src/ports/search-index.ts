/**
 * The search-index port: a search cluster (Typesense) that RB-N-04 rebuilds from the database.
 *
 * Contract:
 * - Collections are created new, never changed in place: `createCollection` of a name that
 *   exists with the same fields is a no-op, with other fields a `PreconditionError`.
 * - `importDocuments` upserts (an id imported twice is one document). A document the server
 *   rejects never fails the call: it is returned in `failed` with the server's code and error,
 *   and the rest are imported. Bodies are split by bytes (`maxBatchBytes`), not only by count.
 *   Write back-pressure (HTTP 503, "Not Ready or Lagging") is waited out with exponential
 *   back-off inside the call: it is flow control, not a failure.
 * - Aliases are read by name only (`getAlias`): reading a collection through an alias name
 *   resolves silently to its target, so "does this alias exist" is never asked that way.
 * - `dropCollection` of an absent collection is a no-op; of a collection an alias points at, a
 *   `PreconditionError` (swap the alias first).
 * - Errors: unreachable server → retryable `DrError` `EXTERNAL`; a rejected API key →
 *   `DrError` `ACCESS_DENIED`; an absent collection (count, export) → `NotFoundError`.
 */
export interface SearchIndex {
  readonly kind: string;
  readonly capabilities: ReadonlySet<SearchIndexCapability>;
  /** Where the cluster is (for messages and plans), never with its key. */
  readonly endpoint: string;

  /** Health and authorization: `ok` from `/health`, then a keyed read. @throws DrError */
  health(): Promise<SearchHealth>;
  /** Pending write batches (`pending_write_batches`): the write lag. */
  writeLag(): Promise<number>;

  /** Creates a collection (see the contract for an existing one). @throws PreconditionError */
  createCollection(schema: CollectionSchema): Promise<void>;
  /** Every collection, with its document count. */
  listCollections(): Promise<CollectionInfo[]>;
  /** The number of documents in a collection. @throws NotFoundError */
  count(collection: string): Promise<number>;
  /** Drops a collection (see the contract). @throws PreconditionError */
  dropCollection(name: string): Promise<void>;

  /** Upserts documents in byte-bounded batches; failures are returned, not thrown. */
  importDocuments(
    collection: string,
    docs: AsyncIterable<SearchDocument> | Iterable<SearchDocument>,
    opts?: ImportOptions,
  ): Promise<ImportSummary>;
  /**
   * Deletes documents by id (the rows deleted meanwhile); an id absent from the collection is
   * no error (counted as `absent`). Write back-pressure (503) is waited out as for imports.
   */
  deleteDocuments(
    collection: string,
    ids: AsyncIterable<string> | Iterable<string>,
    opts?: { readonly signal?: AbortSignal },
  ): Promise<DeleteSummary>;
  /** One document by id, `undefined` when the collection does not hold it. */
  getDocument(collection: string, id: string): Promise<SearchDocument | undefined>;
  /** Every document of a collection (comparisons after a reindex). @throws NotFoundError */
  exportDocuments(collection: string): AsyncIterable<SearchDocument>;
  /** Full-text search (smoke checks, the app). */
  search(collection: string, query: SearchQuery): Promise<SearchHits>;

  /** The collection an alias points at, `undefined` when there is no such alias. */
  getAlias(name: string): Promise<string | undefined>;
  /** Points an alias at a collection (creates or swaps it atomically). */
  putAlias(name: string, collection: string): Promise<void>;

  /** The exact API calls of the mutating methods, for `--dry-run`. */
  planCreateCollection(schema: CollectionSchema): string[];
  planImport(collection: string, what: string): string[];
  planDelete(collection: string, what: string): string[];
  planPutAlias(name: string, collection: string): string[];
  planDropCollection(name: string): string[];
}

/** What a search backend declares it can do. */
export type SearchIndexCapability = 'aliases' | 'upsert' | 'write-lag';

/** A document: `id` is a string, the other fields as the schema says. */
export type SearchDocument = { readonly id: string } & Readonly<Record<string, unknown>>;

/** A field of a collection schema (Typesense's field object). */
export interface FieldSchema {
  readonly name: string;
  /** `string`, `int32`, `int64`, `float`, `bool`, `string[]`, … */
  readonly type: string;
  readonly facet?: boolean;
  readonly optional?: boolean;
  readonly sort?: boolean;
  readonly index?: boolean;
}

/** A collection schema as `ops/typesense/collections.json` holds it. */
export interface CollectionSchema {
  readonly name: string;
  readonly fields: readonly FieldSchema[];
  readonly default_sorting_field?: string;
}

export interface CollectionInfo {
  readonly name: string;
  readonly numDocuments: number;
  readonly createdAt?: Date;
}

export interface SearchHealth {
  readonly ok: boolean;
  readonly writeLag?: number;
}

/** Options of {@link SearchIndex.importDocuments}. */
export interface ImportOptions {
  /** Upper bound of one request body. @default 8 MiB (the server's limit is far higher) */
  readonly maxBatchBytes?: number;
  /** Upper bound of documents per request. @default 5000 */
  readonly maxBatchDocs?: number;
  /** Back-off attempts on HTTP 503 before giving up with a retryable `DrError`. @default 12 */
  readonly maxBackoffAttempts?: number;
  /** Called after each batch: its counts, and the 503 back-offs of this call so far. */
  readonly onBatch?: (b: {
    readonly imported: number;
    readonly failed: number;
    readonly backoffs: number;
  }) => void;
  readonly signal?: AbortSignal;
}

/** A document the server refused, with its reason. */
export interface FailedDocument {
  readonly id: string | undefined;
  readonly code: number | undefined;
  readonly error: string;
  /** The document as sent (one JSONL line). */
  readonly document: string;
}

export interface ImportSummary {
  readonly imported: number;
  readonly failed: readonly FailedDocument[];
  readonly batches: number;
  /** HTTP 503 answers waited out. */
  readonly backoffs: number;
  readonly bytes: number;
}

export interface DeleteSummary {
  /** Documents the server deleted. */
  readonly deleted: number;
  /** Ids the collection did not hold. */
  readonly absent: number;
  /** HTTP 503 answers waited out. */
  readonly backoffs: number;
}

export interface SearchQuery {
  readonly q: string;
  readonly queryBy: string;
  readonly filterBy?: string;
  readonly perPage?: number;
}

export interface SearchHits {
  readonly found: number;
  readonly documents: readonly SearchDocument[];
}
