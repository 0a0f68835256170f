import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import path from 'node:path';
import { UsageError } from '../engine/errors.js';
import type { Notification, Notifier } from '../ports/notifier.js';

/** One alert as Alertmanager's webhook (payload version 4) sends it. */
export interface WebhookAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** When Prometheus started firing it (the rule's `for` elapsed), RFC 3339. */
  readonly startsAt: string;
  readonly endsAt?: string;
  readonly fingerprint?: string;
}

/** One line of the receiver's JSONL record: an alert and when drkit received it. */
export interface ReceivedAlert extends WebhookAlert {
  readonly alertname: string;
  /** When the receiver got Alertmanager's delivery (drkit's clock), ISO 8601. */
  readonly receivedAt: string;
}

/**
 * The alerts of one Alertmanager webhook delivery.
 * @throws UsageError when the body is not a version-4 webhook payload with an `alerts` array
 */
export function parseWebhook(body: unknown): WebhookAlert[] {
  const b = body as { version?: unknown; alerts?: unknown } | null;
  if (!b || typeof b !== 'object' || b.version !== '4' || !Array.isArray(b.alerts))
    throw new UsageError('not an Alertmanager webhook payload (version "4" with alerts[])');
  return b.alerts.map((a: unknown, i: number) => {
    const x = a as Partial<WebhookAlert> | null;
    if (
      !x ||
      (x.status !== 'firing' && x.status !== 'resolved') ||
      typeof x.labels !== 'object' ||
      typeof x.startsAt !== 'string' ||
      Number.isNaN(Date.parse(x.startsAt))
    )
      throw new UsageError(`alerts[${i}]: needs status firing|resolved, labels and startsAt`);
    return {
      status: x.status,
      labels: x.labels,
      annotations: x.annotations ?? {},
      startsAt: x.startsAt,
      // A firing alert carries Go's zero time (0001-01-01) as endsAt: no end yet.
      ...(x.endsAt && !x.endsAt.startsWith('0001-') ? { endsAt: x.endsAt } : {}),
      ...(x.fingerprint ? { fingerprint: x.fingerprint } : {}),
    };
  });
}

/** What the notifier is told about an alert: subject with state and name, the rule's texts as body. */
export function alertNotification(a: WebhookAlert): Notification {
  const name = a.labels.alertname ?? 'alert';
  const sev = a.labels.severity;
  return {
    subject: `[${a.status.toUpperCase()}] ${name}: ${a.annotations.summary ?? name}`,
    body: [
      a.annotations.description ?? '',
      `started ${a.startsAt}${a.status === 'resolved' && a.endsAt ? `, resolved ${a.endsAt}` : ''}`,
      `labels ${JSON.stringify(a.labels)}`,
    ]
      .filter(Boolean)
      .join('\n'),
    severity:
      a.status === 'resolved' ? 'info' : sev === 'critical' || sev === 'warning' ? sev : 'warning',
  };
}

/** Reads the receiver's record (oldest first); none yet: empty. */
export function readReceivedAlerts(file: string): ReceivedAlert[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ReceivedAlert);
}

/** Options of {@link startAlertReceiver}. */
export interface AlertReceiverOptions {
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** @default 0 (a free port) */
  readonly port?: number;
  /** JSONL file every received alert is appended to. */
  readonly alertsFile: string;
  /** Told about every alert received (firing and resolved). */
  readonly notifier: Notifier;
  /** Serves `GET /metrics` when given: the Prometheus text and its content type. */
  readonly metrics?: () => Promise<{ text: string; contentType: string }>;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** A running receiver. */
export interface AlertReceiver {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/**
 * drkit's Alertmanager webhook receiver (`POST /alerts`): records each alert with its
 * `startsAt` and the time it was received, then hands it to the notifier; answers 400 to a
 * body that is not a webhook payload, and 500 when the notifier fails (Alertmanager retries).
 * With `metrics` it also serves drkit's `/metrics`, so one lab process is both ends of
 * Prometheus.
 */
export async function startAlertReceiver(opts: AlertReceiverOptions): Promise<AlertReceiver> {
  const now = opts.now ?? (() => new Date());
  mkdirSync(path.dirname(opts.alertsFile), { recursive: true });
  const server = createServer((req, res) => {
    const reply = (code: number, text: string, type = 'text/plain') =>
      res.writeHead(code, { 'content-type': type }).end(text);
    if (req.method === 'POST' && req.url === '/alerts') {
      readBody(req)
        .then(async (raw) => {
          const receivedAt = now().toISOString();
          let alerts: WebhookAlert[];
          try {
            alerts = parseWebhook(JSON.parse(raw));
          } catch (err) {
            reply(400, `${(err as Error).message}\n`);
            return;
          }
          for (const a of alerts)
            appendFileSync(
              opts.alertsFile,
              JSON.stringify({ alertname: a.labels.alertname ?? '', receivedAt, ...a }) + '\n',
            );
          for (const a of alerts) await opts.notifier.notify(alertNotification(a));
          reply(200, 'ok\n');
        })
        .catch((err: unknown) => reply(500, `${(err as Error).message}\n`));
    } else if (req.method === 'GET' && req.url === '/metrics' && opts.metrics) {
      opts
        .metrics()
        .then(({ text, contentType }) => reply(200, text, contentType))
        .catch((err: unknown) => reply(500, `${(err as Error).message}\n`));
    } else if (req.method === 'GET' && req.url === '/healthz') reply(200, 'ok\n');
    else reply(404, `POST /alerts${opts.metrics ? ', GET /metrics' : ''}, GET /healthz\n`);
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? 0);
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
