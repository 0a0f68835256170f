import { CreateHostedZoneCommand } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll } from 'vitest';
import { routerContract } from '../../ports/router.contract.js';
import {
  createTestHealthCheck,
  startMotoClients,
  stopMotoClients,
  type MotoClients,
} from '../../testing/moto.js';
import { Route53Router, type Route53RouterOptions } from './route53-router.js';

/**
 * The Router contract on moto's Route 53: a PRIMARY/SECONDARY failover record with a health
 * check per region. moto reports every health check healthy (it probes nothing), so "active"
 * here follows the records, which is what drkit changes.
 */
let env: MotoClients;
let opts: Route53RouterOptions;

beforeAll(async () => {
  env = await startMotoClients();
  const zone = await env.clients
    .route53()
    .send(new CreateHostedZoneCommand({ Name: 'contract.example', CallerReference: 'contract' }));
  opts = {
    clients: env.clients,
    hostedZoneId: zone.HostedZone!.Id!.replace('/hostedzone/', ''),
    recordName: 'api.contract.example',
    primaryRegion: 'us-east-1',
    targets: [
      {
        region: 'us-east-1',
        value: '192.0.2.10',
        healthCheckId: await createTestHealthCheck(env.clients, '192.0.2.10'),
      },
      {
        region: 'us-west-2',
        value: '198.51.100.10',
        healthCheckId: await createTestHealthCheck(env.clients, '198.51.100.10'),
      },
    ],
  };
});
afterAll(() => stopMotoClients(env ?? {}));

routerContract(
  'Route53Router (moto)',
  () => ({
    router: new Route53Router(opts),
    primaryRegion: 'us-east-1',
    otherRegion: 'us-west-2',
    another: () => new Route53Router(opts),
  }),
  {
    skip: {
      unreachable:
        'Route 53 is a managed service: there is no router process to start, so an endpoint that does not answer is a retryable EXTERNAL error (as every AWS call), not a PreconditionError with a start hint',
    },
  },
);
