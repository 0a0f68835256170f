import { ConfigError, DrError, PreconditionError } from '../../engine/errors.js';
import type {
  ComponentStatus,
  StatusIncident,
  StatusPage,
  StatusUpdate,
} from '../../ports/status-page.js';
import { sleep } from '../../util/net.js';

/** Options of {@link StatuspageStatusPage}. */
export interface StatuspageOptions {
  /** @default 'https://api.statuspage.io' */
  readonly apiBase?: string;
  readonly pageId: string;
  readonly apiKey: string;
  /** The variable the key came from, named in errors (never the key). */
  readonly apiKeyEnv: string;
  /** drkit's component names → Statuspage component ids. @default {} */
  readonly components?: Readonly<Record<string, string>>;
  /** Least time between two requests' starts (the API: 1 request/s per token). @default 1000 */
  readonly minIntervalMs?: number;
  /** Attempts of a request refused with 420/429 before giving up. @default 5 */
  readonly rateLimitAttempts?: number;
}

/** The incident as the API returns it (the fields drkit reads). */
interface ApiIncident {
  readonly id: string;
  readonly status?: string;
  readonly metadata?: Record<string, Record<string, unknown>> | null;
}

/** Where drkit keeps its idempotency key in an incident's `metadata` (top-level values are objects). */
export const METADATA_NAMESPACE = 'drkit';

/**
 * The status page port on Atlassian Statuspage's REST API (`/v1/pages/{page}/incidents`,
 * `Authorization: OAuth <key>`). Requests go through one client-side queue, each sent `minIntervalMs`
 * after the previous answer (the API's 1 request/s per token); a 420 or 429 is retried after
 * `Retry-After` (or a doubling delay) up to `rateLimitAttempts`. `open` first lists the
 * unresolved incidents and returns the one whose `metadata.drkit.key` matches, so a resumed
 * runbook never opens a second incident.
 */
export class StatuspageStatusPage implements StatusPage {
  readonly kind = 'statuspage';
  private readonly base: string;
  private queue: Promise<unknown> = Promise.resolve();
  /** When the last request's answer came: the next starts `minIntervalMs` later, so arrivals are spaced too. */
  private lastDone = 0;

  constructor(private readonly opts: StatuspageOptions) {
    this.base = `${(opts.apiBase ?? 'https://api.statuspage.io').replace(/\/$/, '')}/v1/pages/${encodeURIComponent(opts.pageId)}`;
  }

  planOpen(i: StatusIncident): string[] {
    return [
      `GET ${this.base}/incidents/unresolved?per_page=100 (an incident with metadata.${METADATA_NAMESPACE}.key=${i.key} is reused)`,
      `POST ${this.base}/incidents name="${i.name}" status=${i.status} deliver_notifications=${i.deliverNotifications}${this.componentText(i.components)}`,
    ];
  }

  planUpdate(id: string, u: StatusUpdate): string[] {
    return [
      `PATCH ${this.base}/incidents/${id} status=${u.status} deliver_notifications=${u.deliverNotifications}${this.componentText(u.components)}`,
    ];
  }

  async open(i: StatusIncident): Promise<{ id: string; created: boolean }> {
    const open = (await this.request('GET', '/incidents/unresolved?per_page=100')) as ApiIncident[];
    const found = open.find((x) => x.metadata?.[METADATA_NAMESPACE]?.key === i.key);
    if (found) return { id: found.id, created: false };
    const created = (await this.request('POST', '/incidents', {
      incident: {
        name: i.name,
        status: i.status,
        body: i.body,
        deliver_notifications: i.deliverNotifications,
        metadata: { [METADATA_NAMESPACE]: { key: i.key } },
        ...this.componentBody(i.components),
      },
    })) as ApiIncident;
    return { id: created.id, created: true };
  }

  async update(id: string, u: StatusUpdate): Promise<void> {
    await this.request('PATCH', `/incidents/${encodeURIComponent(id)}`, {
      incident: {
        status: u.status,
        body: u.body,
        deliver_notifications: u.deliverNotifications,
        ...this.componentBody(u.components),
      },
    });
  }

  private componentBody(c: Readonly<Record<string, ComponentStatus>> | undefined) {
    const mapped = Object.entries(c ?? {}).filter(([name]) => this.opts.components?.[name]);
    if (!mapped.length) return {};
    return {
      component_ids: mapped.map(([name]) => this.opts.components![name]!),
      components: Object.fromEntries(mapped.map(([name, s]) => [this.opts.components![name]!, s])),
    };
  }

  private componentText(c: Readonly<Record<string, ComponentStatus>> | undefined): string {
    const parts = Object.entries(c ?? {}).map(
      ([name, s]) =>
        `${name}${this.opts.components?.[name] ? `(${this.opts.components[name]})` : '(no component id: not sent)'}=${s}`,
    );
    return parts.length ? ` components ${parts.join(' ')}` : '';
  }

  /** One request through the queue. */
  private request(method: string, path: string, body?: unknown): Promise<unknown> {
    const run = this.queue.then(() => this.send(method, path, body));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async send(method: string, path: string, body: unknown): Promise<unknown> {
    const attempts = this.opts.rateLimitAttempts ?? 5;
    const spacing = this.opts.minIntervalMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      const wait = this.lastDone + spacing - Date.now();
      if (wait > 0) await sleep(wait);
      let res: Response;
      try {
        res = await fetch(`${this.base}${path}`, {
          method,
          headers: {
            authorization: `OAuth ${this.opts.apiKey}`,
            accept: 'application/json',
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(15_000),
        });
      } catch (err) {
        this.lastDone = Date.now();
        throw new DrError(
          'EXTERNAL',
          `Statuspage could not be reached (${method} ${path}): ${(err as Error).message}`,
          {
            retryable: true,
            cause: err,
          },
        );
      }
      const text = await res.text().finally(() => (this.lastDone = Date.now()));
      if (res.ok) return text ? (JSON.parse(text) as unknown) : undefined;
      const what = `Statuspage answered ${res.status} to ${method} ${path}${text ? `: ${text.slice(0, 200)}` : ''}`;
      if (res.status === 420 || res.status === 429) {
        if (attempt >= attempts)
          throw new DrError('THROTTLED', `${what} (rate limited ${attempt} times)`, {
            retryable: true,
            hint: 'another client shares this API token: the limit is 1 request/s per token',
          });
        const after = Number(res.headers.get('retry-after'));
        await sleep(Number.isFinite(after) && after > 0 ? after * 1000 : spacing * 2 ** attempt);
        continue;
      }
      if (res.status === 401 || res.status === 403)
        throw new ConfigError(
          `Statuspage refused the API key in ${this.opts.apiKeyEnv} (${res.status})`,
          {
            hint: `set ${this.opts.apiKeyEnv} to a key of an owner of page ${this.opts.pageId} (Statuspage → API info)`,
          },
        );
      if (res.status >= 500) throw new DrError('EXTERNAL', what, { retryable: true });
      throw new PreconditionError(what);
    }
  }
}
