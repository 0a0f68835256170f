import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DrkitStacks } from '../src/drkit-app.js';
import { FAILOVER_STATE_ORDER } from '../src/constructs/failover-state-machine.js';
import { buildApp } from './support.js';

interface AslState {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Next: string }[];
  End?: boolean;
}

/** Resolves the state machine's DefinitionString (Fn::Join of literals and tokens) to ASL. */
function aslOf(template: Template): { StartAt: string; States: Record<string, AslState> } {
  const [sm] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  const def = (sm as { Properties: { DefinitionString: unknown } }).Properties.DefinitionString;
  const parts = (def as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : 'TOKEN')).join(''));
}

/** Walks the ASL from StartAt, choosing `preferred` at Choice states and the default otherwise. */
function walk(asl: ReturnType<typeof aslOf>, preferred: Record<string, string>): string[] {
  const seen: string[] = [];
  let cur: string | undefined = asl.StartAt;
  while (cur && !seen.includes(cur)) {
    seen.push(cur);
    const s: AslState = asl.States[cur]!;
    cur = s.Type === 'Choice' ? (preferred[cur] ?? s.Default) : s.Next;
  }
  return seen;
}

describe('Tier-2 warm standby (rds-postgres, defaults)', () => {
  let stacks: DrkitStacks;
  const t = (s: { stackName: string }) => Template.fromStack(s as never);
  beforeAll(() => {
    // GIVEN the app with its default context
    stacks = buildApp({
      alarmEmail: 'oncall@example.com',
      webhookUrl: 'https://hooks.example.com/drkit',
    });
    // WHEN it synthesizes (once: later Template.fromStack calls reuse the assembly)
    Template.fromStack(stacks.a.keys);
  }, 300_000);

  it('THEN the network has two AZs of mirrored public/app/data subnets in each region', () => {
    for (const net of [stacks.a.network, stacks.b.network]) {
      const tpl = t(net);
      tpl.resourceCountIs('AWS::EC2::Subnet', 6);
      tpl.resourceCountIs('AWS::EC2::FlowLog', 1);
    }
  });

  it("THEN app-data replicates app-data/ to B with B's key and no delete markers", () => {
    const tpl = t(stacks.a.storage);
    tpl.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'drkit-app-data-111111111111-ap-southeast-2',
      VersioningConfiguration: { Status: 'Enabled' },
      ReplicationConfiguration: {
        Rules: [
          Match.objectLike({
            Filter: { Prefix: 'app-data/' },
            DeleteMarkerReplication: { Status: 'Disabled' },
            Destination: Match.objectLike({
              Bucket: {
                'Fn::Join': ['', Match.arrayWith([':s3:::drkit-app-data-111111111111-us-west-2'])],
              },
              EncryptionConfiguration: {
                ReplicaKmsKeyID: {
                  'Fn::Join': ['', Match.arrayWith(['arn:aws:kms:us-west-2:111111111111:key/'])],
                },
              },
            }),
            SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
            Status: 'Enabled',
          }),
        ],
      },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
              { StorageClass: 'DEEP_ARCHIVE', TransitionInDays: 90 },
            ],
            NoncurrentVersionExpiration: { NoncurrentDays: 90 },
          }),
        ],
      },
    });
  });

  it('WHEN s3ReplicateDeletes is true THEN delete markers replicate', { timeout: 120_000 }, () => {
    const other = buildApp({ s3ReplicateDeletes: true });
    Template.fromStack(other.a.storage).hasResourceProperties('AWS::S3::Bucket', {
      ReplicationConfiguration: {
        Rules: [Match.objectLike({ DeleteMarkerReplication: { Status: 'Enabled' } })],
      },
    });
  });

  it('THEN DeleteObjectVersion is denied to everyone but the break-glass role', () => {
    for (const storage of [stacks.a.storage, stacks.b.storage]) {
      t(storage).hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'DenyVersionDeleteExceptBreakGlass',
              Effect: 'Deny',
              Principal: { AWS: '*' },
              Action: 's3:DeleteObjectVersion',
              Condition: {
                ArnNotEquals: {
                  'aws:PrincipalArn': {
                    'Fn::GetAtt': [Match.stringLikeRegexp('BreakGlassRole'), 'Arn'],
                  },
                },
              },
            }),
          ]),
        },
      });
    }
  });

  it('THEN the compliance bucket has Object Lock in compliance mode', () => {
    t(stacks.a.storage).hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 7 } },
      },
    });
  });

  it('THEN keys are multi-Region: primary in A, replica in B', () => {
    t(stacks.a.keys).hasResourceProperties('AWS::KMS::Key', {
      MultiRegion: true,
      EnableKeyRotation: true,
    });
    t(stacks.b.keys).resourceCountIs('AWS::KMS::ReplicaKey', 1);
  });

  it('THEN DynamoDB has PITR and the endpoint secret is replicated to B', () => {
    t(stacks.a.storage).hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [
        Match.objectLike({
          Region: 'ap-southeast-2',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        }),
      ],
    });
    t(stacks.a.data).hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'drkit/db-endpoint',
      ReplicaRegions: [Match.objectLike({ Region: 'us-west-2' })],
    });
  });

  it('THEN the primary keeps 35 days of backups in a window, deletion-protected and encrypted', () => {
    t(stacks.a.data).hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'drkit-primary',
      BackupRetentionPeriod: 35,
      PreferredBackupWindow: '03:00-04:00',
      DeletionProtection: true,
      StorageEncrypted: true,
      MultiAZ: true,
    });
  });

  it('THEN a nightly AWS Backup copy goes to the vault in B', () => {
    t(stacks.a.data).hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({
            CopyActions: [
              Match.objectLike({
                DestinationBackupVaultArn:
                  'arn:aws:backup:us-west-2:111111111111:backup-vault:drkit-dr-vault',
              }),
            ],
          }),
        ],
      },
    });
    t(stacks.b.storage).hasResourceProperties('AWS::Backup::BackupVault', {
      BackupVaultName: 'drkit-dr-vault',
    });
  });

  it('THEN the read replica lives in B and names its source in A by ARN', () => {
    expect(stacks.b.data.region).toBe('us-west-2');
    t(stacks.b.data).hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceIdentifier: 'drkit-replica',
      SourceDBInstanceIdentifier: 'arn:aws:rds:ap-southeast-2:111111111111:db:drkit-primary',
      DeletionProtection: true,
      KmsKeyId: Match.anyValue(),
    });
  });

  it('THEN ECS runs 2 tasks in A and warmStandbyTasks in B with separate execution and task roles', () => {
    const a = t(stacks.a.app);
    a.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 2, ServiceName: 'drkit-app' });
    t(stacks.b.app).hasResourceProperties('AWS::ECS::Service', { DesiredCount: 1 });
    const td = Object.values(a.findResources('AWS::ECS::TaskDefinition'))[0] as {
      Properties: Record<string, { 'Fn::GetAtt': string[] }>;
    };
    expect(td.Properties.ExecutionRoleArn!['Fn::GetAtt'][0]).not.toBe(
      td.Properties.TaskRoleArn!['Fn::GetAtt'][0],
    );
    a.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
      HealthCheckPath: '/healthz',
    });
  });

  it('THEN the failover pair is PRIMARY (health-checked on /healthz) in A and SECONDARY in B', () => {
    const a = t(stacks.a.routing);
    a.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'HTTP', ResourcePath: '/healthz' }),
    });
    a.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'app.example.com',
      Failover: 'PRIMARY',
      SetIdentifier: 'primary',
      HealthCheckId: {
        'Fn::GetAtt': [Match.stringLikeRegexp('PrimaryHealthCheck'), 'HealthCheckId'],
      },
      AliasTarget: Match.objectLike({ EvaluateTargetHealth: true }),
    });
    const b = t(stacks.b.routing);
    b.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: 'app.example.com',
      Failover: 'SECONDARY',
      SetIdentifier: 'secondary',
      HealthCheckId: Match.absent(),
    });
    a.resourceCountIs('AWS::CloudFront::Distribution', 1);
  });

  it('THEN the state machine passes the seed states in order (promote path) and has the restore branch', () => {
    const asl = aslOf(t(stacks.b.orchestration));
    const path = walk(asl, {
      ConfirmPrimaryDown: 'DecideAuroraOrStandard',
      EcsPollDone: 'FlipRoute53',
      DbPollDone: 'BuildEndpoint',
      PostChecksPollDone: 'PostChecksPassed',
    });
    const positions = FAILOVER_STATE_ORDER.map((s) => path.indexOf(s));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    const decide = asl.States.DecideAuroraOrStandard!;
    expect(decide.Choices!.map((c) => c.Next)).toEqual([
      'FailoverGlobalCluster',
      'RestoreFromLatestSnapshot',
    ]);
    expect(decide.Default).toBe('PromoteReplica');
  });

  it('THEN every alarm in both regions notifies the alarm topic (ALARM and OK)', () => {
    for (const obs of [stacks.a.observability, stacks.b.observability]) {
      const tpl = t(obs);
      const [topicId] = Object.keys(tpl.findResources('AWS::SNS::Topic'));
      const alarms = Object.values(tpl.findResources('AWS::CloudWatch::Alarm')) as {
        Properties: { AlarmActions: unknown[]; OKActions: unknown[] };
      }[];
      expect(alarms.length).toBeGreaterThanOrEqual(7);
      for (const a of alarms) {
        expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
        expect(a.Properties.OKActions).toEqual([{ Ref: topicId }]);
      }
      tpl.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: 'oncall@example.com',
      });
      tpl.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'https',
        Endpoint: 'https://hooks.example.com/drkit',
      });
    }
    t(stacks.b.observability).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReplicaLag',
      Threshold: 300,
    });
    t(stacks.a.observability).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReplicationLatency',
      Namespace: 'AWS/S3',
    });
  });
});

describe('Tier-2 warm standby (aurora-global)', () => {
  it(
    'GIVEN dbMode aurora-global THEN A heads a Global Database and B joins it',
    { timeout: 120_000 },
    () => {
      const stacks = buildApp({ dbMode: 'aurora-global', warmStandbyTasks: 2 });
      const a = Template.fromStack(stacks.a.data);
      a.hasResourceProperties('AWS::RDS::GlobalCluster', {
        GlobalClusterIdentifier: 'drkit-global',
      });
      a.hasResourceProperties('AWS::RDS::DBCluster', {
        BackupRetentionPeriod: 35,
        PreferredBackupWindow: '03:00-04:00',
        DeletionProtection: true,
        StorageEncrypted: true,
      });
      const b = Template.fromStack(stacks.b.data);
      b.hasResourceProperties('AWS::RDS::DBCluster', {
        GlobalClusterIdentifier: 'drkit-global',
        DBClusterIdentifier: 'drkit-secondary-cluster',
        MasterUsername: Match.absent(),
      });
      b.resourceCountIs('AWS::RDS::DBInstance', 1);
      Template.fromStack(stacks.b.app).hasResourceProperties('AWS::ECS::Service', {
        DesiredCount: 2,
      });
      Template.fromStack(stacks.b.observability).hasResourceProperties('AWS::CloudWatch::Alarm', {
        Metrics: Match.arrayWith([
          Match.objectLike({
            MetricStat: Match.objectLike({
              Metric: Match.objectLike({ MetricName: 'AuroraGlobalDBReplicationLag' }),
            }),
          }),
        ]),
      });
    },
  );
});
