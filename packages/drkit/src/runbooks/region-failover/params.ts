import { z } from 'zod';
import { boolParam } from '../shared/bool-param.js';

/**
 * Parameters of RB-N-01 (what `drkit runbook run rb-n-01 --param k=v` accepts). The provider
 * fills the regions, clusters and secret from config; a `--param` overrides it.
 */
export const RegionFailoverParamsSchema = z
  .object({
    /** Region traffic and writes move away from. @default the provider's primary region */
    fromRegion: z.string().min(1),
    /** Region they move to. @default the provider's standby region */
    toRegion: z.string().min(1),
    /** Database cluster of the source region. */
    fromCluster: z.string().min(1),
    /** Database cluster of the target region (the replica promoted). */
    toCluster: z.string().min(1),
    /** App tasks the target region runs afterwards. */
    targetTasks: z.coerce.number().int().min(0),
    /** Secret the app reads its DB endpoint from. */
    appConfigSecret: z.string().min(1),
    /** Make commits wait for a new standby once there is one. @default false */
    synchronous: boolParam().default(false),
    /** Why (for notifications). @default 'regional failover' */
    reason: z.string().default('regional failover'),
    /** Who declared the incident. @default 'manual' */
    trigger: z.string().default('manual'),
    /** Fail over even though the source region looks healthy. @default false */
    force: boolParam().default(false),
    /** App tasks the source region keeps (moving back to the primary region). */
    sourceTasks: z.coerce.number().int().min(0).optional(),
    /** Cluster id of the restore from the latest backup, when no replica is usable. */
    restoreClusterId: z.string().min(1).optional(),
  })
  .strict();

export type RegionFailoverParams = z.infer<typeof RegionFailoverParamsSchema>;
