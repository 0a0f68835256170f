import { GetHealthCheckCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import type { AwsClients } from '../clients.js';
import { awsCall } from '../errors.js';
import { CheckList } from './check-list.js';

/**
 * The failover record's posture (seed 000: "Route53 failover records with health checks"): a
 * PRIMARY and a SECONDARY record of `recordName`, the PRIMARY with a health check that exists
 * (without one Route 53 never fails over); a SECONDARY without one is a warn.
 */
export async function route53Posture(
  clients: AwsClients,
  r: { readonly hostedZoneId: string; readonly recordName: string; readonly recordType: string },
): Promise<CheckList> {
  const list = new CheckList();
  const name = r.recordName.endsWith('.') ? r.recordName : `${r.recordName}.`;
  const subject = `record ${name} ${r.recordType} (zone ${r.hostedZoneId})`;
  await list.guard('route53.failover', subject, async () => {
    const out = await awsCall(
      { action: 'route53:ListResourceRecordSets', resource: r.hostedZoneId },
      () =>
        clients.route53().send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: r.hostedZoneId,
            StartRecordName: name,
            StartRecordType: r.recordType as 'A',
          }),
        ),
    );
    const recs = (out.ResourceRecordSets ?? []).filter(
      (x) => x.Name === name && x.Type === r.recordType && x.Failover,
    );
    for (const role of ['PRIMARY', 'SECONDARY'] as const) {
      const rec = recs.find((x) => x.Failover === role);
      const id = `route53.${role.toLowerCase()}`;
      if (!rec) {
        list.add(
          id,
          subject,
          'fail',
          `no ${role} failover record`,
          'Route 53 has nothing to fail over between',
        );
        continue;
      }
      const hc = rec.HealthCheckId;
      const value = `${rec.SetIdentifier ?? '?'} → ${rec.ResourceRecords?.map((v) => v.Value).join(', ') ?? rec.AliasTarget?.DNSName ?? '?'}`;
      if (!hc) {
        list.add(
          id,
          subject,
          role === 'PRIMARY' && !rec.AliasTarget?.EvaluateTargetHealth ? 'fail' : 'warn',
          `${value}, no health check`,
          role === 'PRIMARY'
            ? 'without a health check Route 53 never declares the primary down: no automatic failover'
            : 'the secondary is answered even when unhealthy',
        );
        continue;
      }
      const found = await awsCall({ action: 'route53:GetHealthCheck', resource: hc }, () =>
        clients.route53().send(new GetHealthCheckCommand({ HealthCheckId: hc })),
      ).then(
        (h) => h.HealthCheck?.HealthCheckConfig,
        (e: unknown) => e as Error,
      );
      if (found instanceof Error) {
        list.add(
          id,
          subject,
          'fail',
          `${value}, health check ${hc}`,
          `the health check cannot be read: ${found.message}`,
        );
        continue;
      }
      list.add(
        id,
        subject,
        'pass',
        `${value}, health check ${hc} (${found?.Type ?? '?'} ${found?.IPAddress ?? found?.FullyQualifiedDomainName ?? ''}${found?.ResourcePath ?? ''})`,
        'a failover record with a health check attached',
      );
    }
  });
  return list;
}
