import { z } from 'zod';
import { boolParam } from '../shared/bool-param.js';

/** Parameters of RB-N-04 (what `drkit runbook run rb-n-04 --param k=v` accepts). */
export const SearchReindexParamsSchema = z
  .object({
    /** The collection schemas and row sources. @default config search.collectionsFile */
    schemas: z.string().min(1).optional().describe('collections.json'),
    /** Database host to read from. @default the app's endpoint (appSecret) */
    dbHost: z.string().min(1).optional(),
    dbPort: z.coerce.number().int().min(1).max(65535).optional(),
    dbName: z.string().min(1).optional(),
    dbUser: z.string().min(1).optional(),
    /** Dead-letter files and slice checkpoints, one JSON line each. @default <stateDir>/search-reindex */
    workDir: z.string().min(1).optional(),
    /** Rows fetched per cursor read (memory stays flat whatever the table size). @default 2000 */
    fetchRows: z.coerce.number().int().min(1).max(100_000).default(2000),
    /** Upper bound of one import body in bytes. @default 8 MiB */
    maxBatchBytes: z.coerce
      .number()
      .int()
      .min(1024)
      .max(32 * 1024 * 1024)
      .default(8 * 1024 * 1024),
    /** Milliseconds between telling the app "partial" and the hot alias going live. @default config search.appConfigRefreshMs */
    partialLeadMs: z.coerce.number().int().min(0).max(600_000).optional(),
    /** Point an alias at a collection drkit did not create. @default false */
    force: boolParam().default(false),
  })
  .strict();

export type SearchReindexParams = z.infer<typeof SearchReindexParamsSchema>;
