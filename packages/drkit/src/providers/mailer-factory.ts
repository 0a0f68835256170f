import { z } from 'zod';
import type { SesMailer } from '../adapters/aws/index.js';
import { SmtpMailer } from '../adapters/smtp/index.js';
import { UsageError } from '../engine/errors.js';
import type { Mailer, MailerFactory } from '../ports/mailer.js';

/** An SMTP provider's credentials, as its secret holds them. */
const SmtpCredentials = z.object({
  kind: z.literal('smtp'),
  host: z.string().min(1),
  port: z.coerce.number().int().min(1).max(65535),
  secure: z.boolean().optional(),
  requireTls: z.boolean().optional(),
  user: z.string().min(1).optional(),
  password: z.string().optional(),
});

/** An SES provider's credentials: the region (the SDK's own credentials chain signs). */
const SesCredentials = z.object({ kind: z.literal('ses'), region: z.string().min(1) });

/**
 * The mailer factory a provider binds: SMTP always, SES when the provider has AWS clients.
 * Errors name the kind and the missing or malformed fields, never a value.
 */
export function mailerFactory(
  opts: { readonly ses?: (region: string) => SesMailer } = {},
): MailerFactory {
  const kinds = ['smtp', ...(opts.ses ? ['ses'] : [])];
  const parse = <T>(schema: z.ZodType<T>, creds: Readonly<Record<string, unknown>>): T => {
    const r = schema.safeParse(creds);
    if (r.success) return r.data;
    const fields = [...new Set(r.error.issues.map((i) => i.path.join('.') || '(root)'))];
    throw new UsageError(
      `${String(creds.kind)} credentials: missing or malformed ${fields.join(', ')}`,
      {
        hint: 'fix the provider’s credentials secret (drkit never prints its values)',
      },
    );
  };
  return {
    kinds,
    open(creds): Mailer {
      const kind = creds.kind;
      if (kind === 'smtp') {
        const c = parse(SmtpCredentials, creds);
        return new SmtpMailer({
          host: c.host,
          port: c.port,
          ...(c.secure !== undefined ? { secure: c.secure } : {}),
          ...(c.requireTls !== undefined ? { requireTls: c.requireTls } : {}),
          ...(c.user !== undefined ? { user: c.user, password: c.password ?? '' } : {}),
        });
      }
      if (kind === 'ses' && opts.ses) return opts.ses(parse(SesCredentials, creds).region);
      throw new UsageError(`unknown email provider kind '${String(kind)}'`, {
        hint: `this provider can open: ${kinds.join(', ')} (the credentials secret's "kind")`,
      });
    },
  };
}
