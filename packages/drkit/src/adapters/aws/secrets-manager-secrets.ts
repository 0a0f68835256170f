import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  StopReplicationToReplicaCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { NotFoundError, PreconditionError } from '../../engine/errors.js';
import type { SecretRotation } from '../../ports/secret-rotation.js';
import type { Secrets } from '../../ports/secrets.js';
import type { AwsClients } from './clients.js';
import { awsCall } from './errors.js';
import { rememberSecretValues } from '../../engine/redact.js';

/** Options of {@link SecretsManagerSecrets}. */
export interface SecretsManagerSecretsOptions {
  readonly clients: AwsClients;
  /** @default the factory's default region */
  readonly region?: string;
  /** Regions a secret created here is replicated to (region B). @default none */
  readonly replicaRegions?: readonly string[];
}

/** A secret's rotation set-up and version stages, as DescribeSecret reports them (never a value). */
export interface SecretRotationDescription {
  readonly name: string;
  /** Rotation is configured (a schedule and a Lambda, or a managing service). */
  readonly rotationEnabled: boolean;
  /** The rotation Lambda configured on the secret; undefined when none. */
  readonly lambdaArn: string | undefined;
  /** A service (e.g. `rds`) rotates it without a Lambda of ours. */
  readonly owningService: string | undefined;
  /** Version ids by staging label (`AWSCURRENT`, `AWSPENDING`, `AWSPREVIOUS`). */
  readonly stages: Readonly<Record<string, readonly string[]>>;
  readonly lastRotatedAt: string | undefined;
}

/** The secrets port on AWS Secrets Manager (JSON `SecretString` values). */
export class SecretsManagerSecrets implements Secrets, SecretRotation {
  readonly kind = 'aws-secrets-manager';
  readonly region: string;
  private readonly sm: SecretsManagerClient;

  constructor(private readonly opts: SecretsManagerSecretsOptions) {
    this.region = opts.region ?? opts.clients.defaultRegion;
    this.sm = opts.clients.secrets(this.region);
  }

  async get(name: string): Promise<Record<string, unknown>> {
    const out = await awsCall({ action: 'secretsmanager:GetSecretValue', resource: name }, () =>
      this.sm.send(new GetSecretValueCommand({ SecretId: name })),
    );
    if (out.SecretString === undefined)
      throw new NotFoundError(`secret ${name} has no string value`);
    try {
      const v: unknown = JSON.parse(out.SecretString);
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        rememberSecretValues(v); // journals and output redact these wherever they appear
        return v as Record<string, unknown>;
      }
    } catch {
      // fall through: never echo the value
    }
    throw new PreconditionError(`secret ${name} is not a JSON object`, {
      hint: 'drkit stores runtime configuration as JSON objects',
    });
  }

  planGet(name: string): string[] {
    return [`secretsmanager:GetSecretValue SecretId=${name}`];
  }

  /** Names no kept field: the value is read at run time only. */
  async planPut(
    name: string,
    set: Readonly<Record<string, string | number | boolean>>,
  ): Promise<string[]> {
    const fields = Object.entries(set).map(
      ([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`,
    );
    return [
      `secretsmanager:GetSecretValue SecretId=${name}, then PutSecretValue SecretId=${name} SecretString={…other keys kept, ${fields.join(', ')}}`,
    ];
  }

  async put(name: string, value: Record<string, unknown>): Promise<void> {
    const SecretString = JSON.stringify(value);
    try {
      await awsCall({ action: 'secretsmanager:PutSecretValue', resource: name }, () =>
        this.sm.send(new PutSecretValueCommand({ SecretId: name, SecretString })),
      );
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      await awsCall({ action: 'secretsmanager:CreateSecret', resource: name }, () =>
        this.sm.send(
          new CreateSecretCommand({
            Name: name,
            SecretString,
            ...(this.opts.replicaRegions?.length
              ? { AddReplicaRegions: this.opts.replicaRegions.map((Region) => ({ Region })) }
              : {}),
          }),
        ),
      );
    }
  }

  async list(): Promise<string[]> {
    const names: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await awsCall({ action: 'secretsmanager:ListSecrets' }, () =>
        this.sm.send(new ListSecretsCommand({ NextToken })),
      );
      for (const s of page.SecretList ?? []) if (s.Name) names.push(s.Name);
      NextToken = page.NextToken;
    } while (NextToken);
    return names.sort();
  }

  /**
   * The region of the primary copy when `name` here is a replica (read-only: writes go to the
   * primary and replicate); undefined when it is the primary. @throws NotFoundError
   */
  async primaryRegionOf(name: string): Promise<string | undefined> {
    const d = await awsCall({ action: 'secretsmanager:DescribeSecret', resource: name }, () =>
      this.sm.send(new DescribeSecretCommand({ SecretId: name })),
    );
    return d.PrimaryRegion !== undefined && d.PrimaryRegion !== this.region
      ? d.PrimaryRegion
      : undefined;
  }

  /**
   * Promotes this region's replica of `name` to a standalone, writable secret
   * (StopReplicationToReplica): what a regional failover does when the primary's region is
   * down. It no longer follows the primary afterwards: re-replicate after the cutback.
   */
  async promoteReplica(name: string): Promise<void> {
    await awsCall({ action: 'secretsmanager:StopReplicationToReplica', resource: name }, () =>
      this.sm.send(new StopReplicationToReplicaCommand({ SecretId: name })),
    );
  }

  /**
   * How `name` rotates (security-breach preflight and verify): DescribeSecret's rotation
   * Lambda, managing service and version stages; reads no secret value. @throws NotFoundError
   */
  async describeRotation(name: string): Promise<SecretRotationDescription> {
    const d = await awsCall({ action: 'secretsmanager:DescribeSecret', resource: name }, () =>
      this.sm.send(new DescribeSecretCommand({ SecretId: name })),
    );
    const stages: Record<string, string[]> = {};
    for (const [id, labels] of Object.entries(d.VersionIdsToStages ?? {}))
      for (const l of labels) (stages[l] ??= []).push(id);
    return {
      name,
      rotationEnabled: d.RotationEnabled ?? false,
      lambdaArn: d.RotationLambdaARN || undefined,
      owningService: d.OwningService || undefined,
      stages,
      lastRotatedAt: d.LastRotatedDate?.toISOString(),
    };
  }

  planDescribeRotation(name: string): string[] {
    return [`secretsmanager:DescribeSecret SecretId=${name}`];
  }

  planRotate(
    name: string,
    opts: { readonly rotateImmediately?: boolean; readonly lambdaArn?: string },
  ): string[] {
    return [
      `secretsmanager:RotateSecret SecretId=${name} RotateImmediately=${opts.rotateImmediately ?? true}${opts.lambdaArn ? ` RotationLambdaARN=${opts.lambdaArn}` : ''}`,
    ];
  }

  /**
   * Starts a rotation (security-breach runbook). `rotateImmediately: false` only records the
   * schedule and the next rotation window runs it (what moto can do without a Lambda).
   */
  async rotate(
    name: string,
    opts: {
      readonly rotateImmediately?: boolean;
      readonly lambdaArn?: string;
      readonly afterDays?: number;
    } = {},
  ): Promise<{ readonly versionId: string }> {
    const out = await awsCall({ action: 'secretsmanager:RotateSecret', resource: name }, () =>
      this.sm.send(
        new RotateSecretCommand({
          SecretId: name,
          RotateImmediately: opts.rotateImmediately ?? true,
          ...(opts.lambdaArn ? { RotationLambdaARN: opts.lambdaArn } : {}),
          ...(opts.afterDays ? { RotationRules: { AutomaticallyAfterDays: opts.afterDays } } : {}),
        }),
      ),
    );
    return { versionId: out.VersionId ?? '' };
  }
}
