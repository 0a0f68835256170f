import { z } from 'zod';

/** Parameters of RB-N-06 (what `drkit runbook run rb-n-06 --param k=v` accepts). */
export const WebhookReplayParamsSchema = z
  .object({
    /**
     * Replay events created from this instant (ISO-8601 with a zone). @default the last processed
     * event or the oldest order awaiting payment, whichever is older, minus `overlapSeconds`
     */
    since: z.string().optional().describe('ISO-8601 instant'),
    /** Listed before the start point too: events of the same second, clock skew. @default 300 */
    overlapSeconds: z.coerce.number().int().min(0).max(86_400).default(300),
    /** Events replayed per second at most. @default 10 */
    ratePerSecond: z.coerce.number().positive().max(1000).default(10),
    /**
     * A payment younger than this whose order is not paid may have its webhook in flight: the
     * difference is checked again once it is this old. @default 10
     */
    settleSeconds: z.coerce.number().int().min(0).max(600).default(10),
    /** `reconcile-only`: no listing or replay (the start is older than the provider keeps events). @default replay */
    mode: z.enum(['replay', 'reconcile-only']).default('replay'),
    /**
     * How each event is replayed: `http`, POSTed to the app's webhook route re-signed with the
     * endpoint's own secret; `direct`, the app's processing function called on its database
     * (no signature check: for a route still down or a signing secret lost). Both mark the
     * event `replayed=true`. (`mode` already names replay vs reconcile-only.) @default http
     */
    delivery: z.enum(['http', 'direct']).default('http'),
    /** Event types replayed. @default the handler's: payment_intent.succeeded,payment_intent.payment_failed */
    types: z
      .string()
      .regex(/^[a-z_.]+(,[a-z_.]+)*$/, 'a comma-separated list of event types')
      .default('payment_intent.succeeded,payment_intent.payment_failed')
      .transform((s) => s.split(',')),
  })
  .strict();

export type WebhookReplayParams = z.infer<typeof WebhookReplayParamsSchema>;
