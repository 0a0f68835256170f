import { z } from 'zod';

/** Parameters of RB-N-02 (what `drkit runbook run rb-n-02 --param k=v` accepts). */
export const PitrParamsSchema = z
  .object({
    /** Cluster to restore from; never modified. */
    source: z.string().min(1),
    /** ISO-8601 instant with a zone (e.g. 2026-11-22T10:30:00Z), or `latest`. */
    target: z.string().min(1),
    /** Id of the cluster to create. @default dr-<source>-<yyyymmddhhmm> */
    newClusterId: z
      .string()
      .regex(
        /^[a-z][a-z0-9-]{0,40}$/,
        'lower-case letters, digits and dashes, starting with a letter',
      )
      .optional(),
    /** JSON file of checksums taken before the corruption; the restore must match them. */
    expectedChecksums: z.string().optional(),
    /** Secret holding the app's DB endpoint and `global_readonly`. @default drkit/app */
    appConfigSecret: z.string().default('drkit/app'),
    /** The app's cache key prefix to flush after the swap. @default the app config's `cache.prefix` */
    cachePrefix: z.string().min(1).optional(),
    /**
     * How to restore: `auto` replays the region's delayed standby to the target when the target
     * lies in its unapplied window and falls back to the classic restore (backup + WAL)
     * otherwise, saying why; `fast` refuses to start without a usable delayed standby;
     * `classic` never uses one. @default auto
     */
    path: z.enum(['auto', 'fast', 'classic']).default('auto'),
    /**
     * Connections per database the validation hashes key ranges on, in one snapshot.
     * @default 2
     */
    validateWorkers: z.coerce.number().int().min(1).max(64).default(2),
    /** Who or what declared the incident (for the notification). */
    reason: z.string().default('logical corruption'),
  })
  .strict();

export type PitrParams = z.infer<typeof PitrParamsSchema>;
