import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HaproxyRouter, HaproxyWan } from '../adapters/haproxy/index.js';
import type { HaproxyTcpLink, HealthCheckSettings } from '../adapters/haproxy/index.js';
import type { DrkitConfig } from '../config/schema.js';
import { NotFoundError, UsageError } from '../engine/errors.js';
import { freePort, sleep } from '../util/net.js';
import { LabAppReleases, LabCompute, type TaskSlot } from '../adapters/lab-compute/index.js';
import { labUp, REGION_A_PRIMARY, type LabState } from './lab.js';
import type { LabProvider } from './provider.js';
import type { SeedSize } from './schema.js';
import { APP_CONFIG_SECRET, readAppConfig } from './app-config.js';
import type { RegionMove } from '../ports/region-topology.js';
import { ensureDelayedStandby } from './delayed-standby.js';
import { startLabStatusPage, statusPageProcess } from './status-page-lab.js';

/** Region B's standby cluster id. */
export const REGION_B_STANDBY = 'region-b';

/** The two-region layout `lab up` built: which cluster and tasks live where, and the ports. */
export interface RegionTopology {
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** Cluster id per region. */
  readonly clusters: Readonly<Record<string, string>>;
  readonly frontDoorPort: number;
  /**
   * Port of the front door's Prometheus exporter (`/metrics`). Absent in labs built before it
   * existed: `lab up` adds one and restarts the front door.
   */
  readonly frontDoorMetricsPort?: number;
  /** Port of the lab's status page process, behind the front door's `/status`. @default none (older labs) */
  readonly statusPagePort?: number;
  readonly slots: readonly TaskSlot[];
  readonly tasks: Readonly<Record<string, number>>;
  readonly synchronous: boolean;
  readonly health: HealthCheckSettings;
  /**
   * The inter-region links (TCP through the lab's WAN, an HAProxy process apart from the front
   * door): `link-a-b` carries region B's replication from A, `link-b-a` region A's from B after
   * a failover. Absent in labs built before links existed (their standby streams over loopback
   * directly).
   */
  readonly links?: readonly HaproxyTcpLink[];
}

/** The link region B's standby streams from region A through: the one a partition cuts. */
export const LINK_A_B = 'link-a-b';

/** The link region A streams from region B through after a failover (rejoin, cutback). */
export const LINK_B_A = 'link-b-a';

/** The region-level adapters of a lab: front door, WAN and compute, bound to its topology. */
export interface RegionProvider {
  readonly topology: RegionTopology;
  readonly router: HaproxyRouter;
  /** The inter-region links' own HAProxy; absent in a lab without links. */
  readonly wan?: HaproxyWan;
  readonly compute: LabCompute;
}

/** The WAN of a lab (to cut or heal a link). @throws UsageError for a lab built before links existed */
export function requireWan(r: RegionProvider): HaproxyWan {
  if (!r.wan)
    throw new UsageError('this lab has no inter-region links (built before they existed)', {
      hint: 'rebuild it: `drkit lab down --destroy`, then `drkit lab up`',
    });
  return r.wan;
}

function topologyFile(p: LabProvider): string {
  return path.join(p.paths.labDir, 'regions.json');
}

export function readTopology(p: LabProvider): RegionTopology | undefined {
  const f = topologyFile(p);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as RegionTopology) : undefined;
}

/** Binds the front door, WAN and compute of a two-region lab. @throws NotFoundError */
export function regionProvider(p: LabProvider, topology = readTopology(p)): RegionProvider {
  if (!topology)
    throw new NotFoundError(`no two-region lab in ${p.paths.stateDir}`, {
      hint: 'run `drkit lab up` first',
    });
  return {
    topology,
    router: new HaproxyRouter({
      dir: path.join(p.paths.labDir, 'haproxy'),
      port: topology.frontDoorPort,
      ...(topology.frontDoorMetricsPort ? { metricsPort: topology.frontDoorMetricsPort } : {}),
      ...(topology.statusPagePort ? { statusPagePort: topology.statusPagePort } : {}),
      primaryRegion: topology.primaryRegion,
      health: topology.health,
      servers: topology.slots.map((s) => ({
        name: s.id,
        region: s.region,
        host: '127.0.0.1',
        port: s.port,
        backup: s.region !== topology.primaryRegion,
      })),
    }),
    ...(topology.links?.length
      ? { wan: new HaproxyWan({ dir: path.join(p.paths.labDir, 'wan'), links: topology.links }) }
      : {}),
    // tasks start on the app release `live` routes to (function-rollback moves it), if any
    compute: new LabCompute(appsDir(p), p.paths.secretsDir, topology.slots, () =>
      appReleases(p).liveEntry(),
    ),
  };
}

/**
 * `drkit lab up` with two regions: region A's primary (see {@link labUp}), the WAN (an HAProxy
 * of its own serving the inter-region links), the sample app (tasks in A, warm task in B),
 * HAProxy as the front door, and region B's hot standby streaming from A through `link-a-b`
 * (synchronous when configured). An existing lab is started again: its WAN, its clusters
 * (never a fenced one), its app tasks at their last counts and its front door, and a standby
 * that a failed `lab up` never made.
 */
export async function labUpRegions(
  p: LabProvider,
  config: DrkitConfig,
  opts: {
    seed?: Partial<SeedSize>;
    progress?: (m: string) => void;
    /** Build region B's delayed standby even when the config does not ask for it. */
    delayedStandby?: boolean;
  } = {},
): Promise<{ lab: LabState; regions: RegionProvider }> {
  const say = opts.progress ?? (() => undefined);
  const lab = await labUp(p, config, { ...(opts.seed ? { seed: opts.seed } : {}), progress: say });
  let topo = readTopology(p);
  const rc = config.lab.regions;
  if (!topo) {
    // Distinct ports: freePort() may hand out a port twice, as none is bound until its process starts.
    const taken = new Set<number>([p.clusters.get(REGION_A_PRIMARY).port]);
    const freshPort = async (): Promise<number> => {
      for (;;) {
        const port = await freePort();
        if (taken.has(port)) continue;
        taken.add(port);
        return port;
      }
    };
    const slots: TaskSlot[] = [];
    for (let i = 1; i <= rc.appTasksA; i++)
      slots.push({ id: `a-${i}`, region: 'a', port: await freshPort() });
    for (let i = 1; i <= Math.max(rc.appTasksA, rc.appTasksB); i++)
      slots.push({ id: `b-${i}`, region: 'b', port: await freshPort() });
    const hc = config.lab.healthCheck;
    const standbyPort = rc.standby ? await freshPort() : 0;
    const link = async (name: string, server: string, port: number): Promise<HaproxyTcpLink> => ({
      name,
      bindPort: await freshPort(),
      server,
      host: '127.0.0.1',
      port,
    });
    topo = {
      primaryRegion: 'a',
      standbyRegion: 'b',
      clusters: { a: REGION_A_PRIMARY, ...(rc.standby ? { b: REGION_B_STANDBY } : {}) },
      frontDoorPort: await freshPort(),
      frontDoorMetricsPort: await freshPort(),
      ...(config.incidents.statusPage.type === 'lab' ? { statusPagePort: await freshPort() } : {}),
      slots,
      tasks: { a: rc.appTasksA, b: rc.appTasksB },
      synchronous: rc.synchronous,
      health: {
        intervalMs: hc.intervalMs,
        fall: hc.failureThreshold,
        rise: hc.rise,
        timeoutMs: hc.timeoutMs,
      },
      ...(rc.standby
        ? {
            links: [
              await link(LINK_A_B, 'pg-a', p.clusters.get(REGION_A_PRIMARY).port),
              await link(LINK_B_A, 'pg-b', standbyPort),
            ],
          }
        : {}),
    };
    // Written before any process starts, so `lab down` finds whatever a failed `lab up` left.
    writeTopology(p, topo);
  }
  if (!topo.frontDoorMetricsPort) {
    topo = { ...topo, frontDoorMetricsPort: await freePort() };
    writeTopology(p, topo);
  }
  if (!topo.statusPagePort && config.incidents.statusPage.type === 'lab') {
    topo = { ...topo, statusPagePort: await freePort() };
    writeTopology(p, topo);
  }
  const regions = regionProvider(p, topo);
  // A front door started before the WAN existed still holds the links' ports, one started
  // before the exporter or the webhooks backend existed lacks them: restart it (below).
  if (regions.router.pid() !== undefined) {
    const running = readFileSync(regions.router.configFile, 'utf8');
    if (
      running.includes('\nlisten ') ||
      !running.includes('prometheus-exporter') ||
      !running.includes('backend webhooks') ||
      !running.includes('api-isolation.map') ||
      (topo.statusPagePort !== undefined && !running.includes('backend status_page'))
    )
      await regions.router.stop();
  }
  if (regions.wan) {
    // Before any standby starts: it connects through a link.
    say(
      `WAN: HAProxy ${regions.wan.links.map((l) => `${l.name} on 127.0.0.1:${l.bindPort}`).join(', ')}`,
    );
    await regions.wan.start();
  }
  for (const c of p.clusters.list()) {
    if (!p.clusters.isRunning(c.id) && !p.database.isFenced(c.id)) await p.clusters.start(c.id);
  }
  say(
    `app tasks: ${Object.entries(topo.tasks)
      .map(([r, n]) => `${n} in ${r}`)
      .join(', ')}`,
  );
  for (const [region, n] of Object.entries(topo.tasks)) await regions.compute.scale(region, n);
  // the status page first: the front door routes /status to it
  if (topo.statusPagePort) {
    const front = `http://127.0.0.1:${topo.frontDoorPort}`;
    if (await startLabStatusPage(p, config, topo.statusPagePort, front))
      say(`status page: ${front}/status and ${front}/api/v2/summary.json`);
  }
  say(`front door: HAProxy on 127.0.0.1:${topo.frontDoorPort}`);
  await regions.router.start();
  // The front door is up when HAProxy's own checks have seen a healthy task.
  for (let i = 0; i < 200; i++) {
    if ((await regions.router.status()).activeRegion) break;
    await sleep(50);
  }
  // The standby comes last; the WAN it streams through is up already.
  const b = topo.clusters.b;
  if (b && !p.clusters.list().some((c) => c.id === b)) {
    const viaLink = (name: string) => topo.links?.find((l) => l.name === name);
    const ab = viaLink(LINK_A_B);
    if (ab) setReplicationEndpoint(p, REGION_A_PRIMARY, ab);
    say(
      `region B: standby '${b}' of '${REGION_A_PRIMARY}'${ab ? ` through ${ab.name} (127.0.0.1:${ab.bindPort})` : ''}`,
    );
    const ba = viaLink(LINK_B_A);
    await p.database.createStandby(REGION_A_PRIMARY, b, ba ? { port: ba.port } : {});
    if (ba) setReplicationEndpoint(p, b, ba);
    if (topo.synchronous) await p.database.setSynchronous(REGION_A_PRIMARY, [b]);
  }
  // After the hot standby: it is never the failover target (topology.clusters names B's only).
  if (b && (rc.delayedStandby.enabled || opts.delayedStandby)) {
    const primary = (await readAppConfig(p.secrets)).dbClusterId;
    if (p.clusters.isRunning(primary))
      await ensureDelayedStandby(p, config, primary, { progress: say });
  }
  return { lab, regions };
}

/** Standbys of `clusterId` in the other region connect through `link`. */
function setReplicationEndpoint(p: LabProvider, clusterId: string, link: HaproxyTcpLink): void {
  p.clusters.register({
    ...p.clusters.get(clusterId),
    replicationEndpoint: { host: '127.0.0.1', port: link.bindPort },
  });
}

/** Where a lab's app tasks keep their pid files and logs. */
export { LAB_APP_FUNCTION } from '../adapters/lab-compute/index.js';

/** The lab app's published releases (`<labDir>/releases`); `compute` restarts tasks on a move of `live`. */
export function appReleases(
  p: LabProvider,
  compute: () => LabCompute = () => regionProvider(p).compute,
): LabAppReleases {
  return new LabAppReleases(path.join(p.paths.labDir, 'releases'), compute);
}

export function appsDir(p: LabProvider): string {
  return path.join(p.paths.labDir, 'apps');
}

/** Records the current task counts (after a runbook scaled a region). */
export function recordTaskCounts(p: LabProvider, tasks: Record<string, number>): void {
  const t = readTopology(p);
  if (t) writeTopology(p, { ...t, tasks: { ...t.tasks, ...tasks } });
}

/** Stops the front door and every app task of a lab (before its clusters stop). */
export async function stopRegionProcesses(p: LabProvider): Promise<void> {
  const topo = readTopology(p);
  // no layout (a single-region lab, a PITR drill's own tasks): stop what the pid files name
  if (!topo) return await LabCompute.fromPidFiles(appsDir(p), p.paths.secretsDir).stopAll();
  const r = regionProvider(p, topo);
  await r.router.stop();
  await statusPageProcess(p).stop();
  await r.compute.stopAll();
}

/**
 * Stops the WAN of a lab: after its clusters, so a standby still receives the primary's
 * shutdown checkpoint through its link.
 */
export async function stopWan(p: LabProvider): Promise<void> {
  const topo = readTopology(p);
  if (topo) await regionProvider(p, topo).wan?.stop();
}

function writeTopology(p: LabProvider, t: RegionTopology): void {
  mkdirSync(p.paths.labDir, { recursive: true });
  writeFileSync(topologyFile(p), JSON.stringify(t, null, 2) + '\n');
}

/**
 * The move from the region where the primary is now to the other one, read from the lab:
 * which cluster is primary (the app config says), which is the other region's.
 */
export async function regionMove(p: LabProvider, r: RegionProvider): Promise<RegionMove> {
  const t = r.topology;
  const cfg = await readAppConfig(p.secrets);
  const fromRegion =
    Object.entries(t.clusters).find(([, c]) => c === cfg.dbClusterId)?.[0] ?? t.primaryRegion;
  const toRegion = fromRegion === t.primaryRegion ? t.standbyRegion : t.primaryRegion;
  return {
    fromRegion,
    toRegion,
    fromCluster: cfg.dbClusterId,
    toCluster: t.clusters[toRegion] ?? REGION_B_STANDBY,
    // The target runs at the primary region's full size; a cutback leaves B at its warm size.
    targetTasks: t.slots.filter((s) => s.region === t.primaryRegion).length,
    ...(toRegion === t.primaryRegion ? { sourceTasks: t.tasks[fromRegion] ?? 0 } : {}),
    appConfigSecret: APP_CONFIG_SECRET,
    synchronous: t.synchronous,
    restoreClusterId: `${t.clusters[toRegion] ?? REGION_B_STANDBY}-restored`,
  };
}
