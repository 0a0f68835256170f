import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DependencyMissingError, DrError, UsageError } from '../../engine/errors.js';
import type { Router, RouterCapability, RouterStatus, RouteTarget } from '../../ports/router.js';
import { sleep } from '../../util/net.js';
import { isExecutable, runCommand } from '../../util/proc.js';
import { BACKEND, inMaintenance, parseServersState, renderHaproxyConfig, type HaproxyServer, type HaproxyTcpLink, type HealthCheckSettings } from './haproxy-config.js';
import { HaproxyLink } from './haproxy-link.js';
import { runtimeCommand } from './haproxy-runtime.js';

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
  /** TCP links served by the same HAProxy (the lab's inter-region link). @default none */
  readonly links?: readonly HaproxyTcpLink[];
  /** @default '/usr/sbin/haproxy' */
  readonly bin?: string;
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
  readonly capabilities: ReadonlySet<RouterCapability> = new Set<RouterCapability>(['health-checks', 'runtime', 'backup-targets']);
  readonly configFile: string;
  readonly socket: string;
  readonly pidFile: string;
  private readonly routeFile: string;

  constructor(private readonly opts: HaproxyRouterOptions) {
    this.configFile = path.join(opts.dir, 'haproxy.cfg');
    this.socket = path.join(opts.dir, 'admin.sock');
    this.pidFile = path.join(opts.dir, 'haproxy.pid');
    this.routeFile = path.join(opts.dir, 'route.json');
  }

  /** The front door's URL. */
  get url(): string {
    return `http://127.0.0.1:${this.opts.port}`;
  }

  /** The region traffic is routed to by decision (not health): `route.json`, else the primary. */
  routedRegion(): string {
    if (!existsSync(this.routeFile)) return this.opts.primaryRegion;
    return (JSON.parse(readFileSync(this.routeFile, 'utf8')) as { region: string }).region;
  }

  /** Writes haproxy.cfg, checks it (`haproxy -c`) and starts HAProxy as a daemon. No-op when running. */
  async start(): Promise<void> {
    const bin = this.opts.bin ?? '/usr/sbin/haproxy';
    if (!isExecutable(bin)) throw new DependencyMissingError(`HAProxy not found: ${bin}`, { hint: 'apt-get install -y haproxy' });
    if (this.pid() !== undefined) return;
    mkdirSync(this.opts.dir, { recursive: true });
    this.writeConfig();
    const check = await runCommand([bin, '-c', '-q', '-f', this.configFile]);
    if (check.code !== 0) throw new DrError('CONFIG', `haproxy.cfg is invalid: ${(check.stderr || check.stdout).trim()}`, { hint: this.configFile });
    rmSync(this.socket, { force: true });
    const r = await runCommand([bin, '-D', '-f', this.configFile, '-p', this.pidFile]);
    if (r.code !== 0) throw new DrError('EXTERNAL', `HAProxy did not start: ${(r.stderr || r.stdout).trim()}`, { hint: this.configFile });
    for (let i = 0; i < 100; i++) {
      if (await this.status().then(() => true, () => false)) return;
      await sleep(50);
    }
    throw new DrError('TIMEOUT', 'HAProxy started but its runtime API does not answer', { hint: this.socket });
  }

  /** Stops HAProxy (SIGTERM to the pid it wrote) and waits for it to exit. Idempotent. */
  async stop(): Promise<void> {
    const pid = this.pid();
    if (pid === undefined) return;
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && this.pid() !== undefined; i++) await sleep(20);
    rmSync(this.pidFile, { force: true });
  }

  /** A TCP link of this HAProxy, to cut or heal. @throws UsageError for an unknown name */
  link(name: string): HaproxyLink {
    const l = this.opts.links?.find((x) => x.name === name);
    if (!l) throw new UsageError(`HAProxy has no link '${name}'`, { hint: `links: ${this.opts.links?.map((x) => x.name).join(', ') || 'none (a lab built before links existed)'}` });
    return new HaproxyLink(this.socket, l);
  }

  /** HAProxy's pid when it runs. */
  pid(): number | undefined {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim().split('\n')[0]);
    try {
      process.kill(pid, 0);
      return pid;
    } catch {
      return undefined;
    }
  }

  async status(): Promise<RouterStatus> {
    const text = await runtimeCommand(this.socket, `show servers state ${BACKEND}`);
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

  async routeTo(region: string, opts: { assumeHealthy?: readonly string[] } = {}): Promise<void> {
    if (!this.opts.servers.some((s) => s.region === region)) throw new UsageError(`no front-door targets in region '${region}'`);
    // Routed away from the primary region: take the others out first, so no request reaches
    // them once this returns. Back to the primary region: the normal failover record again.
    const away = region !== this.opts.primaryRegion;
    if (away) for (const s of this.opts.servers.filter((x) => x.region !== region)) await this.cmd(`set server ${BACKEND}/${s.name} state maint`);
    for (const s of this.opts.servers.filter((x) => x.region === region || !away)) {
      await this.cmd(`set server ${BACKEND}/${s.name} state ready`);
      if (opts.assumeHealthy?.includes(s.name)) await this.cmd(`set server ${BACKEND}/${s.name} health up`);
    }
    const tmp = `${this.routeFile}.tmp`;
    writeFileSync(tmp, JSON.stringify({ region, at: new Date().toISOString() }) + '\n');
    renameSync(tmp, this.routeFile);
    this.writeConfig();
  }

  private async cmd(command: string): Promise<void> {
    const out = (await runtimeCommand(this.socket, command)).trim();
    // Successful `set server` commands answer with an empty line.
    if (out && !/^(Health check|Agent)/.test(out)) throw new DrError('EXTERNAL', `HAProxy refused '${command}': ${out}`);
  }

  private writeConfig(): void {
    const routed = this.routedRegion();
    const disabled = new Set(routed === this.opts.primaryRegion ? [] : this.opts.servers.filter((s) => s.region !== routed).map((s) => s.name));
    const text = renderHaproxyConfig({
      bindHost: '127.0.0.1',
      bindPort: this.opts.port,
      statsSocket: this.socket,
      pidFile: this.pidFile,
      servers: this.opts.servers,
      health: this.opts.health,
      disabled,
      ...(this.opts.links ? { links: this.opts.links } : {}),
    });
    const tmp = `${this.configFile}.tmp`;
    writeFileSync(tmp, text);
    renameSync(tmp, this.configFile);
  }
}
