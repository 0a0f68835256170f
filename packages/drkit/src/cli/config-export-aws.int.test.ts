import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CreateDistributionCommand,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { CreateWebACLCommand, type Scope } from '@aws-sdk/client-wafv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../adapters/aws/clients.js';
import { configDrift } from '../providers/aws/config-drift.js';
import type { LabFixture } from '../testing/lab-fixture.js';
import { createTestHealthCheck } from '../testing/moto.js';
import { startMotoCli, type MotoCli } from '../testing/moto-cli.js';

/**
 * `drkit config-export` and `drkit config-drift` through the built CLI on moto: a CloudFront
 * distribution (a custom origin header holding a secret), a hosted zone with PRIMARY/SECONDARY
 * failover records and their health checks (one named by a Name tag), WAF web ACLs in the
 * CLOUDFRONT scope (us-east-1) and REGIONAL scope (region B). moto 5 serves all of these.
 */
const SECRET = 'origin-secret-7f3a9c';
let motoCli: MotoCli;
let clients: AwsClients;
let fx: LabFixture;
let out: string;
let distributionId: string;
let zoneId: string;
let hcA: string;
let hcB: string;

const cli = (...args: string[]) => motoCli.run(['--config', fx.configFile, ...args]);

function filesOf(dir: string): Map<string, string> {
  const m = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else m.set(r, readFileSync(path.join(dir, r), 'utf8'));
    }
  };
  walk('');
  return m;
}

function failover(role: 'PRIMARY' | 'SECONDARY', ip: string, hc: string, ttl = 60) {
  return {
    Name: 'app.example.com.',
    Type: 'A',
    SetIdentifier: role.toLowerCase(),
    Failover: role,
    TTL: ttl,
    ResourceRecords: [{ Value: ip }],
    HealthCheckId: hc,
  } satisfies ResourceRecordSet;
}

async function upsert(rrs: ResourceRecordSet[]): Promise<void> {
  await clients.route53().send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: rrs.map((r) => ({ Action: 'UPSERT', ResourceRecordSet: r })) },
    }),
  );
}

async function webAcl(scope: Scope, region: string, name: string): Promise<void> {
  await clients.wafv2(region).send(
    new CreateWebACLCommand({
      Name: name,
      Scope: scope,
      DefaultAction: { Allow: {} },
      VisibilityConfig: {
        SampledRequestsEnabled: true,
        CloudWatchMetricsEnabled: true,
        MetricName: name,
      },
      Rules: [],
    }),
  );
}

beforeAll(async () => {
  motoCli = await startMotoCli({ processEnv: true });
  ({ clients } = motoCli);
  fx = motoCli.fixture({ regionA: 'us-east-1', regionB: 'us-west-2' });
  out = path.join(fx.dir, 'ops/dr/config-export');

  const d = await clients.cloudfront().send(
    new CreateDistributionCommand({
      DistributionConfig: {
        CallerReference: 'drkit-test-1',
        Comment: 'app edge',
        Enabled: true,
        Origins: {
          Quantity: 1,
          Items: [
            {
              Id: 'alb-a',
              DomainName: 'alb-a.example.com',
              CustomHeaders: {
                Quantity: 1,
                Items: [{ HeaderName: 'X-Origin-Verify', HeaderValue: SECRET }],
              },
              CustomOriginConfig: {
                HTTPPort: 80,
                HTTPSPort: 443,
                OriginProtocolPolicy: 'https-only',
              },
            },
          ],
        },
        DefaultCacheBehavior: {
          TargetOriginId: 'alb-a',
          ViewerProtocolPolicy: 'redirect-to-https',
          CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
        },
      },
    }),
  );
  distributionId = d.Distribution!.Id!;

  zoneId = (
    await clients
      .route53()
      .send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: 'zone-1' }))
  ).HostedZone!.Id!.replace('/hostedzone/', '');
  hcA = await createTestHealthCheck(clients, '192.0.2.10');
  hcB = await createTestHealthCheck(clients, '198.51.100.10');
  await clients.route53().send(
    new ChangeTagsForResourceCommand({
      ResourceType: 'healthcheck',
      ResourceId: hcA,
      AddTags: [{ Key: 'Name', Value: 'app-region-a' }],
    }),
  );
  await upsert([
    failover('PRIMARY', '192.0.2.10', hcA),
    failover('SECONDARY', '198.51.100.10', hcB),
  ]);
  await webAcl('CLOUDFRONT', 'us-east-1', 'edge-acl');
  await webAcl('REGIONAL', 'us-west-2', 'alb-b-acl');
}, 120_000);

afterAll(async () => {
  await motoCli?.stop();
});

describe('drkit config-export / config-drift on moto', () => {
  it('exports one normalized file per resource, secrets redacted, byte-identical when run twice', async () => {
    const first = await cli('--json', 'config-export', '--provider', 'aws');
    expect(first.code, first.stderr).toBe(0);
    const files = filesOf(out);
    expect([...files.keys()].sort()).toEqual(
      [
        `cloudfront/${distributionId}.json`,
        'route53/health-checks/app-region-a.json',
        `route53/health-checks/${hcB}.json`,
        'route53/zones/example.com.json',
        'waf/cloudfront-us-east-1/edge-acl.json',
        'waf/regional-us-west-2/alb-b-acl.json',
      ].sort(),
    );
    const all = [...files.values()].join('\n');
    expect(all).not.toContain(SECRET);
    expect(all).not.toMatch(/ETag|CallerReference|LockToken|ResourceRecordSetCount|"ARN"/);
    const dist = JSON.parse(files.get(`cloudfront/${distributionId}.json`)!);
    expect(dist.DistributionConfig.Origins.Items[0].CustomHeaders.Items[0].HeaderValue).toBe(
      '<redacted>',
    );
    const zone = JSON.parse(files.get('route53/zones/example.com.json')!);
    expect(Object.keys(zone.RecordSets)).toEqual([
      'app.example.com. A primary',
      'app.example.com. A secondary',
    ]);
    expect(zone.RecordSets['app.example.com. A primary'].HealthCheckId).toBe(hcA);
    // keys sorted recursively: the file is its own sorted re-serialization
    for (const text of files.values()) {
      const sorted = (v: unknown): unknown =>
        Array.isArray(v)
          ? v.map(sorted)
          : v && typeof v === 'object'
            ? Object.fromEntries(
                Object.keys(v)
                  .sort()
                  .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
              )
            : v;
      expect(text).toBe(`${JSON.stringify(sorted(JSON.parse(text)), null, 2)}\n`);
    }

    const second = await cli('--json', 'config-export');
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ written: [], removed: [], unchanged: 6 });
    expect(filesOf(out)).toEqual(files);

    const none = await cli('--json', 'config-drift');
    expect(none.code, none.stderr).toBe(0);
    expect(JSON.parse(none.stdout)).toMatchObject({ compared: 6, drift: [] });
  }, 120_000);

  it('names exactly the changed paths (a record TTL, a distribution comment) and exits 11', async () => {
    await upsert([failover('PRIMARY', '192.0.2.10', hcA, 300)]);
    const cf = clients.cloudfront();
    const cur = await cf.send(new GetDistributionConfigCommand({ Id: distributionId }));
    await cf.send(
      new UpdateDistributionCommand({
        Id: distributionId,
        IfMatch: cur.ETag,
        DistributionConfig: { ...cur.DistributionConfig!, Comment: 'changed by hand' },
      }),
    );

    const r = await cli('--json', 'config-drift');
    expect(r.code, r.stderr).toBe(11);
    expect(JSON.parse(r.stdout).error.details.drift).toEqual([
      {
        file: `cloudfront/${distributionId}.json`,
        change: 'changed',
        paths: ['/DistributionConfig/Comment'],
      },
      {
        file: 'route53/zones/example.com.json',
        change: 'changed',
        paths: ['/RecordSets/app.example.com. A primary/TTL'],
      },
    ]);
    const human = await cli('config-drift');
    expect(human.code).toBe(11);
    expect(human.stdout).toContain('/RecordSets/app.example.com. A primary/TTL');
    expect(human.stderr).toMatch(/2 resources drifted/);

    // the checks `drkit verify` can join (ports/posture.ts shape), in-process
    const checks = await configDrift(fx.config, out);
    expect(checks.map((c) => [c.id, c.subject, c.status, c.value])).toEqual([
      [
        'config.drift',
        `cloudfront/${distributionId}.json`,
        'fail',
        'changed: /DistributionConfig/Comment',
      ],
      [
        'config.drift',
        'route53/zones/example.com.json',
        'fail',
        'changed: /RecordSets/app.example.com. A primary/TTL',
      ],
    ]);
  }, 120_000);

  it('reports a resource added live, then none once exported again', async () => {
    await webAcl('REGIONAL', 'us-east-1', 'alb-a-acl');
    const r = await cli('--json', 'config-drift');
    expect(r.code).toBe(11);
    expect(JSON.parse(r.stdout).error.details.drift).toContainEqual({
      file: 'waf/regional-us-east-1/alb-a-acl.json',
      change: 'added',
      paths: [],
    });
    expect((await cli('config-export')).code).toBe(0);
    const none = await cli('--json', 'config-drift');
    expect(none.code, none.stdout).toBe(0);
    const checks = await configDrift(fx.config, out);
    expect(checks).toMatchObject([
      { id: 'config.drift', status: 'pass', value: '7 resources match' },
    ]);
  }, 120_000);

  it('refuses an export directory that does not exist, before calling AWS', async () => {
    const missing = path.join(fx.dir, 'no-such-export');
    const r = await cli('config-drift', '--dir', missing);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`config export directory ${missing} does not exist`);
    expect(r.stderr).toContain('drkit config-export');
    expect(existsSync(missing)).toBe(false);
    const lab = await cli('config-export', '--provider', 'lab');
    expect(lab.code).not.toBe(0);
    expect(lab.stderr).toContain('use --provider aws');
  }, 60_000);
});
