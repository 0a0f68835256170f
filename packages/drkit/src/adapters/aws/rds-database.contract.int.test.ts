import { CreateDBClusterCommand, CreateDBInstanceCommand } from '@aws-sdk/client-rds';
import { afterAll, beforeAll } from 'vitest';
import { databaseContract } from '../../ports/database.contract.js';
import { startMotoClients, stopMotoClients, type MotoClients } from '../../testing/moto.js';
import { RdsDatabase } from './rds-database.js';
import { RegionalRdsDatabase } from './regional-database.js';

/**
 * The Database contract on moto's RDS: RdsDatabase (one region, point-in-time restores) and
 * RegionalRdsDatabase (the region runbooks' view of two regions). moto ignores RestoreToTime
 * (MOTO-NOTES): the restore case restores `latest`; the window guardrail is drkit's own check.
 */
const A = 'us-east-1';
const B = 'us-west-2';
const SOURCE = 'contract-core';
let env: MotoClients;

beforeAll(async () => {
  // one attempt: moto answers 500 for what it lacks, and the SDK would retry 5xx
  env = await startMotoClients({ maxAttempts: 1 });
  const rds = env.clients.rds(A);
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: SOURCE,
      Engine: 'aurora-postgresql',
      MasterUsername: 'app',
      MasterUserPassword: 'not-a-real-pass-1',
      DatabaseName: 'app',
      BackupRetentionPeriod: 7,
    }),
  );
  await rds.send(
    new CreateDBInstanceCommand({
      DBInstanceIdentifier: `${SOURCE}-1`,
      DBClusterIdentifier: SOURCE,
      DBInstanceClass: 'db.r6g.large',
      Engine: 'aurora-postgresql',
    }),
  );
});
afterAll(() => stopMotoClients(env ?? {}));

databaseContract('RdsDatabase (moto)', () => ({
  db: new RdsDatabase({ clients: env.clients, region: A, writerInstanceClass: 'db.r6g.large' }),
  source: SOURCE,
}));

const noPitr =
  'RegionalRdsDatabase has no pitr capability: RDS cannot restore a point in time into another region, so the region runbooks never restore through it (RdsDatabase of one region does)';

databaseContract(
  'RegionalRdsDatabase over two regions (moto)',
  () => ({
    db: new RegionalRdsDatabase({
      byRegion: {
        [A]: new RdsDatabase({ clients: env.clients, region: A }),
        [B]: new RdsDatabase({ clients: env.clients, region: B }),
      },
      // ids the adapter can place in a region: an id it cannot place is a UsageError (config)
      clusters: { [SOURCE]: A, 'contract-gone-a': A, 'contract-gone-b': B },
    }),
    source: SOURCE,
    missingId: 'contract-gone-a',
    newId: () => 'contract-gone-b',
  }),
  {
    skip: {
      'restore-out-of-window': noPitr,
      'restore-missing-source': noPitr,
      'restore-existing-id': noPitr,
      'restore-new-cluster': noPitr,
    },
  },
);
