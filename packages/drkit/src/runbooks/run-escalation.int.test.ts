import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindLab } from '../providers/lab/index.js';
import type { Provider } from '../providers/provider.js';
import { makeLabFixture, type LabFixture } from '../testing/lab-fixture.js';
import { sleep } from '../util/net.js';
import { defineRunbook, parseParams } from './entry.js';
import { runRunbook } from './run.js';
import { declare, type DeclaredIncident } from './shared/incident.js';

/**
 * A running runbook's own process escalates its incident: a runbook that declares, then works
 * for longer than the response time, on the lab provider (its desk, log channel and status page
 * under the fixture's state dir), through the one run path.
 */
interface State extends DeclaredIncident {
  readonly workMs: number;
  severity?: string;
}
const slow = defineRunbook({
  id: 'test-slow-declare',
  aliases: [],
  title: 'declares, then works',
  params: z.object({ workMs: z.coerce.number().int().min(0) }).strict(),
  needs: ['notifier'],
  uses: ['incidents'],
  severity: 'SEV2',
  normalize: (raw, { hint }): State =>
    parseParams(z.object({ workMs: z.coerce.number() }), raw, hint),
  create: (ports) => ({
    id: 'test-slow-declare',
    title: 'declares, then works',
    lockKey: () => 'test:slow',
    steps: [
      {
        id: 'declare',
        title: 'declare',
        plan: () => ['declare'],
        run: async (ctx) =>
          await declare(ports.incidents, ports.notifier, {
            executionId: ctx.executionId,
            severity: ctx.state.severity ?? 'SEV2',
            drill: true,
            components: ['api'],
            message: { subject: 'slow work', body: 'b', severity: 'critical' },
          }),
      },
      {
        id: 'work',
        title: 'work',
        plan: () => ['sleep'],
        run: async (ctx) => void (await sleep(ctx.state.workMs)),
      },
    ],
  }),
});

let fx: LabFixture;
let provider: Provider;
beforeAll(() => {
  fx = makeLabFixture({
    incidents: {
      matrix: {
        SEV1: { response: '15m', notify: [{ who: 'CTO', channel: 'log' }], statusPage: true },
        SEV2: { response: '0.5s', notify: [{ who: 'Eng Lead', channel: 'log' }], statusPage: true },
      },
      watchIntervalMs: 50,
    },
  });
  provider = bindLab(fx.config, fx.dir);
});
afterAll(async () => {
  provider?.close();
  await fx?.cleanup();
});

describe('escalation in the runbook process', () => {
  it('GIVEN a SEV2 runbook working 1.5 s with a 0.5 s response time WHEN nobody acknowledges THEN its process escalates to SEV1 at ≥ 0.5 s, before the run ends', async () => {
    const said: string[] = [];
    const res = await runRunbook(slow, provider, { workMs: '1500' }, { say: (m) => said.push(m) });
    const desk = provider.port('incidents');
    const inc = desk.get(res.state.deskIncidentId!);
    const opened = Date.parse(inc.openedAt);
    const esc = inc.timeline.find((e) => e.type === 'escalated')!;
    expect(inc.level).toBe('SEV1');
    expect(Date.parse(esc.at) - opened).toBeGreaterThanOrEqual(500);
    expect(Date.parse(esc.at)).toBeLessThanOrEqual(Date.parse(res.summary!.endedAt!));
    expect(inc.timeline.some((e) => e.type === 'notified' && e.who === 'CTO')).toBe(true);
    expect(said).toContain(`escalated (not acknowledged in time): ${inc.id}`);
  });

  it('GIVEN the same runbook acknowledged right after it declared WHEN it works past the response time THEN nothing escalates', async () => {
    const desk = provider.port('incidents');
    const run = runRunbook(slow, provider, { workMs: '1200' });
    let id: string | undefined;
    for (let i = 0; i < 40 && !id; i++) {
      await sleep(25);
      id = desk
        .list()
        .find((x) => x.status !== 'resolved' && !x.acknowledgedAt && x.level === 'SEV2')?.id;
    }
    await desk.acknowledge(id!, 'bob');
    await run;
    const inc = desk.get(id!);
    expect(inc.level).toBe('SEV2');
    expect(inc.timeline.some((e) => e.type === 'escalated')).toBe(false);
  });
});
