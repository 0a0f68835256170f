import path from 'node:path';
import { DrError } from '../engine/errors.js';
import type { LabProvider } from '../lab/provider.js';
import type { RegionProvider } from '../lab/regions.js';

/** What the split-brain check found. */
export interface FenceCheck {
  readonly ok: boolean;
  readonly problems: string[];
  readonly facts: string[];
}

/**
 * The split-brain check after a failover: the old primary, when it comes back, must not take
 * writes and must not receive traffic.
 * 1. `drkit`'s start refuses the fenced cluster.
 * 2. Started by hand anyway (`pg_ctl start`, as a careless operator or a boot script would),
 *    it refuses a write.
 * 3. Region A's app tasks running again get no front-door request: 20 requests through the
 *    front door are all answered outside region A, and HAProxy holds A's servers in maintenance.
 * Leaves the old primary and region A's tasks stopped again.
 */
export async function checkSplitBrainFence(
  p: LabProvider,
  regions: RegionProvider,
  oldPrimary: string,
): Promise<FenceCheck> {
  const problems: string[] = [];
  const facts: string[] = [];
  try {
    await p.clusters.start(oldPrimary);
    problems.push('drkit started the fenced old primary');
  } catch (err) {
    if (err instanceof DrError && err.code === 'PRECONDITION')
      facts.push('drkit start refused the fenced cluster');
    else problems.push(`drkit start failed for another reason: ${(err as Error).message}`);
  }
  if (!p.clusters.isRunning(oldPrimary)) {
    const c = p.clusters.get(oldPrimary);
    await p.clusters.runServer(
      [
        path.join(p.clusters.binDir, 'pg_ctl'),
        '-D',
        c.dataDir,
        '-l',
        path.join(p.clusters.clusterDir(oldPrimary), 'postgres.log'),
        '-w',
        '-t',
        '20',
        'start',
      ],
      30_000,
    );
  }
  try {
    await p.clusters.query(oldPrimary, 'CREATE TABLE drkit_split_brain_probe (id int)');
    problems.push('the old primary, started by hand, ACCEPTED a write');
  } catch (err) {
    facts.push(
      `a write on the old primary started by hand failed: ${(err as Error).message.slice(0, 100)}`,
    );
  }
  await regions.compute
    .scale('a', regions.topology.slots.filter((s) => s.region === 'a').length)
    .catch((err: Error) => facts.push(`region A tasks: ${err.message}`));
  let toA = 0;
  for (let i = 0; i < 20; i++) {
    const r = await fetch(`${regions.router.url}/healthz`, {
      signal: AbortSignal.timeout(2000),
    }).catch(() => undefined);
    if (r?.headers.get('x-drkit-region') === 'a') toA++;
    await r?.arrayBuffer();
  }
  if (toA > 0) problems.push(`${toA} of 20 front-door requests reached region A`);
  else facts.push('0 of 20 front-door requests reached region A');
  const st = await regions.router.status();
  const aTargets = st.targets.filter((t) => t.region === 'a');
  if (aTargets.some((t) => t.admin !== 'maint'))
    problems.push(
      `HAProxy has region A servers in service: ${aTargets.map((t) => `${t.name}=${t.admin}`).join(', ')}`,
    );
  else facts.push(`HAProxy: ${aTargets.map((t) => `${t.name} maint`).join(', ')}`);
  await regions.compute.scale('a', 0).catch(() => undefined);
  await p.clusters.stop(oldPrimary, 'immediate').catch(() => undefined);
  return { ok: problems.length === 0, problems, facts };
}
