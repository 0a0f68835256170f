import { durationMs, type MatrixRow } from '../config/incidents-schema.js';
import { UsageError } from '../engine/errors.js';
import type { Incident, IncidentDesk, IncidentEvent, OpenIncident } from '../ports/incidents.js';
import type { Notification, Notifier } from '../ports/notifier.js';
import type { ComponentStatus, IncidentStatus, StatusPage } from '../ports/status-page.js';
import { IncidentStore, newIncidentId } from './incident-store.js';

/** What a {@link FileIncidentDesk} is made of. */
export interface IncidentDeskDeps {
  /** Where incidents are kept (`<stateDir>/incidents`). */
  readonly dir: string;
  /** Severity → row (config `incidents.matrix`). */
  readonly matrix: Readonly<Record<string, MatrixRow>>;
  /** The notifier of a channel for the given addresses (`to` is empty but for email). */
  channel(name: string, to: readonly string[]): Notifier;
  /** @default none: rows with `statusPage` are recorded as not posted */
  readonly statusPage?: StatusPage;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type Working = Mutable<Omit<Incident, 'timeline'>> & { timeline: IncidentEvent[] };

/**
 * The incident desk over files (see {@link IncidentDesk}): escalation goes one row up the
 * matrix (SEV3 → SEV2 → SEV1); at the top row it pages that row again every response time.
 */
export class FileIncidentDesk implements IncidentDesk {
  readonly kind = 'file';
  private readonly store: IncidentStore;

  constructor(private readonly deps: IncidentDeskDeps) {
    this.store = new IncidentStore(deps.dir);
  }

  severities(): string[] {
    return Object.keys(this.deps.matrix).sort();
  }

  planOpen(req: OpenIncident): string[] {
    const row = this.row(req.severity);
    const lines = row.notify.map(
      (n) =>
        `${n.who}: ${this.deps.channel(n.channel, n.to).planNotify(this.message(req.title, req.severity, req.body, 'opened'))[0] ?? n.channel}`,
    );
    lines.push(
      `escalate to ${this.above(req.severity) ?? `${req.severity} again`} unless acknowledged within ${row.response} (\`drkit incident ack <id>\`)`,
    );
    if (row.statusPage && this.deps.statusPage)
      lines.push(...this.deps.statusPage.planOpen(this.statusIncident(req.key, req, row)));
    return lines;
  }

  async open(req: OpenIncident): Promise<Incident> {
    const row = this.row(req.severity);
    return await this.store.locked(async () => {
      let inc = this.store.list().find((i) => i.key === req.key) as Working | undefined;
      if (!inc) {
        const at = new Date();
        inc = {
          id: newIncidentId(at),
          key: req.key,
          title: req.title,
          severity: req.severity,
          level: req.severity,
          status: 'investigating',
          drill: req.drill ?? false,
          components: [...(req.components ?? [])],
          openedAt: at.toISOString(),
          escalatesAt: new Date(at.getTime() + durationMs(row.response)).toISOString(),
          timeline: [
            {
              at: at.toISOString(),
              type: 'opened',
              level: req.severity,
              note: `${req.severity}: ${req.title} (respond within ${row.response})`,
            },
          ],
        };
        // saved before anyone is told: a crash now leaves a record a resume finds
        this.store.save(inc);
        await this.notifyRow(
          inc,
          row,
          this.message(req.title, req.severity, req.body, 'opened', inc.id),
        );
        this.store.save(inc);
      }
      if (row.statusPage && !inc.statusPage) await this.openOnPage(inc, req.body, row);
      this.store.save(inc);
      return inc;
    });
  }

  async acknowledge(id: string, by: string): Promise<Incident> {
    return await this.change(id, (inc) => {
      if (inc.acknowledgedAt) return;
      const at = new Date().toISOString();
      inc.acknowledgedAt = at;
      inc.acknowledgedBy = by;
      delete inc.escalatesAt;
      inc.timeline.push({
        at,
        type: 'acknowledged',
        who: by,
        level: inc.level,
        note: `acknowledged by ${by}`,
      });
    });
  }

  async update(
    id: string,
    u: { status?: IncidentStatus; body: string; by?: string },
  ): Promise<Incident> {
    return await this.change(id, async (inc) => {
      const status = u.status ?? inc.status;
      inc.status = status;
      inc.timeline.push({
        at: new Date().toISOString(),
        type: 'status',
        level: inc.level,
        ...(u.by ? { who: u.by } : {}),
        note: `${status}: ${u.body}`,
      });
      await this.pageUpdate(inc, status, u.body);
    });
  }

  async resolve(id: string, u: { body: string; by?: string }): Promise<Incident> {
    return await this.change(id, async (inc) => {
      const at = new Date().toISOString();
      inc.status = 'resolved';
      inc.resolvedAt = at;
      delete inc.escalatesAt;
      inc.timeline.push({
        at,
        type: 'resolved',
        level: inc.level,
        ...(u.by ? { who: u.by } : {}),
        note: u.body,
      });
      await this.pageUpdate(inc, 'resolved', u.body);
      await this.notifyRow(
        inc,
        this.row(inc.level),
        this.message(inc.title, inc.level, u.body, 'resolved', inc.id),
      );
    });
  }

  async escalateDue(now = new Date()): Promise<Incident[]> {
    const due = (i: Incident) =>
      i.status !== 'resolved' &&
      !i.acknowledgedAt &&
      i.escalatesAt !== undefined &&
      Date.parse(i.escalatesAt) <= now.getTime();
    if (!this.store.list().some(due)) return [];
    return await this.store.locked(async () => {
      const out: Incident[] = [];
      // read again under the lock: another process may have escalated or acknowledged it
      for (const inc of this.store.list().filter(due) as Working[]) {
        const from = inc.level;
        const to = this.above(from) ?? from;
        const row = this.row(to);
        const at = new Date();
        inc.level = to;
        inc.escalatesAt = new Date(at.getTime() + durationMs(row.response)).toISOString();
        inc.timeline.push({
          at: at.toISOString(),
          type: 'escalated',
          level: to,
          note:
            to === from
              ? `not acknowledged within ${this.row(from).response}: ${to} paged again (no higher level)`
              : `not acknowledged within ${this.row(from).response}: ${from} → ${to}`,
        });
        this.store.save(inc);
        await this.notifyRow(
          inc,
          row,
          this.message(
            inc.title,
            to,
            `Not acknowledged within ${this.row(from).response}.`,
            'escalated',
            inc.id,
          ),
        );
        if (row.statusPage && !inc.statusPage) await this.openOnPage(inc, inc.title, row);
        this.store.save(inc);
        out.push(inc);
      }
      return out;
    });
  }

  list(): Incident[] {
    return this.store.list();
  }

  get(id: string): Incident {
    return this.store.get(id);
  }

  byKey(key: string): Incident | undefined {
    return this.store.list().find((i) => i.key === key);
  }

  private async change(id: string, fn: (inc: Working) => void | Promise<void>): Promise<Incident> {
    return await this.store.locked(async () => {
      const inc = this.store.get(id) as Working;
      await fn(inc);
      this.store.save(inc);
      return inc;
    });
  }

  /** The row of a severity. @throws UsageError naming the matrix's severities */
  private row(severity: string): MatrixRow {
    const row = this.deps.matrix[severity];
    if (!row)
      throw new UsageError(
        `unknown severity '${severity}': the escalation matrix has ${this.severities().join(', ')}`,
        { hint: 'pass one of those (e.g. --severity SEV2), or add the row under incidents.matrix' },
      );
    return row;
  }

  /** The next level up (SEV2 for SEV3), or undefined at the top. */
  private above(severity: string): string | undefined {
    const all = this.severities();
    const i = all.indexOf(severity);
    return i > 0 ? all[i - 1] : undefined;
  }

  private message(
    title: string,
    level: string,
    body: string,
    what: 'opened' | 'escalated' | 'resolved',
    id?: string,
  ): Notification {
    const tag = what === 'opened' ? '' : `${what.toUpperCase()} `;
    return {
      subject: `${tag}[${level}] ${title}${id ? ` (${id})` : ''}`,
      body:
        what === 'resolved'
          ? body
          : `${body}\n\nAcknowledge: drkit incident ack ${id ?? '<id>'} --by <name>`,
      severity:
        what === 'resolved' ? 'info' : level === this.severities()[0] ? 'critical' : 'warning',
    };
  }

  private async notifyRow(inc: Working, row: MatrixRow, msg: Notification): Promise<void> {
    for (const n of row.notify) {
      const at = new Date().toISOString();
      try {
        await this.deps.channel(n.channel, n.to).notify({ ...msg, at: new Date(at) });
        inc.timeline.push({
          at,
          type: 'notified',
          who: n.who,
          channel: n.channel,
          level: inc.level,
          note: msg.subject,
        });
      } catch (err) {
        inc.timeline.push({
          at,
          type: 'notify-failed',
          who: n.who,
          channel: n.channel,
          level: inc.level,
          note: (err as Error).message,
        });
      }
    }
  }

  private statusIncident(
    key: string,
    req: { title: string; body: string; drill?: boolean; components?: readonly string[] },
    row: MatrixRow,
  ) {
    const components: Record<string, ComponentStatus> = {};
    for (const c of req.components ?? []) components[c] = row.componentStatus;
    return {
      key,
      name: req.title,
      status: 'investigating' as const,
      body: req.body,
      components,
      deliverNotifications: !req.drill,
    };
  }

  private async openOnPage(inc: Working, body: string, row: MatrixRow): Promise<void> {
    const page = this.deps.statusPage;
    const at = new Date().toISOString();
    if (!page) {
      inc.timeline.push({
        at,
        type: 'status-page-failed',
        level: inc.level,
        note: 'no status page is configured (incidents.statusPage)',
      });
      return;
    }
    try {
      const r = await page.open(this.statusIncident(inc.key, { ...inc, body }, row));
      inc.statusPage = { kind: page.kind, id: r.id };
      inc.timeline.push({
        at,
        type: 'status-page',
        level: inc.level,
        note: `${r.created ? 'opened' : 'found'} ${page.kind} incident ${r.id} (investigating${inc.drill ? ', subscribers not notified: drill' : ''})`,
      });
    } catch (err) {
      inc.timeline.push({
        at,
        type: 'status-page-failed',
        level: inc.level,
        note: (err as Error).message,
      });
    }
  }

  private async pageUpdate(inc: Working, status: IncidentStatus, body: string): Promise<void> {
    const page = this.deps.statusPage;
    if (!page || !inc.statusPage) return;
    const components: Record<string, ComponentStatus> = {};
    if (status === 'resolved') for (const c of inc.components) components[c] = 'operational';
    const at = new Date().toISOString();
    try {
      await page.update(inc.statusPage.id, {
        status,
        body,
        ...(status === 'resolved' ? { components } : {}),
        deliverNotifications: !inc.drill,
      });
      inc.timeline.push({
        at,
        type: 'status-page',
        level: inc.level,
        note: `${page.kind} incident ${inc.statusPage.id} → ${status}`,
      });
    } catch (err) {
      inc.timeline.push({
        at,
        type: 'status-page-failed',
        level: inc.level,
        note: (err as Error).message,
      });
    }
  }
}
