import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll } from 'vitest';
import { secretsContract } from '../../ports/secrets.contract.js';
import { startMotoClients, stopMotoClients, type MotoClients } from '../../testing/moto.js';
import { MultiRegionSecrets } from './multi-region-secrets.js';
import { SecretsManagerSecrets } from './secrets-manager-secrets.js';

/** The Secrets contract on moto's Secrets Manager: one region, and one secret kept in two. */
const A = 'us-east-1';
const B = 'us-west-2';
let env: MotoClients;
beforeAll(async () => {
  env = await startMotoClients();
});
afterAll(() => stopMotoClients(env ?? {}));

const storeRaw = (region: string) => async (name: string, text: string) => {
  await env.clients
    .secrets(region)
    .send(new CreateSecretCommand({ Name: name, SecretString: text }));
};

secretsContract('SecretsManagerSecrets (moto)', () => ({
  secrets: new SecretsManagerSecrets({ clients: env.clients, region: A }),
  storeRaw: storeRaw(A),
}));

secretsContract(
  'MultiRegionSecrets over two regions (moto)',
  () => {
    const regions = [B, A].map(
      (region) => new SecretsManagerSecrets({ clients: env.clients, region }),
    );
    return {
      secrets: new MultiRegionSecrets(regions),
      // a secret the region runbooks switch exists in each region already (deployed with the app)
      seed: async (name, value) => {
        for (const r of regions) await r.put(name, value);
      },
      storeRaw: storeRaw(B),
    };
  },
  {
    skip: {
      'put-creates':
        'MultiRegionSecrets writes the copies that exist (each region’s own, not a replica): creating a secret in several regions — one copy each, or a primary with replicas — is deployment work, not a runbook’s, so a new name is refused (PreconditionError)',
    },
  },
);
