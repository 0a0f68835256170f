import {
  ChangeResourceRecordSetsCommand,
  GetHealthCheckStatusCommand,
  ListResourceRecordSetsCommand,
  waitUntilResourceRecordSetsChanged,
  type Change,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { UsageError } from '../../engine/errors.js';
import type { RouteTarget, Router, RouterCapability, RouterStatus } from '../../ports/router.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';

/** One region's endpoint behind the failover record. */
export interface Route53Target {
  readonly region: string;
  /** SetIdentifier of its record. @default the region */
  readonly setIdentifier?: string;
  /** Record value (an IP for `A`, a host name for `CNAME`), unless `alias` is given. */
  readonly value?: string;
  /** Alias target (an ALB or CloudFront distribution). */
  readonly alias?: { readonly dnsName: string; readonly hostedZoneId: string };
  /** Route 53 health check probing this endpoint. */
  readonly healthCheckId?: string;
}

/** Options of {@link Route53Router}. */
export interface Route53RouterOptions {
  readonly clients: AwsClients;
  readonly hostedZoneId: string;
  /** The failover record's name, e.g. `api.example.com.` */
  readonly recordName: string;
  /** @default 'A' */
  readonly recordType?: 'A' | 'AAAA' | 'CNAME';
  /** TTL of non-alias records. @default 60 */
  readonly ttl?: number;
  /** The region whose target is PRIMARY in normal operation. */
  readonly primaryRegion: string;
  /** One target per region (two for the seeds: A and B). */
  readonly targets: readonly Route53Target[];
  /** Wait until Route 53 reports the change INSYNC. @default true */
  readonly waitInSync?: boolean;
}

/**
 * The router port on a Route 53 failover record (PRIMARY/SECONDARY with health checks).
 * Normal layout: the primary region's target is PRIMARY, the other SECONDARY, each with its
 * health check. `routeTo(B)` (the seed's route53-failover-to-B.json) makes B's target the only
 * record, PRIMARY, so no new resolution reaches A even if B's checks flap; `routeTo(A)`
 * (route53-restore-to-A.json, the cutback) restores the normal layout. One ChangeBatch each,
 * so the flip is atomic.
 */
export class Route53Router implements Router {
  readonly kind = 'aws-route53';
  readonly capabilities: ReadonlySet<RouterCapability> = new Set<RouterCapability>([
    'health-checks',
    'backup-targets',
  ]);
  private readonly r53: Route53Client;
  private readonly name: string;

  constructor(private readonly opts: Route53RouterOptions) {
    this.r53 = opts.clients.route53();
    this.name = opts.recordName.endsWith('.') ? opts.recordName : `${opts.recordName}.`;
    if (!opts.targets.some((t) => t.region === opts.primaryRegion))
      throw new UsageError(`no Route 53 target for the primary region ${opts.primaryRegion}`);
  }

  async status(): Promise<RouterStatus> {
    const records = await this.records();
    const targets: RouteTarget[] = [];
    for (const t of this.opts.targets) {
      const rec = records.find((r) => r.SetIdentifier === setId(t));
      targets.push({
        name: setId(t),
        region: t.region,
        address:
          rec?.AliasTarget?.DNSName ??
          rec?.ResourceRecords?.[0]?.Value ??
          t.alias?.dnsName ??
          t.value ??
          '',
        backup: rec?.Failover === 'SECONDARY',
        admin: rec ? 'ready' : 'maint',
        health: rec?.HealthCheckId ? await this.health(rec.HealthCheckId) : 'unchecked',
      });
    }
    const ready = targets.filter((t) => t.admin === 'ready');
    const primary = ready.find((t) => !t.backup && t.health !== 'down');
    const active = primary ?? ready.find((t) => t.backup && t.health !== 'down');
    return { activeRegion: active?.region, targets };
  }

  async routeTo(region: string): Promise<void> {
    const changes = this.changesFor(region, await this.records());
    if (changes.length === 0) return; // already routed there
    const out = await awsCall(
      {
        action: 'route53:ChangeResourceRecordSets',
        resource: `${this.opts.hostedZoneId}/${this.name}`,
      },
      () =>
        this.r53.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: this.opts.hostedZoneId,
            ChangeBatch: { Comment: `drkit: route ${this.name} to ${region}`, Changes: changes },
          }),
        ),
    );
    if ((this.opts.waitInSync ?? true) && out.ChangeInfo?.Id) {
      await awsCall({ action: 'route53:GetChange', resource: out.ChangeInfo.Id }, () =>
        waitUntilResourceRecordSetsChanged(
          { client: this.r53, maxWaitTime: 600, minDelay: 5 },
          { Id: out.ChangeInfo!.Id! },
        ),
      );
    }
  }

  /** The reads that tell whether `region`'s endpoint is healthy (for dry-run). */
  planHealthOf(region: string): string[] {
    const hc = this.opts.targets.find((t) => t.region === region)?.healthCheckId;
    return [
      `route53:ListResourceRecordSets HostedZoneId=${this.opts.hostedZoneId} StartRecordName=${this.opts.recordName}`,
      hc
        ? `route53:GetHealthCheckStatus HealthCheckId=${hc}`
        : `(no Route 53 health check configured for ${region}: aws.regions.a.healthCheckId)`,
    ];
  }

  /** The exact ChangeBatch `routeTo(region)` would send (for dry-run), as JSON lines. */
  async planRouteTo(region: string): Promise<string[]> {
    const changes = this.changesFor(region, await this.records());
    if (changes.length === 0)
      return [`route53: ${this.name} already routed to ${region}: no change`];
    return [
      `route53:ChangeResourceRecordSets HostedZoneId=${this.opts.hostedZoneId} ChangeBatch=${JSON.stringify({ Changes: changes })}`,
    ];
  }

  /** Changes from the current records to the layout for `region` (empty when already there). */
  private changesFor(region: string, current: ResourceRecordSet[]): Change[] {
    const target = this.opts.targets.find((t) => t.region === region);
    if (!target)
      throw new UsageError(`no Route 53 target for region ${region}`, {
        hint: `known: ${this.opts.targets.map((t) => t.region).join(', ')}`,
      });
    const want: ResourceRecordSet[] =
      region === this.opts.primaryRegion
        ? this.opts.targets.map((t) =>
            this.record(t, t.region === region ? 'PRIMARY' : 'SECONDARY', true),
          )
        : [this.record(target, 'PRIMARY', false)];
    const changes: Change[] = [];
    for (const w of want) {
      const cur = current.find((c) => c.SetIdentifier === w.SetIdentifier);
      if (!cur || !sameRecord(cur, w)) changes.push({ Action: 'UPSERT', ResourceRecordSet: w });
    }
    for (const c of current) {
      if (!want.some((w) => w.SetIdentifier === c.SetIdentifier))
        changes.push({ Action: 'DELETE', ResourceRecordSet: c });
    }
    return changes;
  }

  private record(
    t: Route53Target,
    failover: 'PRIMARY' | 'SECONDARY',
    withHealthCheck: boolean,
  ): ResourceRecordSet {
    return {
      Name: this.name,
      Type: this.opts.recordType ?? 'A',
      SetIdentifier: setId(t),
      Failover: failover,
      ...(t.alias
        ? {
            AliasTarget: {
              DNSName: t.alias.dnsName,
              HostedZoneId: t.alias.hostedZoneId,
              EvaluateTargetHealth: true,
            },
          }
        : { TTL: this.opts.ttl ?? 60, ResourceRecords: [{ Value: t.value ?? '' }] }),
      // the sole record after a failover carries no health check: it must answer even if
      // its checks flap, rather than resolve to nothing
      ...(withHealthCheck && t.healthCheckId ? { HealthCheckId: t.healthCheckId } : {}),
    };
  }

  private async records(): Promise<ResourceRecordSet[]> {
    const out: ResourceRecordSet[] = [];
    let start: {
      StartRecordName?: string;
      StartRecordType?: ResourceRecordSet['Type'];
      StartRecordIdentifier?: string;
    } = { StartRecordName: this.name };
    for (;;) {
      const page = await awsCall(
        { action: 'route53:ListResourceRecordSets', resource: this.opts.hostedZoneId },
        () =>
          this.r53.send(
            new ListResourceRecordSetsCommand({ HostedZoneId: this.opts.hostedZoneId, ...start }),
          ),
      );
      const sets = page.ResourceRecordSets ?? [];
      out.push(
        ...sets.filter(
          (r) => r.Name === this.name && r.Type === (this.opts.recordType ?? 'A') && r.Failover,
        ),
      );
      // records are sorted by name: once past ours, stop
      if (!page.IsTruncated || sets.some((r) => r.Name !== this.name)) return out;
      start = {
        StartRecordName: page.NextRecordName,
        StartRecordType: page.NextRecordType,
        StartRecordIdentifier: page.NextRecordIdentifier,
      };
    }
  }

  private async health(healthCheckId: string): Promise<'up' | 'down'> {
    const out = await awsCall(
      { action: 'route53:GetHealthCheckStatus', resource: healthCheckId },
      () => this.r53.send(new GetHealthCheckStatusCommand({ HealthCheckId: healthCheckId })),
    );
    const obs = out.HealthCheckObservations ?? [];
    // Route 53 calls an endpoint healthy when more than 18% of its checkers see it healthy
    const ok = obs.filter((o) => o.StatusReport?.Status?.startsWith('Success')).length;
    return obs.length === 0 || ok / obs.length > 0.18 ? 'up' : 'down';
  }
}

function setId(t: Route53Target): string {
  return t.setIdentifier ?? t.region;
}

function sameRecord(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  const norm = (r: ResourceRecordSet) =>
    JSON.stringify([
      r.Failover,
      r.HealthCheckId ?? null,
      r.TTL ?? null,
      r.ResourceRecords?.map((x) => x.Value) ?? null,
      r.AliasTarget?.DNSName?.replace(/\.$/, '') ?? null,
    ]);
  return norm(a) === norm(b);
}
