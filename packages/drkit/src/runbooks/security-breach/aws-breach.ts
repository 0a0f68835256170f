import { DescribeUserPoolCommand, type CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsClients } from '../../adapters/aws/clients.js';
import { awsCall } from '../../adapters/aws/errors.js';
import { SecretsManagerSecrets } from '../../adapters/aws/secrets-manager-secrets.js';
import type { SecretRotation, SecretRotationInfo, UserPools } from './context.js';

/**
 * The runbook's rotation look-ups on Secrets Manager: DescribeSecret (rotation Lambda, version
 * stages; never the value) and RotateSecret through {@link SecretsManagerSecrets.rotate}.
 * Kept beside the runbook because the `Secrets` port has no rotation; it belongs in
 * `adapters/aws` once a second runbook needs it.
 */
export class SecretsManagerRotation implements SecretRotation {
  readonly kind = 'aws-secrets-manager';
  private readonly sm: SecretsManagerClient;
  private readonly secrets: SecretsManagerSecrets;

  constructor(opts: { readonly clients: AwsClients; readonly region?: string }) {
    this.sm = opts.clients.secrets(opts.region);
    this.secrets = new SecretsManagerSecrets({ clients: opts.clients, ...(opts.region ? { region: opts.region } : {}) });
  }

  async describeRotation(name: string): Promise<SecretRotationInfo> {
    const d = await awsCall({ action: 'secretsmanager:DescribeSecret', resource: name }, () => this.sm.send(new DescribeSecretCommand({ SecretId: name })));
    const stages: Record<string, string[]> = {};
    for (const [id, labels] of Object.entries(d.VersionIdsToStages ?? {})) for (const l of labels) (stages[l] ??= []).push(id);
    return {
      name,
      lambdaArn: d.RotationLambdaARN || undefined,
      owningService: d.OwningService || undefined,
      stages,
      lastRotatedAt: d.LastRotatedDate?.toISOString(),
    };
  }

  async rotate(name: string, opts: { readonly rotateImmediately?: boolean; readonly lambdaArn?: string }): Promise<{ readonly versionId: string }> {
    return await this.secrets.rotate(name, opts);
  }
}

/** User pool look-ups on Cognito (DescribeUserPool). */
export class CognitoUserPools implements UserPools {
  private readonly idp: CognitoIdentityProviderClient;

  constructor(opts: { readonly clients: AwsClients; readonly region?: string }) {
    this.idp = opts.clients.cognito(opts.region);
  }

  async describePool(poolId: string): Promise<{ poolId: string; name: string | undefined; estimatedUsers: number | undefined }> {
    const d = await awsCall({ action: 'cognito-idp:DescribeUserPool', resource: poolId }, () => this.idp.send(new DescribeUserPoolCommand({ UserPoolId: poolId })));
    return { poolId, name: d.UserPool?.Name, estimatedUsers: d.UserPool?.EstimatedNumberOfUsers };
  }
}
