import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConflictError, NotFoundError } from '../../engine/errors.js';
import { TargetLock } from '../../engine/lock.js';
import type {
  ComponentStatus,
  IncidentStatus,
  StatusIncident,
  StatusPage,
  StatusUpdate,
} from '../../ports/status-page.js';
import { sleep } from '../../util/net.js';

/** One update of an incident on the lab's page (Statuspage's `incident_updates[]`). */
interface PageUpdate {
  readonly id: string;
  readonly status: IncidentStatus;
  readonly body: string;
  readonly created_at: string;
  readonly deliver_notifications: boolean;
  readonly affected_components: Array<{
    code: string;
    name: string;
    old_status: ComponentStatus;
    new_status: ComponentStatus;
  }>;
}

interface PageIncident {
  id: string;
  name: string;
  status: IncidentStatus;
  impact: 'none' | 'minor' | 'major' | 'critical';
  created_at: string;
  updated_at: string;
  monitoring_at: string | null;
  resolved_at: string | null;
  metadata: { drkit: { key: string } };
  component_codes: string[];
  incident_updates: PageUpdate[];
}

/** What the lab page keeps (`<dir>/page.json`). */
export interface LabPageState {
  readonly page: { id: string; name: string; updated_at: string };
  readonly components: Array<{
    id: string;
    name: string;
    status: ComponentStatus;
    updated_at: string;
    position: number;
  }>;
  readonly incidents: PageIncident[];
}

/** The public summary document, shaped like Statuspage's `/api/v2/summary.json`. */
export interface StatusSummary {
  readonly page: { id: string; name: string; url: string; time_zone: string; updated_at: string };
  readonly components: ReadonlyArray<Record<string, unknown>>;
  readonly incidents: ReadonlyArray<Record<string, unknown>>;
  readonly scheduled_maintenances: readonly never[];
  readonly status: { indicator: 'none' | 'minor' | 'major' | 'critical'; description: string };
}

const IMPACT_OF: Record<ComponentStatus, PageIncident['impact']> = {
  operational: 'none',
  under_maintenance: 'none',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
};
const RANK = { none: 0, minor: 1, major: 2, critical: 3 } as const;
const DESCRIPTION = {
  none: 'All Systems Operational',
  minor: 'Minor Service Outage',
  major: 'Partial System Outage',
  critical: 'Major System Outage',
} as const;

/**
 * drkit's own status page for the lab: incidents and components in a JSON file under the
 * state dir, changed under a lock; the lab's status server (`lab/status-page-server.ts`) renders
 * it as HTML at `/status` and as `/api/v2/summary.json`. Idempotent by key like Statuspage.
 */
export class LabStatusPage implements StatusPage {
  readonly kind = 'lab-status-page';
  readonly file: string;

  constructor(
    readonly dir: string,
    private readonly opts: { readonly name: string; readonly components: readonly string[] },
  ) {
    this.file = path.join(dir, 'page.json');
  }

  planOpen(i: StatusIncident): string[] {
    return [
      `lab status page ${this.file}: open "${i.name}" (${i.status}) unless an unresolved incident has key ${i.key}${
        Object.keys(i.components ?? {}).length
          ? `; components ${Object.entries(i.components ?? {})
              .map(([c, s]) => `${c}=${s}`)
              .join(' ')}`
          : ''
      }`,
    ];
  }

  planUpdate(id: string, u: StatusUpdate): string[] {
    return [`lab status page ${this.file}: incident ${id} → ${u.status}`];
  }

  async open(i: StatusIncident): Promise<{ id: string; created: boolean }> {
    return await this.change((s) => {
      const found = s.incidents.find(
        (x) => x.status !== 'resolved' && x.metadata.drkit.key === i.key,
      );
      if (found) return { id: found.id, created: false };
      const at = new Date().toISOString();
      const inc: PageIncident = {
        id: randomBytes(6).toString('hex'),
        name: i.name,
        status: i.status,
        impact: 'none',
        created_at: at,
        updated_at: at,
        monitoring_at: null,
        resolved_at: null,
        metadata: { drkit: { key: i.key } },
        component_codes: [],
        incident_updates: [],
      };
      s.incidents.push(inc);
      addUpdate(s, inc, {
        status: i.status,
        body: i.body,
        components: i.components,
        deliver: i.deliverNotifications,
      });
      return { id: inc.id, created: true };
    });
  }

  async update(id: string, u: StatusUpdate): Promise<void> {
    await this.change((s) => {
      const inc = s.incidents.find((x) => x.id === id);
      if (!inc) throw new NotFoundError(`the lab status page has no incident ${id}`);
      addUpdate(s, inc, {
        status: u.status,
        body: u.body,
        components: u.components,
        deliver: u.deliverNotifications,
      });
    });
  }

  /** The page as it stands (components created on first read). */
  read(): LabPageState {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as LabPageState;
    } catch {
      const at = new Date().toISOString();
      return {
        page: { id: 'drkit-lab', name: this.opts.name, updated_at: at },
        components: this.opts.components.map((name, position) => ({
          id: name,
          name,
          status: 'operational',
          updated_at: at,
          position,
        })),
        incidents: [],
      };
    }
  }

  /** The page as `/api/v2/summary.json`: unresolved incidents, components, the overall indicator. */
  summary(url = ''): StatusSummary {
    return summaryOf(this.read(), url);
  }

  private async change<T>(fn: (s: LabPageState) => T): Promise<T> {
    const token = `status-${process.pid}-${randomBytes(4).toString('hex')}`;
    let lock: TargetLock | undefined;
    for (const deadline = Date.now() + 30_000; !lock;) {
      try {
        lock = TargetLock.acquire(path.join(this.dir, 'locks'), 'status-page', token);
      } catch (err) {
        if (!(err instanceof ConflictError) || Date.now() > deadline) throw err;
        await sleep(25);
      }
    }
    try {
      const s = this.read();
      const out = fn(s);
      s.page.updated_at = new Date().toISOString();
      mkdirSync(this.dir, { recursive: true });
      writeFileSync(`${this.file}.tmp`, JSON.stringify(s, null, 2) + '\n');
      renameSync(`${this.file}.tmp`, this.file);
      return out;
    } finally {
      lock.release();
    }
  }
}

function addUpdate(
  s: LabPageState,
  inc: PageIncident,
  u: {
    status: IncidentStatus;
    body: string;
    components: Readonly<Record<string, ComponentStatus>> | undefined;
    deliver: boolean;
  },
): void {
  const at = new Date().toISOString();
  const affected: PageUpdate['affected_components'] = [];
  for (const [code, status] of Object.entries(u.components ?? {})) {
    const c = s.components.find((x) => x.id === code);
    if (!c) continue; // a component the page does not show
    affected.push({ code, name: c.name, old_status: c.status, new_status: status });
    c.status = status;
    c.updated_at = at;
    if (!inc.component_codes.includes(code)) inc.component_codes.push(code);
    if (RANK[IMPACT_OF[status]] > RANK[inc.impact]) inc.impact = IMPACT_OF[status];
  }
  inc.status = u.status;
  inc.updated_at = at;
  if (u.status === 'monitoring') inc.monitoring_at = at;
  if (u.status === 'resolved') inc.resolved_at = at;
  inc.incident_updates.unshift({
    id: randomBytes(6).toString('hex'),
    status: u.status,
    body: u.body,
    created_at: at,
    deliver_notifications: u.deliver,
    affected_components: affected,
  });
}

/** {@link LabPageState} as Statuspage's public summary document. */
export function summaryOf(s: LabPageState, url: string): StatusSummary {
  const open = s.incidents.filter((i) => i.status !== 'resolved');
  const worstComponent = s.components.reduce<StatusSummary['status']['indicator']>(
    (w, c) => (RANK[IMPACT_OF[c.status]] > RANK[w] ? IMPACT_OF[c.status] : w),
    'none',
  );
  const indicator = open.reduce<StatusSummary['status']['indicator']>(
    (w, i) => (RANK[i.impact] > RANK[w] ? i.impact : w),
    worstComponent,
  );
  const component = (c: LabPageState['components'][number]) => ({
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: s.page.updated_at,
    updated_at: c.updated_at,
    position: c.position,
    description: null,
    showcase: true,
    start_date: null,
    group_id: null,
    page_id: s.page.id,
    group: false,
    only_show_if_degraded: false,
  });
  return {
    page: {
      id: s.page.id,
      name: s.page.name,
      url,
      time_zone: 'Etc/UTC',
      updated_at: s.page.updated_at,
    },
    components: s.components.map(component),
    incidents: open.map((i) => ({
      id: i.id,
      name: i.name,
      status: i.status,
      created_at: i.created_at,
      updated_at: i.updated_at,
      monitoring_at: i.monitoring_at,
      resolved_at: i.resolved_at,
      impact: i.impact,
      shortlink: `${url}/status#${i.id}`,
      started_at: i.created_at,
      page_id: s.page.id,
      incident_updates: i.incident_updates.map((u) => ({
        id: u.id,
        status: u.status,
        body: u.body,
        incident_id: i.id,
        created_at: u.created_at,
        updated_at: u.created_at,
        display_at: u.created_at,
        affected_components: u.affected_components,
        deliver_notifications: u.deliver_notifications,
      })),
      components: s.components.filter((c) => i.component_codes.includes(c.id)).map(component),
    })),
    scheduled_maintenances: [],
    status: { indicator, description: DESCRIPTION[indicator] },
  };
}
