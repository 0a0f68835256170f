import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll } from 'vitest';
import { computeContract } from '../../ports/compute.contract.js';
import {
  createTestEcsService,
  startMotoClients,
  stopMotoClients,
  type MotoClients,
} from '../../testing/moto.js';
import { EcsCompute } from './ecs-compute.js';

/**
 * The Compute contract on moto's ECS: a service per region. moto runs no tasks (UpdateService
 * sets runningCount to the desired count at once), so the running count is the service's.
 */
const A = 'us-east-1';
let env: MotoClients;

beforeAll(async () => {
  env = await startMotoClients();
  await createTestEcsService(env.clients, A, 'contract-a', 0);
});
afterAll(() => stopMotoClients(env ?? {}));

computeContract(
  'EcsCompute (moto)',
  () => ({
    compute: new EcsCompute({
      clients: env.clients,
      services: { [A]: { cluster: 'contract-a', service: 'web' } },
    }),
    region: A,
    async running(region) {
      const out = await env.clients
        .ecs(region)
        .send(new DescribeServicesCommand({ cluster: 'contract-a', services: ['web'] }));
      return out.services?.[0]?.runningCount ?? -1;
    },
  }),
  {
    skip: {
      'healthy-on-return':
        'moto runs no ECS tasks (no task list, no health): what scale waits for is the service being stable, checked by scale-up; task health is covered on the lab (LabCompute)',
    },
  },
);
