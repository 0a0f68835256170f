import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from '../clients.js';
import { awsCall, awsErrorName } from '../errors.js';
import { CheckList } from './check-list.js';

async function describe(clients: AwsClients, region: string, name: string) {
  try {
    return await clients.secrets(region).send(new DescribeSecretCommand({ SecretId: name }));
  } catch (err) {
    if (awsErrorName(err) === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

/**
 * A secret's copy in region B: replicated by Secrets Manager (its ReplicationStatus for B
 * InSync), or copied some other way (seed 000: "a small Lambda replicates secret updates A→B"),
 * in which case B's copy must have changed no earlier than A's.
 */
export async function secretPosture(
  clients: AwsClients,
  name: string,
  regionA: string,
  regionB: string,
): Promise<CheckList> {
  const list = new CheckList();
  const subject = `secret ${name} → ${regionB}`;
  await list.guard('secrets.replica', subject, async () => {
    const [a, b] = await awsCall({ action: 'secretsmanager:DescribeSecret', resource: name }, () =>
      Promise.all([describe(clients, regionA, name), describe(clients, regionB, name)]),
    );
    const rep = a?.ReplicationStatus?.find((r) => r.Region === regionB);
    if (rep) {
      const st = rep.Status ?? 'unknown';
      list.add(
        'secrets.replica',
        subject,
        st === 'InSync' ? 'pass' : st === 'InProgress' ? 'warn' : 'fail',
        `Secrets Manager replica ${st}${rep.StatusMessage ? ` (${rep.StatusMessage})` : ''}`,
        st === 'InSync'
          ? `${regionB} holds the current value`
          : `${regionB}'s replica is not in sync`,
      );
      return;
    }
    if (!b) {
      list.add(
        'secrets.replica',
        subject,
        'fail',
        `none in ${regionB}${a ? '' : ` (nor in ${regionA})`}`,
        `the app in ${regionB} has no copy to read after a failover`,
      );
      return;
    }
    if (!a) {
      list.add(
        'secrets.replica',
        subject,
        'pass',
        `in ${regionB} only`,
        `${regionB} holds it (no primary copy in ${regionA} to compare)`,
      );
      return;
    }
    const ta = a.LastChangedDate ?? a.CreatedDate;
    const tb = b.LastChangedDate ?? b.CreatedDate;
    if (!ta || !tb) {
      list.notChecked(
        'secrets.replica',
        subject,
        'no LastChangedDate returned',
        `a copy in ${regionB}`,
      );
      return;
    }
    const ok = tb.getTime() >= ta.getTime();
    list.add(
      'secrets.replica',
      subject,
      ok ? 'pass' : 'fail',
      `copy in ${regionB} changed ${tb.toISOString()}, ${regionA} ${ta.toISOString()} (no Secrets Manager replication)`,
      ok
        ? `${regionB}'s copy is no older than ${regionA}'s`
        : `${regionA} changed after ${regionB}'s copy: the last update did not reach ${regionB}`,
    );
  });
  return list;
}
