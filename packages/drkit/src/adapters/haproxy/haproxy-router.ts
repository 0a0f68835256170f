import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DrError, PreconditionError, UsageError } from '../../engine/errors.js';
import type { Router, RouterCapability, RouterStatus, RouteTarget } from '../../ports/router.js';
import {
  API_ISOLATION_KEY,
  BACKEND,
  WEBHOOKS_BACKEND,
  inMaintenance,
  parseServersState,
  renderHaproxyConfig,
  type HaproxyServer,
  type HealthCheckSettings,
} from './haproxy-config.js';
import { HaproxyProcess } from './haproxy-process.js';

/** Options of {@link HaproxyRouter}. */
export interface HaproxyRouterOptions {
  /** Directory of haproxy.cfg, the pid file, the runtime socket and the routing record. */
  readonly dir: string;
  /** Front door port on 127.0.0.1. */
  readonly port: number;
  readonly servers: readonly HaproxyServer[];
  readonly health: HealthCheckSettings;
  /** The region whose servers are primary (the others are `backup`). */
  readonly primaryRegion: string;
  /** @default '/usr/sbin/haproxy' */
  readonly bin?: string;
  /** Port of HAProxy's Prometheus exporter (`/metrics`) on 127.0.0.1. @default none */
  readonly metricsPort?: number;
  /** Port of the lab's status page process (`/status`, `/api/v2/summary.json`). @default none */
  readonly statusPagePort?: number;
}

/**
 * The lab's front door: HAProxy (the distribution package) with region A's app tasks as
 * servers and region B's as backups, health-checked on `/healthz` — the lab's Route 53
 * failover record. Flips and inspections go through the runtime API (stats socket); the
 * chosen region is also recorded in `route.json` and rendered into haproxy.cfg, so a restart
 * of HAProxy never sends traffic back to a routed-away region.
 */
export class HaproxyRouter implements Router {
  readonly kind = 'haproxy';
  readonly capabilities: ReadonlySet<RouterCapability> = new Set<RouterCapability>([
    'health-checks',
    'runtime',
    'backup-targets',
  ]);
  private readonly proc: HaproxyProcess;
  private readonly routeFile: string;
  /** The API isolation switch (see {@link setApiIsolated}); kept on disk so a restart keeps it. */
  readonly apiIsolationMap: string;

  constructor(private readonly opts: HaproxyRouterOptions) {
    this.proc = new HaproxyProcess({
      dir: opts.dir,
      what: 'the front door (HAProxy)',
      hint: 'start the lab front door with `drkit lab up` (or start HAProxy with the lab haproxy.cfg)',
      render: (files) => this.render(files),
      ...(opts.bin ? { bin: opts.bin } : {}),
    });
    this.routeFile = path.join(opts.dir, 'route.json');
    this.apiIsolationMap = path.join(opts.dir, 'api-isolation.map');
  }

  get configFile(): string {
    return this.proc.configFile;
  }

  get socket(): string {
    return this.proc.socket;
  }

  get pidFile(): string {
    return this.proc.pidFile;
  }

  /** HAProxy's own log (startup, alerts). */
  get logFile(): string {
    return this.proc.logFile;
  }

  /** The front door's URL. */
  get url(): string {
    return `http://127.0.0.1:${this.opts.port}`;
  }

  /** The exporter's scrape URL, when the front door has one. */
  get metricsUrl(): string | undefined {
    return this.opts.metricsPort ? `http://127.0.0.1:${this.opts.metricsPort}/metrics` : undefined;
  }

  /** The region traffic is routed to by decision (not health): `route.json`, else the primary. */
  routedRegion(): string {
    if (!existsSync(this.routeFile)) return this.opts.primaryRegion;
    return (JSON.parse(readFileSync(this.routeFile, 'utf8')) as { region: string }).region;
  }

  /** Writes haproxy.cfg, checks it (`haproxy -c`) and starts HAProxy (see {@link HaproxyProcess}). No-op when running. */
  async start(): Promise<void> {
    await this.proc.start();
  }

  /** Stops HAProxy and waits for it to exit. Idempotent. */
  async stop(): Promise<void> {
    await this.proc.stop();
  }

  /** HAProxy's pid when it runs. */
  pid(): number | undefined {
    return this.proc.pid();
  }

  async status(): Promise<RouterStatus> {
    const text = await this.proc.command(`show servers state ${BACKEND}`);
    const states = new Map(parseServersState(text).map((s) => [s.name, s]));
    const targets: RouteTarget[] = this.opts.servers.map((srv) => {
      const st = states.get(srv.name);
      const maint = st ? inMaintenance(st.adminState) : true;
      return {
        name: srv.name,
        region: srv.region,
        address: `${srv.host}:${srv.port}`,
        backup: srv.backup,
        admin: maint ? 'maint' : st && (st.adminState & 0x18) !== 0 ? 'drain' : 'ready',
        health: !st ? 'unchecked' : st.opState === 2 ? 'up' : 'down',
      };
    });
    const serving = (t: RouteTarget) => t.admin === 'ready' && t.health === 'up';
    const primaryUp = targets.filter((t) => !t.backup && serving(t));
    const backupUp = targets.filter((t) => t.backup && serving(t));
    const active = primaryUp[0]?.region ?? backupUp[0]?.region;
    return { activeRegion: active, targets };
  }

  async planRouteTo(region: string): Promise<string[]> {
    return [
      `router(${this.kind}) routeTo ${region}: other regions' targets to maintenance, ${region}'s ready (healthy ones marked up at once)`,
    ];
  }

  async routeTo(region: string, opts: { assumeHealthy?: readonly string[] } = {}): Promise<void> {
    if (!this.opts.servers.some((s) => s.region === region))
      throw new UsageError(`no front-door targets in region '${region}'`);
    // Routed away from the primary region: take the others out first, so no request reaches
    // them once this returns. Back to the primary region: the normal failover record again.
    const away = region !== this.opts.primaryRegion;
    // the webhooks backend follows (unless a drill holds it in maintenance: see setWebhooksDown)
    const backends = this.webhooksDown ? [BACKEND] : [BACKEND, WEBHOOKS_BACKEND];
    for (const b of backends) {
      if (away)
        for (const s of this.opts.servers.filter((x) => x.region !== region))
          await this.cmd(`set server ${b}/${s.name} state maint`);
      for (const s of this.opts.servers.filter((x) => x.region === region || !away)) {
        await this.cmd(`set server ${b}/${s.name} state ready`);
        if (opts.assumeHealthy?.includes(s.name))
          await this.cmd(`set server ${b}/${s.name} health up`);
      }
    }
    const tmp = `${this.routeFile}.tmp`;
    writeFileSync(tmp, JSON.stringify({ region, at: new Date().toISOString() }) + '\n');
    renameSync(tmp, this.routeFile);
    this.proc.writeConfig();
  }

  private webhooksDown = false;

  /**
   * A webhook outage at the front door (a drill's fault): `true` puts every server of the
   * `/webhooks/` backend in maintenance, so HAProxy answers 503 to each delivery while every
   * other route is served; `false` makes the routed region's servers ready again (the others
   * stay in maintenance after a failover). Runtime only: a restart of HAProxy ends the outage.
   */
  async setWebhooksDown(down: boolean): Promise<void> {
    const routed = this.routedRegion();
    const away = routed !== this.opts.primaryRegion;
    // a server leaving maintenance waits for `rise` checks: one the app backend sees up is
    // marked up at once, so the route is back when this returns
    const upInApp = new Set(
      parseServersState(await this.proc.command(`show servers state ${BACKEND}`))
        .filter((st) => st.opState === 2)
        .map((st) => st.name),
    );
    for (const s of this.opts.servers) {
      const serves = !away || s.region === routed;
      const b = `${WEBHOOKS_BACKEND}/${s.name}`;
      await this.cmd(`set server ${b} state ${down || !serves ? 'maint' : 'ready'}`);
      if (!down && serves && upInApp.has(s.name)) await this.cmd(`set server ${b} health up`);
    }
    this.webhooksDown = down;
  }

  /**
   * The security-breach isolation of the API at the front door: `true` makes HAProxy answer
   * 503 to every request but `/healthz` and `/status…` (the app tasks keep running and stay
   * health-checked); `false` serves the API again. Set through the runtime API (`set map`, no
   * reload, no dropped connection) and written to the map file, so a restart keeps it.
   * Idempotent.
   */
  async setApiIsolated(isolated: boolean): Promise<void> {
    const value = isolated ? 'isolated' : 'open';
    await this.cmd(`set map ${this.apiIsolationMap} ${API_ISOLATION_KEY} ${value}`);
    this.writeIsolationMap(value);
  }

  /** Whether the running front door isolates the API now (its runtime map, not the file). */
  async apiIsolated(): Promise<boolean> {
    const text = await this.proc.command(`show map ${this.apiIsolationMap}`);
    if (/^(Unknown map|No such map)/im.test(text))
      throw new PreconditionError(
        `the running front door has no API isolation map (${this.apiIsolationMap}): it was started before isolation existed`,
        { hint: 'restart the lab front door: `drkit lab up` restarts an outdated one' },
      );
    const row = text
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .find((f) => f[1] === API_ISOLATION_KEY);
    return row?.[2] === 'isolated';
  }

  /** The exact runtime command {@link setApiIsolated} sends (for `--dry-run`). */
  planSetApiIsolated(isolated: boolean): string {
    return `haproxy runtime API (${this.socket}): set map ${this.apiIsolationMap} ${API_ISOLATION_KEY} ${isolated ? 'isolated' : 'open'}`;
  }

  private writeIsolationMap(value: 'open' | 'isolated'): void {
    mkdirSync(path.dirname(this.apiIsolationMap), { recursive: true });
    const tmp = `${this.apiIsolationMap}.tmp`;
    writeFileSync(tmp, `${API_ISOLATION_KEY} ${value}\n`);
    renameSync(tmp, this.apiIsolationMap);
  }

  /** Responses of the `/webhooks/` backend by class, as HAProxy counts them (`show stat`). */
  async webhookResponses(): Promise<{ '2xx': number; '4xx': number; '5xx': number }> {
    const csv = (await this.proc.command('show stat')).split('\n');
    const cols = (csv[0] ?? '').replace(/^# /, '').split(',');
    const row = csv
      .map((l) => l.split(','))
      .find((f) => f[0] === WEBHOOKS_BACKEND && f[1] === 'BACKEND');
    const n = (c: string) => Number(row?.[cols.indexOf(c)] ?? 0) || 0;
    return { '2xx': n('hrsp_2xx'), '4xx': n('hrsp_4xx'), '5xx': n('hrsp_5xx') };
  }

  private async cmd(command: string): Promise<void> {
    const out = (await this.proc.command(command)).trim();
    // Successful `set server` commands answer with an empty line.
    if (out && !/^(Health check|Agent)/.test(out))
      throw new DrError('EXTERNAL', `HAProxy refused '${command}': ${out}`);
  }

  private render(files: { readonly statsSocket: string; readonly pidFile: string }): string {
    const routed = this.routedRegion();
    const disabled = new Set(
      routed === this.opts.primaryRegion
        ? []
        : this.opts.servers.filter((s) => s.region !== routed).map((s) => s.name),
    );
    // HAProxy reads the map at start: it must exist (open unless a breach isolated the API)
    if (!existsSync(this.apiIsolationMap)) this.writeIsolationMap('open');
    return renderHaproxyConfig({
      apiIsolationMap: this.apiIsolationMap,
      ...files,
      bindHost: '127.0.0.1',
      bindPort: this.opts.port,
      servers: this.opts.servers,
      health: this.opts.health,
      disabled,
      ...(this.opts.metricsPort ? { metricsPort: this.opts.metricsPort } : {}),
      ...(this.opts.statusPagePort ? { statusPagePort: this.opts.statusPagePort } : {}),
    });
  }
}
