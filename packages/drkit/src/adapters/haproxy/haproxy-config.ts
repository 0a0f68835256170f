/** Health-check timing of the front door (Route 53 health check: interval × failure threshold). */
export interface HealthCheckSettings {
  /** Milliseconds between checks of one target. */
  readonly intervalMs: number;
  /** Consecutive failures that mark a target down. */
  readonly fall: number;
  /** Consecutive successes that mark it up again. */
  readonly rise: number;
  /** A check slower than this fails. */
  readonly timeoutMs: number;
}

/** One app task behind the front door. */
export interface HaproxyServer {
  /** Server name in HAProxy (`a-1`, `b-1`): region and task number. */
  readonly name: string;
  readonly region: string;
  readonly host: string;
  readonly port: number;
  /** Backup servers take traffic only when no primary server is up (`backup`). */
  readonly backup: boolean;
}

/**
 * A plain TCP hop (`listen … mode tcp`) of the lab's WAN: an inter-region link. Region B's
 * standby streams WAL from region A through it, so the runtime API can cut it (partition) and
 * heal it.
 */
export interface HaproxyTcpLink {
  /** Section name (`link-a-b`): the proxy name in runtime commands. */
  readonly name: string;
  readonly bindPort: number;
  /** The one server behind the link (`pg-a`). */
  readonly server: string;
  readonly host: string;
  readonly port: number;
}

/** What every HAProxy process of the lab has: its runtime API socket and pid file. */
export interface HaproxyProcessSettings {
  /** Unix socket of the runtime API (`level admin`). */
  readonly statsSocket: string;
  readonly pidFile: string;
}

/** Everything the front door's haproxy.cfg is rendered from. */
export interface HaproxySettings extends HaproxyProcessSettings {
  readonly bindHost: string;
  readonly bindPort: number;
  readonly servers: readonly HaproxyServer[];
  readonly health: HealthCheckSettings;
  /** Servers written `disabled` (in maintenance from start): the routed-away region's. */
  readonly disabled: ReadonlySet<string>;
  /**
   * Port of a stats frontend serving HAProxy's built-in Prometheus exporter on `/metrics`.
   * @default none (no exporter)
   */
  readonly metricsPort?: number;
  /**
   * The map file holding the API's isolation switch ({@link API_ISOLATION_KEY} → `open` or
   * `isolated`), changed at run time with `set map`. @default none (the API cannot be isolated)
   */
  readonly apiIsolationMap?: string;
  /**
   * Port of the lab's status page process: `/status` and `/api/v2/summary.json` go to it
   * before any other rule, so the page answers while the API is isolated. @default none
   */
  readonly statusPagePort?: number;
}

/** Everything the WAN's haproxy.cfg is rendered from. */
export interface HaproxyWanSettings extends HaproxyProcessSettings {
  readonly bindHost: string;
  readonly links: readonly HaproxyTcpLink[];
}

/** The backend every server lives in. */
export const BACKEND = 'app';

/**
 * The backend `/webhooks/` goes to: the same servers as {@link BACKEND}, so a webhook outage
 * can be made at the front door (its servers in maintenance: HAProxy answers 503) while every
 * other route is served.
 */
export const WEBHOOKS_BACKEND = 'webhooks';

/** The key of the front door's API isolation switch in its map file. */
export const API_ISOLATION_KEY = 'api';

/**
 * Paths the front door still serves while the API is isolated: the health endpoint and the
 * status page (`/status…`, `/api/v2/summary.json`), so monitors and users see what is going on.
 */
export const ISOLATION_EXEMPT = {
  exact: ['/healthz', '/api/v2/summary.json'],
  prefix: ['/status'],
} as const;

/** The front door's rule answering 503 to every API request while the switch says `isolated`. */
function isolationRule(map: string): string[] {
  const exempt = [
    ...ISOLATION_EXEMPT.exact.map((p) => `!{ path ${p} }`),
    ...ISOLATION_EXEMPT.prefix.map((p) => `!{ path_beg ${p} }`),
  ].join(' ');
  return [
    `    http-request return status 503 content-type application/json string "{\\"error\\":\\"api isolated (security incident)\\"}" hdr Retry-After 60 hdr X-Drkit-Isolated 1 if ${exempt} { str(${API_ISOLATION_KEY}),map(${map},open) -m str isolated }`,
  ];
}
/** The backend of the lab's status page (`/status`, `/api/v2/summary.json`). */
export const STATUS_PAGE_BACKEND = 'status_page';

/**
 * Renders haproxy.cfg: one frontend, one backend with the primary region's servers and the
 * other region's as `backup` (and the same servers again in {@link WEBHOOKS_BACKEND} for
 * `/webhooks/`) (`option allbackups`: every backup shares the load), HTTP checks
 * of `/healthz`, an admin-level stats socket for the runtime API, and with `metricsPort` a
 * frontend serving the built-in Prometheus exporter. With `apiIsolationMap`, a switch in that
 * map makes the front door answer 503 to every request but `/healthz` and `/status…`. Routed-away servers are
 * written `disabled`, so a restart of HAProxy keeps them out of service.
 */
export function renderHaproxyConfig(s: HaproxySettings): string {
  const h = s.health;
  const backend = (name: string) => [
    `backend ${name}`,
    '    balance roundrobin',
    '    option allbackups',
    '    option httpchk GET /healthz',
    '    http-check expect status 200',
    `    default-server inter ${h.intervalMs}ms fall ${h.fall} rise ${h.rise}`,
    ...s.servers.map(
      (srv) =>
        `    server ${srv.name} ${srv.host}:${srv.port} check${srv.backup ? ' backup' : ''}${s.disabled.has(srv.name) ? ' disabled' : ''}`,
    ),
  ];
  const lines = [
    ...globalSection('the lab front door', s),
    '',
    'defaults',
    '    mode http',
    '    timeout connect 500ms',
    '    timeout client 10s',
    '    timeout server 3s',
    `    timeout check ${h.timeoutMs}ms`,
    '    retries 1',
    '    option redispatch',
    '',
    'frontend front_door',
    `    bind ${s.bindHost}:${s.bindPort}`,
    '    http-response set-header X-Drkit-Server %s',
    ...(s.apiIsolationMap ? isolationRule(s.apiIsolationMap) : []),
    ...(s.statusPagePort
      ? [
          `    use_backend ${STATUS_PAGE_BACKEND} if { path_beg /status } || { path /api/v2/summary.json }`,
        ]
      : []),
    `    use_backend ${WEBHOOKS_BACKEND} if { path_beg /webhooks/ }`,
    `    default_backend ${BACKEND}`,
    '',
    ...(s.metricsPort
      ? [
          'frontend stats',
          `    bind ${s.bindHost}:${s.metricsPort}`,
          '    http-request use-service prometheus-exporter if { path /metrics }',
          '    no log',
          '',
        ]
      : []),
    ...backend(BACKEND),
    '',
    ...backend(WEBHOOKS_BACKEND),
    ...(s.statusPagePort
      ? ['', `backend ${STATUS_PAGE_BACKEND}`, `    server status 127.0.0.1:${s.statusPagePort}`]
      : []),
  ];
  return lines.join('\n') + '\n';
}

/**
 * Renders the WAN's haproxy.cfg: one `listen … mode tcp` section per inter-region link, each
 * forwarding to its one server, and a connection log (`option tcplog`) on stderr, which the
 * process writes to its log file. The WAN is a process of its own: losing or restarting the
 * front door never drops a replication stream.
 */
export function renderWanConfig(s: HaproxyWanSettings): string {
  const lines = [
    ...globalSection('the lab WAN between regions', s),
    '    log stderr format iso local0 info',
    '',
    'defaults',
    '    mode tcp',
    '    log global',
    '    option tcplog',
    '    timeout connect 500ms',
    // A replication stream can be idle for long (walsender keepalives every
    // wal_sender_timeout/2 = 30 s): long TCP timeouts, no check — a link is up unless cut
    // through the runtime API.
    '    timeout client 1h',
    '    timeout server 1h',
  ];
  for (const l of s.links)
    lines.push(
      '',
      `listen ${l.name}`,
      `    bind ${s.bindHost}:${l.bindPort}`,
      `    server ${l.server} ${l.host}:${l.port}`,
    );
  return lines.join('\n') + '\n';
}

function globalSection(what: string, s: HaproxyProcessSettings): string[] {
  return [
    `# Written by drkit (${what}); runtime changes go through the stats socket.`,
    'global',
    `    stats socket ${s.statsSocket} mode 600 level admin`,
    `    pidfile ${s.pidFile}`,
    '    maxconn 2000',
  ];
}

/** One row of `show servers state <backend>`. */
export interface ServerState {
  readonly name: string;
  readonly address: string;
  /** 0 stopped (down), 1 starting, 2 running (up), 3 stopping. */
  readonly opState: number;
  /** Bit set: 0x01 forced maint, 0x02 inherited, 0x04 config (`disabled`), 0x08 forced drain, 0x20 resolution, 0x40 hostname. */
  readonly adminState: number;
}

/** Parses `show servers state` (format version 1). */
export function parseServersState(text: string): ServerState[] {
  const lines = text.split('\n').map((l) => l.trim());
  const header = lines.find((l) => l.startsWith('# be_id'));
  if (!header) return [];
  const cols = header.slice(2).split(/\s+/);
  const idx = (c: string) => cols.indexOf(c);
  const out: ServerState[] = [];
  for (const l of lines) {
    if (!l || l.startsWith('#') || /^\d+$/.test(l)) continue;
    const f = l.split(/\s+/);
    out.push({
      name: f[idx('srv_name')]!,
      address: `${f[idx('srv_addr')]}:${f[idx('srv_port')]}`,
      opState: Number(f[idx('srv_op_state')]),
      adminState: Number(f[idx('srv_admin_state')]),
    });
  }
  return out;
}

/** True when a server is in maintenance by any cause. */
export function inMaintenance(adminState: number): boolean {
  return (adminState & (0x01 | 0x02 | 0x04 | 0x20 | 0x40)) !== 0;
}
