import {
  CreateDeploymentCommand,
  CreateRestApiCommand,
  CreateStageCommand,
  GetResourcesCommand,
  GetStageCommand,
  PutIntegrationCommand,
  PutMethodCommand,
} from '@aws-sdk/client-api-gateway';
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  RotateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { ApiGatewayStages } from '../adapters/aws/api-gateway-stages.js';
import type { AwsClients } from '../adapters/aws/clients.js';
import type { MotoServer } from '../lab/moto-server.js';
import { createRole, zipOf } from './moto.js';

/**
 * Test fixtures on moto for the security-breach runbooks: a REST API whose stages have
 * throttles, secrets with a rotation Lambda configured (moto's Docker-less Lambda, which
 * accepts invocations without running code), a Cognito pool with signed-in users.
 */

/**
 * A rotation Lambda in moto. moto's Lambda runs code in Docker; with `lambda.use_docker=false`
 * invocations return at once without running anything, which is what RotateSecret needs here.
 */
export async function createRotationLambda(moto: MotoServer, clients: AwsClients): Promise<string> {
  await moto.configure({ lambda: { use_docker: false } });
  const role = await createRole(moto.endpoint, 'secrets-rotation');
  const fn = await clients.lambda().send(
    new CreateFunctionCommand({
      FunctionName: 'secrets-rotation',
      Runtime: 'nodejs20.x',
      Role: role,
      Handler: 'index.handler',
      Code: { ZipFile: zipOf('index.js', 'exports.handler = async () => 1;') },
    }),
  );
  return fn.FunctionArn!;
}

/** What {@link createWorld} built. */
export interface BreachWorld {
  readonly apiId: string;
  /** `apiId/stage` of each stage. */
  readonly stages: string[];
  /** Limits set on each stage before the incident, by `apiId/stage`. */
  readonly limits: Record<string, { rateLimit: number; burstLimit: number }>;
  readonly secrets: string[];
  /** A secret with no rotation Lambda. */
  readonly bareSecret: string;
  readonly poolId: string;
  readonly clientId: string;
  /** Access and refresh tokens of every signed-in user. */
  readonly tokens: Array<{ user: string; access: string; refresh: string }>;
}

/**
 * Builds one independent set of resources named after `tag`. Every secret is
 * `{ username, password }` (the bare one `{ token }`), plus `secretFields` when given.
 */
export async function createWorld(
  clients: AwsClients,
  tag: string,
  opts: { users: number; lambdaArn: string; secretFields?: Record<string, unknown> },
): Promise<BreachWorld> {
  const apigw = clients.apigateway();
  const api = await apigw.send(new CreateRestApiCommand({ name: `radiant-${tag}` }));
  const apiId = api.id!;
  const root = (await apigw.send(new GetResourcesCommand({ restApiId: apiId }))).items!.find(
    (r) => r.path === '/',
  )!;
  await apigw.send(
    new PutMethodCommand({
      restApiId: apiId,
      resourceId: root.id,
      httpMethod: 'GET',
      authorizationType: 'NONE',
    }),
  );
  await apigw.send(
    new PutIntegrationCommand({
      restApiId: apiId,
      resourceId: root.id,
      httpMethod: 'GET',
      type: 'MOCK',
    }),
  );
  const dep = await apigw.send(new CreateDeploymentCommand({ restApiId: apiId, stageName: 'v2' }));
  await apigw.send(
    new CreateStageCommand({ restApiId: apiId, stageName: 'v1', deploymentId: dep.id }),
  );
  const limits = {
    [`${apiId}/v2`]: { rateLimit: 500, burstLimit: 1000 },
    [`${apiId}/v1`]: { rateLimit: 50, burstLimit: 20 },
  };
  const stages = new ApiGatewayStages({ clients });
  for (const [ref, l] of Object.entries(limits))
    await stages.setThrottle(apiId, ref.split('/')[1]!, l);

  const sm = clients.secrets();
  const secrets = [`radiant-${tag}-db`, `radiant-${tag}-api-key`];
  for (const name of secrets) {
    await sm.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: JSON.stringify({
          username: 'app',
          password: `pw-${tag}`,
          ...opts.secretFields,
        }),
      }),
    );
    // configure rotation the usual way (scheduled, not now), then clear the AWSPENDING label
    // moto leaves on the copy it made: a clean secret with rotation set up
    await sm.send(
      new RotateSecretCommand({
        SecretId: name,
        RotationLambdaARN: opts.lambdaArn,
        RotationRules: { AutomaticallyAfterDays: 30 },
        RotateImmediately: false,
      }),
    );
    const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    for (const [id, labels] of Object.entries(d.VersionIdsToStages ?? {})) {
      if (labels.includes('AWSPENDING') && !labels.includes('AWSCURRENT')) {
        await sm.send(
          new UpdateSecretVersionStageCommand({
            SecretId: name,
            VersionStage: 'AWSPENDING',
            RemoveFromVersionId: id,
          }),
        );
      }
    }
  }
  const bareSecret = `radiant-${tag}-legacy`;
  await sm.send(
    new CreateSecretCommand({
      Name: bareSecret,
      SecretString: JSON.stringify({ token: 'x', ...opts.secretFields }),
    }),
  );

  const idp = clients.cognito();
  const pool = await idp.send(new CreateUserPoolCommand({ PoolName: `radiant-${tag}-users` }));
  const poolId = pool.UserPool!.Id!;
  const client = await idp.send(
    new CreateUserPoolClientCommand({
      UserPoolId: poolId,
      ClientName: 'app',
      ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    }),
  );
  const clientId = client.UserPoolClient!.ClientId!;
  const tokens: BreachWorld['tokens'] = [];
  for (let i = 0; i < opts.users; i++) {
    const user = `user${String(i).padStart(3, '0')}`;
    await idp.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: user }));
    await idp.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: poolId,
        Username: user,
        Password: 'Passw0rd!-test',
        Permanent: true,
      }),
    );
    const a = await idp.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user, PASSWORD: 'Passw0rd!-test' },
      }),
    );
    tokens.push({
      user,
      access: a.AuthenticationResult!.AccessToken!,
      refresh: a.AuthenticationResult!.RefreshToken!,
    });
  }
  return {
    apiId,
    stages: Object.keys(limits),
    limits,
    secrets,
    bareSecret,
    poolId,
    clientId,
    tokens,
  };
}

/** Raw moto state of a world, for before/after equality (no secret values: version stages only). */
export async function snapshot(clients: AwsClients, w: BreachWorld): Promise<unknown> {
  const apigw = clients.apigateway();
  const stages = [];
  for (const ref of w.stages) {
    const s = await apigw.send(
      new GetStageCommand({ restApiId: w.apiId, stageName: ref.split('/')[1] }),
    );
    stages.push({ ref, methodSettings: s.methodSettings });
  }
  const secrets = [];
  for (const name of [...w.secrets, w.bareSecret]) {
    const d = await clients.secrets().send(new DescribeSecretCommand({ SecretId: name }));
    secrets.push({
      name,
      versions: d.VersionIdsToStages,
      lastRotated: d.LastRotatedDate?.toISOString(),
    });
  }
  const users = [];
  let PaginationToken: string | undefined;
  do {
    const page = await clients
      .cognito()
      .send(new ListUsersCommand({ UserPoolId: w.poolId, PaginationToken }));
    users.push(...(page.Users ?? []).map((u) => [u.Username, u.UserStatus, u.Enabled]));
    PaginationToken = page.PaginationToken;
  } while (PaginationToken);
  return { stages, secrets, users, signedIn: await signedInCount(clients, w) };
}

/** Users whose access token still works (GetUser) — moto drops them on AdminUserGlobalSignOut. */
export async function signedInCount(clients: AwsClients, w: BreachWorld): Promise<number> {
  let n = 0;
  for (const t of w.tokens) {
    try {
      await clients.cognito().send(new GetUserCommand({ AccessToken: t.access }));
      n++;
    } catch (e) {
      if ((e as { name?: string }).name !== 'NotAuthorizedException') throw e;
    }
  }
  return n;
}

/** Users whose refresh token still gets new tokens — moto revokes them on sign-out. */
export async function refreshableCount(clients: AwsClients, w: BreachWorld): Promise<number> {
  let n = 0;
  for (const t of w.tokens) {
    try {
      await clients.cognito().send(
        new AdminInitiateAuthCommand({
          UserPoolId: w.poolId,
          ClientId: w.clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: t.refresh },
        }),
      );
      n++;
    } catch (e) {
      if ((e as { name?: string }).name !== 'NotAuthorizedException') throw e;
    }
  }
  return n;
}

/** What a rotation Lambda's finishSecret does: AWSCURRENT to the AWSPENDING version, AWSPENDING cleared. */
export async function finishRotation(clients: AwsClients, name: string): Promise<void> {
  const sm = clients.secrets();
  const d = await sm.send(new DescribeSecretCommand({ SecretId: name }));
  const entries = Object.entries(d.VersionIdsToStages ?? {});
  const pending = entries.find(([, l]) => l.includes('AWSPENDING'))?.[0];
  const current = entries.find(([, l]) => l.includes('AWSCURRENT'))?.[0];
  if (!pending) return;
  await sm.send(
    new UpdateSecretVersionStageCommand({
      SecretId: name,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: pending,
      RemoveFromVersionId: current,
    }),
  );
  await sm.send(
    new UpdateSecretVersionStageCommand({
      SecretId: name,
      VersionStage: 'AWSPENDING',
      RemoveFromVersionId: pending,
    }),
  );
}
