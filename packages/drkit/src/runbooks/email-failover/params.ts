import { z } from 'zod';
import { boolParam } from '../shared/bool-param.js';

const perMinuteList = z
  .string()
  .regex(/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/, 'a comma-separated list of messages per minute')
  .transform((s) => s.split(',').map(Number))
  .refine((a) => a.every((n) => n > 0), 'every rate must be above 0');

/** Parameters of RB-N-07 (what `drkit runbook run rb-n-07 --param k=v` accepts). */
export const EmailFailoverParamsSchema = z
  .object({
    /** The provider to switch to: a name under `mail.providers` in the config. */
    to: z.string().min(1).describe('provider name'),
    /** Warm-up rates, messages per minute per stage. @default config mail.warmupPerMinute */
    warmupPerMinute: perMinuteList.optional().describe('rates per minute, e.g. 60,300,1200'),
    /** Length of each warm-up stage. @default config mail.warmupStageSeconds */
    warmupStageSeconds: z.coerce.number().int().min(1).optional().describe('seconds'),
    /** Re-send only critical messages (receipts, password resets). @default true */
    criticalOnly: boolParam().default(true),
    /** The window the failure rate of the outgoing provider is read over. @default 300 */
    windowSeconds: z.coerce.number().int().min(1).default(300),
    /**
     * After the failover, switch back to this provider (a name under `mail.providers`, usually
     * the primary) once it is healthy again: separate steps, the switch itself confirmed on
     * its own. @default no switch back in this run
     */
    switchBackTo: z.string().min(1).optional().describe('provider name'),
    /** Where the switch back's health probes are sent (required with switchBackTo). */
    probeTo: z.string().email().optional().describe('email address'),
    /** Probes accepted in a row that make the provider healthy. @default 3 */
    healthyProbes: z.coerce.number().int().min(1).max(100).default(3),
    /** Seconds between probes. @default 2 */
    probeIntervalSeconds: z.coerce.number().min(0.1).max(600).default(2),
    /** How long the probes go on before the run stops (resume it later). @default 600 */
    switchBackWaitSeconds: z.coerce.number().int().min(0).max(86_400).default(600),
  })
  .strict();

export type EmailFailoverParams = z.infer<typeof EmailFailoverParamsSchema>;
