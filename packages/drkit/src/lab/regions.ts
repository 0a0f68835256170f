import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { HaproxyRouter } from '../adapters/haproxy/index.js';
import type { HaproxyTcpLink, HealthCheckSettings } from '../adapters/haproxy/index.js';
import type { DrkitConfig } from '../config/schema.js';
import { NotFoundError } from '../engine/errors.js';
import { freePort, sleep } from '../util/net.js';
import { LabCompute, type TaskSlot } from './app-tasks.js';
import { labUp, REGION_A_PRIMARY, type LabState } from './lab.js';
import type { LabProvider } from './provider.js';
import type { SeedSize } from './schema.js';
import { APP_CONFIG_SECRET, readAppConfig } from './app-config.js';
import { runSmokeChecks } from '../validate/smoke.js';
import type { RegionDeps, RegionParams } from '../runbooks/region-failover/context.js';

/** Region B's standby cluster id. */
export const REGION_B_STANDBY = 'region-b';

/** The two-region layout `lab up` built: which cluster and tasks live where, and the ports. */
export interface RegionTopology {
  readonly primaryRegion: string;
  readonly standbyRegion: string;
  /** Cluster id per region. */
  readonly clusters: Readonly<Record<string, string>>;
  readonly frontDoorPort: number;
  readonly slots: readonly TaskSlot[];
  readonly tasks: Readonly<Record<string, number>>;
  readonly synchronous: boolean;
  readonly health: HealthCheckSettings;
  /**
   * The inter-region links (TCP through the lab's HAProxy): `link-a-b` carries region B's
   * replication from A, `link-b-a` region A's from B after a failover. Absent in labs built
   * before links existed (their standby streams over loopback directly).
   */
  readonly links?: readonly HaproxyTcpLink[];
}

/** The link region B's standby streams from region A through: the one a partition cuts. */
export const LINK_A_B = 'link-a-b';

/** The region-level adapters of a lab: front door and compute, bound to its topology. */
export interface RegionProvider {
  readonly topology: RegionTopology;
  readonly router: HaproxyRouter;
  readonly compute: LabCompute;
}

function topologyFile(p: LabProvider): string {
  return path.join(p.paths.labDir, 'regions.json');
}

export function readTopology(p: LabProvider): RegionTopology | undefined {
  const f = topologyFile(p);
  return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as RegionTopology) : undefined;
}

/** Binds the front door and compute of a two-region lab. @throws NotFoundError */
export function regionProvider(p: LabProvider, topology = readTopology(p)): RegionProvider {
  if (!topology) throw new NotFoundError(`no two-region lab in ${p.paths.stateDir}`, { hint: 'run `drkit lab up` first' });
  return {
    topology,
    router: new HaproxyRouter({
      dir: path.join(p.paths.labDir, 'haproxy'),
      port: topology.frontDoorPort,
      primaryRegion: topology.primaryRegion,
      health: topology.health,
      servers: topology.slots.map((s) => ({ name: s.id, region: s.region, host: '127.0.0.1', port: s.port, backup: s.region !== topology.primaryRegion })),
      ...(topology.links ? { links: topology.links } : {}),
    }),
    compute: new LabCompute(path.join(p.paths.labDir, 'apps'), p.paths.secretsDir, topology.slots),
  };
}

/**
 * `drkit lab up` with two regions: region A's primary (see {@link labUp}), the sample app
 * (tasks in A, warm task in B), HAProxy as the front door and as the inter-region links, and
 * region B's hot standby streaming from A through `link-a-b` (synchronous when configured).
 * An existing lab is started again: its clusters (never a fenced one), its app tasks at their
 * last counts and its front door, and a standby that a failed `lab up` never made.
 */
export async function labUpRegions(
  p: LabProvider,
  config: DrkitConfig,
  opts: { seed?: Partial<SeedSize>; progress?: (m: string) => void } = {},
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
    for (let i = 1; i <= rc.appTasksA; i++) slots.push({ id: `a-${i}`, region: 'a', port: await freshPort() });
    for (let i = 1; i <= Math.max(rc.appTasksA, rc.appTasksB); i++) slots.push({ id: `b-${i}`, region: 'b', port: await freshPort() });
    const hc = config.lab.healthCheck;
    const standbyPort = rc.standby ? await freshPort() : 0;
    const link = async (name: string, server: string, port: number): Promise<HaproxyTcpLink> => ({ name, bindPort: await freshPort(), server, host: '127.0.0.1', port });
    topo = {
      primaryRegion: 'a',
      standbyRegion: 'b',
      clusters: { a: REGION_A_PRIMARY, ...(rc.standby ? { b: REGION_B_STANDBY } : {}) },
      frontDoorPort: await freshPort(),
      slots,
      tasks: { a: rc.appTasksA, b: rc.appTasksB },
      synchronous: rc.synchronous,
      health: { intervalMs: hc.intervalMs, fall: hc.failureThreshold, rise: hc.rise, timeoutMs: hc.timeoutMs },
      ...(rc.standby ? { links: [await link(LINK_A_B, 'pg-a', p.clusters.get(REGION_A_PRIMARY).port), await link('link-b-a', 'pg-b', standbyPort)] } : {}),
    };
    // Written before any process starts, so `lab down` finds whatever a failed `lab up` left.
    writeTopology(p, topo);
  } else {
    for (const c of p.clusters.list()) {
      if (!p.clusters.isRunning(c.id) && !p.database.isFenced(c.id)) await p.clusters.start(c.id);
    }
  }
  const regions = regionProvider(p, topo);
  say(`app tasks: ${Object.entries(topo.tasks).map(([r, n]) => `${n} in ${r}`).join(', ')}`);
  for (const [region, n] of Object.entries(topo.tasks)) await regions.compute.scale(region, n);
  say(`front door: HAProxy on 127.0.0.1:${topo.frontDoorPort}`);
  await regions.router.start();
  // The front door is up when HAProxy's own checks have seen a healthy task.
  for (let i = 0; i < 200; i++) {
    if ((await regions.router.status()).activeRegion) break;
    await sleep(50);
  }
  // The standby comes last: it streams through the inter-region link, which HAProxy serves.
  const b = topo.clusters.b;
  if (b && !p.clusters.list().some((c) => c.id === b)) {
    const viaLink = (name: string) => topo.links?.find((l) => l.name === name);
    const ab = viaLink(LINK_A_B);
    if (ab) setReplicationEndpoint(p, REGION_A_PRIMARY, ab);
    say(`region B: standby '${b}' of '${REGION_A_PRIMARY}'${ab ? ` through ${ab.name} (127.0.0.1:${ab.bindPort})` : ''}`);
    const ba = viaLink('link-b-a');
    await p.database.createStandby(REGION_A_PRIMARY, b, ba ? { port: ba.port } : {});
    if (ba) setReplicationEndpoint(p, b, ba);
    if (topo.synchronous) await p.database.setSynchronous(REGION_A_PRIMARY, [b]);
  }
  return { lab, regions };
}

/** Standbys of `clusterId` in the other region connect through `link`. */
function setReplicationEndpoint(p: LabProvider, clusterId: string, link: HaproxyTcpLink): void {
  p.clusters.register({ ...p.clusters.get(clusterId), replicationEndpoint: { host: '127.0.0.1', port: link.bindPort } });
}

/** Records the current task counts (after a runbook scaled a region). */
export function recordTaskCounts(p: LabProvider, tasks: Record<string, number>): void {
  const t = readTopology(p);
  if (t) writeTopology(p, { ...t, tasks: { ...t.tasks, ...tasks } });
}

/** Stops the front door and every app task of a lab (before its clusters stop). */
export async function stopRegionProcesses(p: LabProvider): Promise<void> {
  const topo = readTopology(p);
  if (!topo) return;
  const r = regionProvider(p, topo);
  await r.router.stop();
  await r.compute.stopAll();
}

function writeTopology(p: LabProvider, t: RegionTopology): void {
  mkdirSync(p.paths.labDir, { recursive: true });
  writeFileSync(topologyFile(p), JSON.stringify(t, null, 2) + '\n');
}

/** The ports the region runbooks need, bound to a lab. */
export function regionDeps(p: LabProvider, r: RegionProvider): RegionDeps {
  return {
    database: p.database,
    secrets: p.secrets,
    notifier: p.notifier,
    router: r.router,
    compute: r.compute,
    frontDoorUrl: r.router.url,
    connect: p.connect,
    smoke: runSmokeChecks,
  };
}

/**
 * Parameters of a move from the region where the primary is now to the other one, read from
 * the lab: which cluster is primary (the app config says), which is the other region's.
 */
export async function regionMoveParams(
  p: LabProvider,
  r: RegionProvider,
  extra: Partial<RegionParams> = {},
): Promise<RegionParams> {
  const t = r.topology;
  const cfg = await readAppConfig(p.secrets);
  const fromRegion = Object.entries(t.clusters).find(([, c]) => c === cfg.dbClusterId)?.[0] ?? t.primaryRegion;
  const toRegion = fromRegion === t.primaryRegion ? t.standbyRegion : t.primaryRegion;
  return {
    fromRegion,
    toRegion,
    fromCluster: cfg.dbClusterId,
    toCluster: t.clusters[toRegion] ?? `${REGION_B_STANDBY}`,
    // The target runs at the primary region's full size; a cutback leaves B at its warm size.
    targetTasks: t.slots.filter((s) => s.region === t.primaryRegion).length,
    ...(toRegion === t.primaryRegion ? { sourceTasks: t.tasks[fromRegion] ?? 0 } : {}),
    appConfigSecret: APP_CONFIG_SECRET,
    synchronous: t.synchronous,
    reason: 'region failover',
    restoreClusterId: `${t.clusters[toRegion] ?? REGION_B_STANDBY}-restored`,
    ...extra,
  };
}
