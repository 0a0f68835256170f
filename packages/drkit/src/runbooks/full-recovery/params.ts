import { z } from 'zod';
import { PitrParamsSchema } from '../pitr-restore/params.js';

/**
 * Parameters of the full-service recovery: RB-N-02's (the database phase) plus the front door
 * and the load test's shape and thresholds.
 */
export const FullRecoveryParamsSchema = PitrParamsSchema.extend({
  /** The service's front door (health, smoke, load). @default the provider's (the lab's HAProxy) */
  frontDoor: z.url({ protocol: /^https?$/ }).optional(),
  /** Seconds of load. @default 5 */
  loadSeconds: z.coerce.number().int().min(1).max(600).default(5),
  /** Concurrent connections of the load test. @default 10 */
  loadConnections: z.coerce.number().int().min(1).max(1000).default(10),
  /** The load test fails above this 99th-percentile latency, ms. @default 500 */
  maxP99Ms: z.coerce.number().positive().default(500),
  /** The load test fails above this share of failed requests (0…1). @default 0.01 */
  maxErrorRate: z.coerce.number().min(0).max(1).default(0.01),
}).strict();

export type FullRecoveryParams = z.infer<typeof FullRecoveryParamsSchema>;
