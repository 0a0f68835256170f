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
  })
  .strict();

export type EmailFailoverParams = z.infer<typeof EmailFailoverParamsSchema>;
