import { CreateHostedZoneCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, UsageError } from '../../engine/errors.js';
import type { MotoServer } from '../../lab/moto-server.js';
import { createTestHealthCheck, startMotoClients, stopMotoClients } from '../../testing/moto.js';
import { AwsClients } from './clients.js';
import { Route53Router } from './route53-router.js';

let moto: MotoServer;
let clients: AwsClients;
let router: Route53Router;
let zoneId: string;

async function records() {
  const out = await clients
    .route53()
    .send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
  return (out.ResourceRecordSets ?? [])
    .filter((r) => r.Failover)
    .map((r) => ({
      id: r.SetIdentifier,
      failover: r.Failover,
      value: r.ResourceRecords?.[0]?.Value,
      hc: r.HealthCheckId ?? null,
    }))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)));
}

beforeAll(async () => {
  ({ moto, clients } = await startMotoClients());
  const zone = await clients
    .route53()
    .send(new CreateHostedZoneCommand({ Name: 'rastup.com', CallerReference: 'drkit-test' }));
  zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');
  router = new Route53Router({
    clients,
    hostedZoneId: zoneId,
    recordName: 'api.rastup.com',
    primaryRegion: 'ap-southeast-2',
    targets: [
      {
        region: 'ap-southeast-2',
        value: '203.0.113.10',
        healthCheckId: await createTestHealthCheck(clients, '203.0.113.10'),
      },
      {
        region: 'us-west-2',
        value: '198.51.100.20',
        healthCheckId: await createTestHealthCheck(clients, '198.51.100.20'),
      },
    ],
  });
});
afterAll(async () => {
  await stopMotoClients({ moto, clients });
});

describe('Route53Router on moto', () => {
  it('GIVEN no records WHEN routeTo(primary) THEN the normal PRIMARY/SECONDARY layout with health checks', async () => {
    await router.routeTo('ap-southeast-2');
    const r = await records();
    expect(r.map((x) => [x.id, x.failover, x.value])).toEqual([
      ['ap-southeast-2', 'PRIMARY', '203.0.113.10'],
      ['us-west-2', 'SECONDARY', '198.51.100.20'],
    ]);
    expect(r.every((x) => x.hc)).toBe(true);
    const s = await router.status();
    // moto reports every health check healthy (it probes nothing): "up" here is moto's answer
    expect(s).toMatchObject({ activeRegion: 'ap-southeast-2' });
    expect(s.targets.map((t) => [t.region, t.backup, t.admin, t.health])).toEqual([
      ['ap-southeast-2', false, 'ready', 'up'],
      ['us-west-2', true, 'ready', 'up'],
    ]);
  });

  it('GIVEN the normal layout WHEN dry-run plan then routeTo(B) THEN B is the only (PRIMARY) record; twice changes nothing', async () => {
    const plan = await router.planRouteTo('us-west-2');
    expect(plan[0]).toContain('"Action":"UPSERT"');
    expect(plan[0]).toContain('"Action":"DELETE"');
    expect((await records()).length).toBe(2); // planning changed nothing
    await router.routeTo('us-west-2');
    expect((await records()).map((x) => [x.id, x.failover, x.value, x.hc])).toEqual([
      ['us-west-2', 'PRIMARY', '198.51.100.20', null],
    ]);
    const s = await router.status();
    expect(s.activeRegion).toBe('us-west-2');
    expect(s.targets.find((t) => t.region === 'ap-southeast-2')?.admin).toBe('maint');
    expect(await router.planRouteTo('us-west-2')).toEqual([
      'route53: api.rastup.com. already routed to us-west-2: no change',
    ]);
    await router.routeTo('us-west-2');
  });

  it('GIVEN a failover WHEN routeTo(A) (cutback) THEN the normal layout is back', async () => {
    await router.routeTo('ap-southeast-2');
    expect((await records()).map((x) => [x.id, x.failover])).toEqual([
      ['ap-southeast-2', 'PRIMARY'],
      ['us-west-2', 'SECONDARY'],
    ]);
    expect((await router.status()).activeRegion).toBe('ap-southeast-2');
  });

  it('GIVEN an unknown region or zone THEN UsageError / NotFoundError', async () => {
    await expect(router.routeTo('eu-west-1')).rejects.toBeInstanceOf(UsageError);
    const bad = new Route53Router({
      clients,
      hostedZoneId: 'ZNOPE',
      recordName: 'x.rastup.com',
      primaryRegion: 'a',
      targets: [{ region: 'a', value: '1.2.3.4' }],
    });
    await expect(bad.status()).rejects.toBeInstanceOf(NotFoundError);
  });
});
