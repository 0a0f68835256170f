import { GetDistributionConfigCommand, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import {
  ListHealthChecksCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  ListTagsForResourceCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { GetWebACLCommand, ListWebACLsCommand, type Scope } from '@aws-sdk/client-wafv2';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';

/**
 * One live edge/DNS resource as drkit exports it: `file` is its stable identity (a relative
 * path), `body` its configuration with volatile fields dropped and secret values redacted.
 * Key order is not settled here: the writer sorts keys recursively.
 */
export interface LiveConfigResource {
  /** Relative path under the export dir, e.g. `cloudfront/E1ABC.json`. */
  readonly file: string;
  readonly body: Record<string, unknown>;
}

/** What a CloudFront custom origin header value becomes in the export. */
export const REDACTED = '<redacted>';

/**
 * Reads the live CloudFront distributions, WAF web ACLs (CLOUDFRONT scope in us-east-1,
 * REGIONAL in each of `regions`) and Route 53 hosted zones and health checks (global service).
 *
 * Identity and volatile fields (the export's contract):
 * - CloudFront: `cloudfront/<Id>.json`, the DistributionConfig. The Id is the identity (a
 *   recreated distribution has a new domain name, so it is a different resource); ETag and
 *   CallerReference are dropped; custom origin header values are {@link REDACTED}.
 * - WAF: `waf/<scope>-<region>/<Name>.json`; Id, ARN and LockToken dropped (they change on
 *   recreate; scope + region + name is the identity).
 * - Route 53 zones: `route53/zones/<name>[-private].json`: zone config (comment, private) and
 *   the record sets keyed `<name> <type>[ <setIdentifier>]`; zone Id, CallerReference,
 *   ResourceRecordSetCount and the apex SOA/NS (assigned by AWS) dropped. A record's
 *   HealthCheckId is kept: it is the live reference failover depends on.
 * - Route 53 health checks: `route53/health-checks/<Name tag, else Id>.json`, the
 *   HealthCheckConfig and tags; CallerReference, HealthCheckVersion (and Id when the Name tag
 *   names it) dropped. Health status is never read.
 */
export async function readLiveConfig(
  clients: AwsClients,
  regions: ReadonlyArray<string>,
): Promise<LiveConfigResource[]> {
  return [
    ...(await distributions(clients)),
    ...(await webAcls(clients, 'CLOUDFRONT', 'us-east-1')),
    ...(
      await Promise.all([...new Set(regions)].map((r) => webAcls(clients, 'REGIONAL', r)))
    ).flat(),
    ...(await zones(clients)),
    ...(await healthChecks(clients)),
  ];
}

async function distributions(clients: AwsClients): Promise<LiveConfigResource[]> {
  const cf = clients.cloudfront();
  const ids: string[] = [];
  let Marker: string | undefined;
  do {
    const out = await awsCall({ action: 'cloudfront:ListDistributions' }, () =>
      cf.send(new ListDistributionsCommand({ Marker })),
    );
    for (const d of out.DistributionList?.Items ?? []) if (d.Id) ids.push(d.Id);
    Marker = out.DistributionList?.IsTruncated ? out.DistributionList.NextMarker : undefined;
  } while (Marker);
  const res: LiveConfigResource[] = [];
  for (const Id of ids) {
    const out = await awsCall({ action: 'cloudfront:GetDistributionConfig', resource: Id }, () =>
      cf.send(new GetDistributionConfigCommand({ Id })),
    );
    if (!out.DistributionConfig) continue; // deleted between the listing and this call
    const config = { ...out.DistributionConfig, CallerReference: undefined };
    for (const o of config.Origins?.Items ?? [])
      for (const h of o.CustomHeaders?.Items ?? []) h.HeaderValue = REDACTED;
    res.push({ file: `cloudfront/${safe(Id)}.json`, body: { Id, DistributionConfig: config } });
  }
  return res;
}

async function webAcls(
  clients: AwsClients,
  scope: Scope,
  region: string,
): Promise<LiveConfigResource[]> {
  const waf = clients.wafv2(region);
  const res: LiveConfigResource[] = [];
  let NextMarker: string | undefined;
  do {
    const out = await awsCall({ action: 'wafv2:ListWebACLs', resource: `${scope} ${region}` }, () =>
      waf.send(new ListWebACLsCommand({ Scope: scope, NextMarker, Limit: 100 })),
    );
    for (const s of out.WebACLs ?? []) {
      const got = await awsCall({ action: 'wafv2:GetWebACL', resource: s.Name }, () =>
        waf.send(new GetWebACLCommand({ Scope: scope, Name: s.Name, Id: s.Id })),
      );
      const acl = { ...got.WebACL, Id: undefined, ARN: undefined };
      res.push({
        file: `waf/${scope.toLowerCase()}-${region}/${safe(s.Name!)}.json`,
        body: { Scope: scope, Region: region, WebACL: acl },
      });
    }
    // a page that returns fewer than asked still carries a marker: stop on an empty page
    NextMarker = out.WebACLs?.length ? out.NextMarker : undefined;
  } while (NextMarker);
  return res;
}

async function zones(clients: AwsClients): Promise<LiveConfigResource[]> {
  const r53 = clients.route53();
  const res: LiveConfigResource[] = [];
  let Marker: string | undefined;
  do {
    const out = await awsCall({ action: 'route53:ListHostedZones' }, () =>
      r53.send(new ListHostedZonesCommand({ Marker })),
    );
    for (const z of out.HostedZones ?? []) {
      const records: Record<string, ResourceRecordSet> = {};
      for (const r of await recordSets(clients, z.Id!)) {
        if (r.Name === z.Name && (r.Type === 'SOA' || r.Type === 'NS')) continue;
        records[`${r.Name} ${r.Type}${r.SetIdentifier ? ` ${r.SetIdentifier}` : ''}`] = r;
      }
      const priv = z.Config?.PrivateZone === true;
      res.push({
        file: `route53/zones/${safe(z.Name!.replace(/\.$/, ''))}${priv ? '-private' : ''}.json`,
        body: {
          Name: z.Name,
          PrivateZone: priv,
          ...(z.Config?.Comment ? { Comment: z.Config.Comment } : {}),
          RecordSets: records,
        },
      });
    }
    Marker = out.IsTruncated ? out.NextMarker : undefined;
  } while (Marker);
  return res;
}

async function recordSets(clients: AwsClients, zoneId: string): Promise<ResourceRecordSet[]> {
  const r53 = clients.route53();
  const all: ResourceRecordSet[] = [];
  let next: { StartRecordName?: string; StartRecordType?: string; StartRecordIdentifier?: string } =
    {};
  for (;;) {
    const out = await awsCall({ action: 'route53:ListResourceRecordSets', resource: zoneId }, () =>
      r53.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ...(next as Record<string, string>),
        }),
      ),
    );
    all.push(...(out.ResourceRecordSets ?? []));
    if (!out.IsTruncated) return all;
    next = {
      StartRecordName: out.NextRecordName,
      StartRecordType: out.NextRecordType,
      StartRecordIdentifier: out.NextRecordIdentifier,
    };
  }
}

async function healthChecks(clients: AwsClients): Promise<LiveConfigResource[]> {
  const r53 = clients.route53();
  const res: LiveConfigResource[] = [];
  let Marker: string | undefined;
  do {
    const out = await awsCall({ action: 'route53:ListHealthChecks' }, () =>
      r53.send(new ListHealthChecksCommand({ Marker })),
    );
    for (const h of out.HealthChecks ?? []) {
      const tags = await awsCall({ action: 'route53:ListTagsForResource', resource: h.Id }, () =>
        r53.send(new ListTagsForResourceCommand({ ResourceType: 'healthcheck', ResourceId: h.Id })),
      );
      const tagMap = Object.fromEntries(
        (tags.ResourceTagSet?.Tags ?? []).map((t) => [t.Key!, t.Value ?? '']),
      );
      const name = tagMap.Name;
      res.push({
        file: `route53/health-checks/${safe(name ?? h.Id!)}.json`,
        body: {
          ...(name ? {} : { Id: h.Id }),
          HealthCheckConfig: h.HealthCheckConfig ?? {},
          Tags: tagMap,
        },
      });
    }
    Marker = out.IsTruncated ? out.NextMarker : undefined;
  } while (Marker);
  return res;
}

/** A name usable as one path segment (no separators, no leading dot). */
function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\./, '_');
}
