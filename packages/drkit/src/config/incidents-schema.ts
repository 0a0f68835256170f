import { z } from 'zod';

/** A duration as the matrix writes it: `15m`, `30m`, `2h`, `90s` (tests use seconds). */
export const DURATION = /^(\d+(?:\.\d+)?)(s|m|h)$/;

/** Milliseconds of a {@link DURATION} string. */
export function durationMs(s: string): number {
  const m = DURATION.exec(s);
  if (!m) throw new Error(`not a duration: ${s}`);
  return Number(m[1]) * { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
}

/** Statuspage's component statuses (the lab's status page uses the same). */
export const COMPONENT_STATUSES = [
  'operational',
  'degraded_performance',
  'partial_outage',
  'major_outage',
  'under_maintenance',
] as const;

const ENV_NAME = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

/** One notifier channel, by type. Secrets (webhook URLs, passwords, keys) come from the environment. */
const ChannelSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('log') }).strict(),
  z
    .object({
      type: z.literal('sns'),
      topicArn: z.string().regex(/^arn:aws[a-z-]*:sns:/, 'an SNS topic ARN'),
    })
    .strict(),
  z
    .object({
      type: z.literal('email'),
      /** Sender address. */
      from: z.string().email(),
      /** The SMTP relay mail goes through (the Mailer port's smtp adapter). */
      smtp: z
        .object({
          host: z.string().min(1),
          port: z.number().int().min(1).max(65535),
          /** Implicit TLS. @default false (STARTTLS when offered) */
          secure: z.boolean().default(false),
          /** Variables holding the SMTP user and password. @default no authentication */
          userEnv: ENV_NAME.optional(),
          passwordEnv: ENV_NAME.optional(),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      type: z.literal('webhook'),
      /** Variable holding the webhook URL (a Slack incoming-webhook URL is a secret). */
      urlEnv: ENV_NAME.optional(),
      /** The URL itself, for endpoints that are not secret (the lab's). */
      url: z.string().url().optional(),
    })
    .strict()
    .refine((c) => (c.url === undefined) !== (c.urlEnv === undefined), {
      message: 'give exactly one of url and urlEnv',
    }),
]);

const SEVERITY = z.string().regex(/^SEV[0-9]$/, 'a severity like SEV1 (SEV1 is the most severe)');

/** One row of the escalation matrix (seed 003: severity → response time → who). */
const MatrixRowSchema = z
  .object({
    /** Time to acknowledge; unacknowledged after this, the incident escalates to the next row up. */
    response: z.string().regex(DURATION, 'a duration like 15m, 2h or 30s'),
    /** Who is told, on which channel. */
    notify: z
      .array(
        z
          .object({
            /** The role, e.g. `Eng Lead`. */
            who: z.string().min(1),
            /** A key of `incidents.channels`. */
            channel: z.string().min(1),
            /** Addresses (email channel). @default none */
            to: z.array(z.string().email()).default([]),
          })
          .strict(),
      )
      .default([]),
    /** Whether incidents at this level go on the status page. @default false */
    statusPage: z.boolean().default(false),
    /** Status page component status while open at this level. @default 'major_outage' */
    componentStatus: z.enum(COMPONENT_STATUSES).default('major_outage'),
  })
  .strict();

const SEED_003_MATRIX = {
  SEV1: {
    response: '15m',
    notify: [
      { who: 'Eng Lead', channel: 'log', to: [] },
      { who: 'CTO', channel: 'log', to: [] },
    ],
    statusPage: true,
    componentStatus: 'major_outage' as const,
  },
  SEV2: {
    response: '30m',
    notify: [{ who: 'Eng Lead', channel: 'log', to: [] }],
    statusPage: true,
    componentStatus: 'partial_outage' as const,
  },
  SEV3: {
    response: '2h',
    notify: [{ who: 'On-call team', channel: 'log', to: [] }],
    statusPage: false,
    componentStatus: 'degraded_performance' as const,
  },
};

/** The status page runbooks update: the lab's own, Statuspage, or none. */
const StatusPageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }).strict(),
  /** drkit's own page under the state dir, served by the lab at `/status` and `/api/v2/summary.json`. */
  z
    .object({
      type: z.literal('lab'),
      /** @default 'drkit lab' */
      name: z.string().min(1).default('drkit lab'),
      /** @default ['api', 'database'] */
      components: z.array(z.string().min(1)).default(['api', 'database']),
    })
    .strict(),
  z
    .object({
      type: z.literal('statuspage'),
      pageId: z.string().min(1),
      /** Variable holding the API key (sent as `Authorization: OAuth <key>`). @default 'STATUSPAGE_API_KEY' */
      apiKeyEnv: ENV_NAME.default('STATUSPAGE_API_KEY'),
      /** @default 'https://api.statuspage.io' */
      apiBase: z.string().url().default('https://api.statuspage.io'),
      /** drkit's component names → Statuspage component ids. @default {} */
      components: z.record(z.string().min(1), z.string().min(1)).default({}),
      /** Spacing of requests (the API allows 1 request/s per token). @default 1000 */
      minIntervalMs: z.number().int().min(0).max(60_000).default(1000),
      /** Attempts of a request refused with 420/429. @default 5 */
      rateLimitAttempts: z.number().int().min(1).max(20).default(5),
    })
    .strict(),
]);

/**
 * `incidents`: the channels people are told on, the escalation matrix and the status page
 * (seed 003's communication plan). Every matrix row names configured channels only.
 */
export const IncidentsSchema = z
  .object({
    channels: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), ChannelSchema).default({
      log: { type: 'log' },
    }),
    /** Severity → response time → who. @default seed 003's SEV1/SEV2/SEV3 on the `log` channel */
    matrix: z.record(SEVERITY, MatrixRowSchema).default(SEED_003_MATRIX),
    /** @default the lab's own page */
    statusPage: StatusPageSchema.default({
      type: 'lab',
      name: 'drkit lab',
      components: ['api', 'database'],
    }),
    /** How often a running runbook and `drkit incident watch` look for due escalations. @default 1000 */
    watchIntervalMs: z.number().int().min(50).max(600_000).default(1000),
  })
  .strict()
  .superRefine((inc, ctx) => {
    if (Object.keys(inc.matrix).length === 0)
      ctx.addIssue({ code: 'custom', path: ['matrix'], message: 'needs at least one severity' });
    for (const [sev, row] of Object.entries(inc.matrix))
      row.notify.forEach((n, i) => {
        const ch = inc.channels[n.channel];
        if (!ch)
          ctx.addIssue({
            code: 'custom',
            path: ['matrix', sev, 'notify', i, 'channel'],
            message: `'${n.channel}' is not a configured channel (configured: ${Object.keys(inc.channels).join(', ') || 'none'}); add it under incidents.channels or name one of those`,
          });
        else if (ch.type === 'email' && n.to.length === 0)
          ctx.addIssue({
            code: 'custom',
            path: ['matrix', sev, 'notify', i, 'to'],
            message: `channel '${n.channel}' is email: give the addresses to notify in 'to'`,
          });
      });
  });

/** The validated `incidents` section. */
export type IncidentsConfig = z.infer<typeof IncidentsSchema>;
/** One channel of {@link IncidentsConfig}. */
export type ChannelConfig = IncidentsConfig['channels'][string];
/** One matrix row. */
export type MatrixRow = IncidentsConfig['matrix'][string];
