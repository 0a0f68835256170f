import { mkdtempSync } from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LAB_APP_FORMAT } from '../../adapters/app-secret/index.js';
import { FileSecrets } from '../../adapters/file-secrets/index.js';
import { createAppServer } from '../../app/server.js';
import { StepTimeoutError } from '../../engine/errors.js';
import { writeAppConfig } from '../../lab/app-config.js';
import { confirmFreeze, probeAppliedConfig } from './freeze-confirmation.js';
import type { PitrDeps, PitrState } from '../pitr-restore/context.js';
import { freezeWrites } from '../pitr-restore/steps/declare-and-freeze.js';
import type { RegionDeps, RegionState } from '../region-failover/context.js';
import { freezeWrites as freezeRegionWrites } from '../region-failover/steps/app.js';

const servers: Array<{ server: http.Server; close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A real app task (no database behind it: /healthz answers 503, still with its config). */
async function startTask(secrets: FileSecrets, task: string, refreshMs: number) {
  const { server, db } = createAppServer({ secrets, region: 'a', task, refreshMs });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push({
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await db.close();
    },
  });
  return { id: task, address: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function labSecrets(): FileSecrets {
  return new FileSecrets(mkdtempSync(path.join(tmpdir(), 'drkit-freeze-')));
}

async function writable(secrets: FileSecrets) {
  await writeAppConfig(secrets, {
    dbClusterId: 'region-a',
    db: { host: '127.0.0.1', port: 1, database: 'app', user: 'postgres' },
    global_readonly: false,
  });
}

describe('freeze confirmation', () => {
  it('GIVEN app tasks that re-read the config every 200 ms WHEN freeze-writes completes THEN every task already applies global_readonly', async () => {
    const secrets = labSecrets();
    await writable(secrets);
    const tasks = [await startTask(secrets, 'a-1', 200), await startTask(secrets, 'a-2', 200)];
    // Both tasks have just read the writable config: without confirmation they keep it ~200 ms.
    for (const t of tasks)
      expect((await probeAppliedConfig(t.address))?.global_readonly).toBe(false);
    const deps = {
      secrets,
      appSecretFormat: LAB_APP_FORMAT,
      appTasks: { kind: 'test', list: async () => tasks },
    } as unknown as PitrDeps;
    const step = freezeWrites(deps);
    const ctx = {
      state: { appConfigSecret: 'drkit/app' } as PitrState,
      executionId: 'x',
      dryRun: false,
      signal: new AbortController().signal,
      progress: () => undefined,
    };
    const out = (await step.run(ctx)) as Partial<PitrState>;
    for (const t of tasks) {
      const rep = await probeAppliedConfig(t.address);
      expect(rep).toMatchObject({ global_readonly: true, writesInFlight: 0 });
    }
    expect(out.freezeConfirmation?.tasks.map((c) => c.task)).toEqual(['a-1', 'a-2']);
    expect(out.frozenAt).toBe(out.freezeConfirmation?.confirmedAt);
  });

  it("the region runbooks' freeze waits for the same confirmation instead of a fixed 300 ms", async () => {
    const secrets = labSecrets();
    await writable(secrets);
    // A task that re-reads every 400 ms: the old fixed 300 ms wait returned before it applied the freeze.
    const task = await startTask(secrets, 'b-1', 400);
    await probeAppliedConfig(task.address);
    const deps = {
      secrets,
      appSecretFormat: LAB_APP_FORMAT,
      appTasks: { kind: 'test', list: async () => [task] },
    } as unknown as RegionDeps;
    const out = (await freezeRegionWrites(deps).run({
      state: { appConfigSecret: 'drkit/app' } as RegionState,
      executionId: 'x',
      dryRun: false,
      signal: new AbortController().signal,
      progress: () => undefined,
    })) as Partial<RegionState>;
    expect((await probeAppliedConfig(task.address))?.global_readonly).toBe(true);
    expect(out.freezeConfirmation?.tasks).toHaveLength(1);
  });

  it('fails with a clear error naming the tasks that did not confirm', async () => {
    const secrets = labSecrets();
    await writable(secrets);
    const quick = await startTask(secrets, 'a-1', 50);
    // a-2 re-reads its config only every 60 s: it cannot confirm in time.
    const stale = await startTask(secrets, 'a-2', 60_000);
    await probeAppliedConfig(stale.address);
    const gone = { id: 'a-3', address: '127.0.0.1:1' };
    const s = await secrets.get('drkit/app');
    await secrets.put('drkit/app', { ...s, global_readonly: true });
    const err = await confirmFreeze({
      tasks: async () => [quick, stale, gone],
      timeoutMs: 400,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepTimeoutError);
    const msg = (err as Error).message;
    expect(msg).toContain('a-2 (still applies a writable config');
    expect(msg).toContain('a-3 (no answer on /healthz)');
    expect(msg).not.toContain('a-1');
  });
});
